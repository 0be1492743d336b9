public import HLSCore

/// A host as written on a command line or in a `ProxyJump`: `host`, `user@host`,
/// `host:port`, `user@host:port`, `[v6addr]:port` or a bare IPv6 address, like ssh's
/// `[user@]host[:port]`. The host may be an alias for ssh_config or an inventory name.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: UInt16?

    public init(user: String? = nil, host: String, port: UInt16? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses `[user@]host[:port]`; `.usage` errors for an empty host or a bad port.
    public static func parse(_ text: String) throws(HLSError) -> SSHTarget {
        var rest = Substring(text)
        if rest.hasPrefix("ssh://") { rest = rest.dropFirst(6) }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user?.isEmpty == true {
                throw HLSError(.usage, "empty user name in \"\(text)\"", hint: "write it as user@host[:port]")
            }
        }
        var host = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw HLSError(.usage, "missing ] in \"\(text)\"", hint: "write an IPv6 address as [addr]:port")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw HLSError(
                    .usage, "unexpected \"\(after)\" after ] in \"\(text)\"", hint: "write it as [addr]:port")
            }
        } else if let colon = rest.firstIndex(of: ":"), rest[rest.index(after: colon)...].firstIndex(of: ":") == nil {
            // One colon: host:port. Several: a bare IPv6 address without a port.
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else {
            throw HLSError(.usage, "no host name in \"\(text)\"", hint: "write it as [user@]host[:port]")
        }
        var port: UInt16?
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw HLSError(
                    .usage, "bad port \"\(portText)\" in \"\(text)\"", hint: "a port is a number from 1 to 65535")
            }
            port = value
        }
        return SSHTarget(user: user, host: String(host), port: port)
    }

    /// `user@host:port` with the parts that were given (IPv6 in brackets when a port follows).
    public var description: String {
        var text = user.map { "\($0)@" } ?? ""
        if let port {
            text += host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        } else {
            text += host
        }
        return text
    }
}
