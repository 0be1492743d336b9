/// Who to log in as, where: the triple every SSH error names as its place.
public struct SSHEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    /// A host name or an IP address, as the user wrote it (IPv6 without brackets).
    public var host: String
    public var port: UInt16

    public init(user: String, host: String, port: UInt16 = 22) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// `user@host:port` (`user@[v6::addr]:port` for IPv6), used as the `.host` place of errors.
    public var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(user)@\(shown):\(port)"
    }

    /// The name OpenSSH files this host under in known_hosts: `host` for port 22,
    /// `[host]:port` otherwise.
    public var knownHostsName: String {
        port == 22 ? host : "[\(host)]:\(port)"
    }
}
