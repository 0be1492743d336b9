/// How to connect and log in: which known_hosts file vouches for the host, what to do with an
/// unknown one, which keys to offer, and how long to try.
public struct SSHConnectOptions: Sendable, Hashable {
    /// The OpenSSH known_hosts file host keys are checked against (and new ones recorded in,
    /// under `.acceptNew`). A missing file lists no host.
    public var knownHostsPath: String
    public var hostKeyPolicy: SSHHostKeyPolicy
    /// Key files to offer after the agent's keys, in order; the first the server accepts wins.
    public var identities: [SSHIdentity]
    /// The ssh-agent socket to ask for keys first; nil: no agent.
    public var agentSocket: String?
    /// OpenSSH's `IdentitiesOnly`: offer only the agent keys that match one of `identities`
    /// (by public key), so a server with a low `MaxAuthTries` is not exhausted by unrelated keys.
    public var identitiesOnly: Bool
    /// The budget for the TCP connect, the SSH handshake and authentication together.
    public var connectTimeout: Duration
    /// How often an idle connection sends a keepalive (`ServerAliveInterval`); nil: never.
    public var keepaliveInterval: Duration?
    /// Unanswered keepalives before the connection counts as dead (`ServerAliveCountMax`),
    /// enforced through TCP keepalive on the socket.
    public var keepaliveCountMax: Int

    public init(
        knownHostsPath: String, hostKeyPolicy: SSHHostKeyPolicy = .strict, identities: [SSHIdentity],
        agentSocket: String? = nil, identitiesOnly: Bool = false, connectTimeout: Duration = .seconds(15),
        keepaliveInterval: Duration? = nil, keepaliveCountMax: Int = 3
    ) {
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.identities = identities
        self.agentSocket = agentSocket
        self.identitiesOnly = identitiesOnly
        self.connectTimeout = connectTimeout
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveCountMax = keepaliveCountMax
    }
}
