public import HLSCore
import HLSTransport

/// A host a `node` verb acts on: an inventory VM (by name) or an ad-hoc `[user@]host[:port]`,
/// as ssh takes them. `spec` is what is resolved through ssh_config (its Host patterns match the
/// alias in it); the inventory's address, user and port are the defaults under ssh_config.
public struct NodeTarget: Sendable, Hashable, CustomStringConvertible {
    /// The name tables and errors show: the VM name, or the target as typed.
    public var name: String
    /// `alias`, or `user@host:port` as typed: ssh's command-line form.
    public var spec: String
    /// The inventory's view, used where ssh_config says nothing.
    public var address: String?
    public var user: String?
    public var port: UInt16?

    public init(name: String, spec: String, address: String? = nil, user: String? = nil, port: UInt16? = nil) {
        self.name = name
        self.spec = spec
        self.address = address
        self.user = user
        self.port = port
    }

    public var description: String { name }

    /// An inventory VM: reached by its name through ssh_config, else at its address.
    public static func inventory(name: String, address: String, user: String, port: UInt16) -> NodeTarget {
        NodeTarget(name: name, spec: name, address: address, user: user, port: port)
    }

    /// An ad-hoc `[user@]host[:port]`, checked here so a typo fails before any connection.
    public static func adHoc(_ text: String) throws(HLSError) -> NodeTarget {
        _ = try SSHTarget.parse(text)
        return NodeTarget(name: text, spec: text)
    }
}
