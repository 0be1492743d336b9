/// An IPv4 address with its prefix length, as in `192.168.10.11/24` (PVE's `ipconfig0` and
/// cloud-init use this form).
public struct IPv4Interface: Sendable, Hashable, CustomStringConvertible {
    public var address: UInt32
    public var prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv4Interface.parseAddress(String(parts[0])), let p = Int(parts[1]),
            (0...32).contains(p)
        else { return nil }
        address = a
        prefix = p
    }

    public init(address: UInt32, prefix: Int) {
        self.address = address
        self.prefix = prefix
    }

    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(o), n <= 255
            else { return nil }
            value = value << 8 | n
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 255).\(address >> 8 & 255).\(address & 255)"
    }

    public var mask: UInt32 { prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix) }
    public var network: UInt32 { address & mask }
    public var addressText: String { IPv4Interface.format(address) }
    public var description: String { "\(addressText)/\(prefix)" }

    /// Whether `other` is in this interface's network.
    public func contains(_ other: UInt32) -> Bool { other & mask == network }
}
