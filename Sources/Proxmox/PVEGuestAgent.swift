/// A network interface the QEMU guest agent reports.
public struct PVEGuestInterface: Sendable, Hashable {
    public let name: String
    /// The MAC address, `bc:24:11:…`.
    public let hardwareAddress: String?
    /// Its addresses, loopback and link-local ones left out.
    public let addresses: [PVEGuestAddress]
}

/// One address of a guest interface.
public struct PVEGuestAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: String
    /// `ipv4` or `ipv6`.
    public let type: String
    public let prefix: Int?

    public var isIPv4: Bool { type == "ipv4" }
    /// `10.0.0.10/24`
    public var description: String { prefix.map { "\(address)/\($0)" } ?? address }

    /// 127.0.0.0/8, ::1, 169.254.0.0/16 and fe80::/10.
    var isLoopbackOrLinkLocal: Bool {
        let lower = address.lowercased()
        if lower.hasPrefix("127.") || lower == "::1" || lower.hasPrefix("169.254.") { return true }
        if let first = lower.split(separator: ":", omittingEmptySubsequences: false).first,
            let value = UInt16(first, radix: 16), lower.contains(":")
        {
            return value & 0xFFC0 == 0xFE80
        }
        return false
    }
}

/// What the guest agent said: its interfaces, or that it cannot answer yet (the VM is booting,
/// the agent is not installed or not started). Not-ready is a condition to retry, not an error.
public enum PVEGuestAgentAnswer: Sendable, Hashable {
    case ready([PVEGuestInterface])
    /// PVE's words, e.g. "QEMU guest agent is not running".
    case notReady(String)

    /// The interfaces when ready, else nil.
    public var interfaces: [PVEGuestInterface]? {
        if case .ready(let interfaces) = self { return interfaces }
        return nil
    }

    /// Every non-loopback, non-link-local IPv4 address (`10.0.0.10/24`), in interface order.
    public var ipv4Addresses: [PVEGuestAddress] {
        (interfaces ?? []).flatMap { $0.addresses.filter(\.isIPv4) }
    }
}
