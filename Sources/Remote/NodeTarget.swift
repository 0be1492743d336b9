public import HLSCore

/// A host a `node` verb acts on: an inventory VM (by name) or an ad-hoc `user@host[:port]`,
/// as ssh takes them. `alias` is what `~/.ssh/config` Host patterns are matched against; the
/// other fields are the defaults that apply when ssh_config says nothing.
public struct NodeTarget: Sendable, Hashable, CustomStringConvertible {
    /// The name tables and errors show: the VM name, or the target as typed.
    public var name: String
    public var alias: String
    public var user: String?
    /// The address to connect to when ssh_config gives no HostName.
    public var host: String
    public var port: UInt16?
    /// Set for an ad-hoc target's explicit `user@` and `:port`, which win over ssh_config (as
    /// ssh's command line does); inventory values are only defaults.
    public var explicitUser = false
    public var explicitPort = false

    public init(name: String, alias: String, user: String?, host: String, port: UInt16?) {
        self.name = name
        self.alias = alias
        self.user = user
        self.host = host
        self.port = port
    }

    public var description: String { name }

    /// Parses `[user@]host[:port]` (`[v6::addr]:port` for IPv6).
    public static func adHoc(_ text: String) throws(HLSError) -> NodeTarget {
        var rest = Substring(text)
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            guard !user!.isEmpty else { throw invalid(text, "the user before @ is empty") }
        }
        var host = String(rest)
        var port: UInt16?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid(text, "an IPv6 address needs a closing ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let tail = rest[rest.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":"), let p = UInt16(tail.dropFirst()), p > 0 else {
                    throw invalid(text, "the port after ]: must be 1–65535")
                }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            host = String(rest[..<colon])
            guard let p = UInt16(rest[rest.index(after: colon)...]), p > 0 else {
                throw invalid(text, "the port after : must be 1–65535")
            }
            port = p
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw invalid(text, "no host name")
        }
        var target = NodeTarget(name: text, alias: host, user: user, host: host, port: port)
        target.explicitUser = user != nil
        target.explicitPort = port != nil
        return target
    }

    private static func invalid(_ text: String, _ why: String) -> HLSError {
        HLSError(
            .usage, "'\(text)' is not a node: \(why)",
            hint: "name a VM of the inventory, or write user@host[:port] as for ssh")
    }
}
