/// How to connect and log in: which known_hosts file vouches for the host, what to do with an
/// unknown one, which keys to offer, and how long to try.
public struct SSHConnectOptions: Sendable, Hashable {
    /// The OpenSSH known_hosts file host keys are checked against (and new ones recorded in,
    /// under `.acceptNew`). A missing file lists no host.
    public var knownHostsPath: String
    public var hostKeyPolicy: SSHHostKeyPolicy
    /// Keys to offer, in order; the first the server accepts wins.
    public var identities: [SSHIdentity]
    /// The budget for the TCP connect, the SSH handshake and authentication together.
    public var connectTimeout: Duration

    public init(
        knownHostsPath: String, hostKeyPolicy: SSHHostKeyPolicy = .strict, identities: [SSHIdentity],
        connectTimeout: Duration = .seconds(15)
    ) {
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.identities = identities
        self.connectTimeout = connectTimeout
    }
}
