/// A VM's configuration as `GET …/config` returns it: its keys in PVE's order, every value as
/// text (numbers as PVE writes them), and the `digest` that guards a later write.
public struct PVEVMConfig: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let key: String
        public let value: String
    }

    /// Every key except `digest`, in the order PVE sent them.
    public let entries: [Entry]
    /// SHA-1 of the config file; pass it to `updateConfig` or `resize` to refuse the write if
    /// someone changed the VM meanwhile.
    public let digest: String?

    public init(entries: [Entry], digest: String?) {
        self.entries = entries
        self.digest = digest
    }

    /// The value of `key` (`cores`, `scsi0`, `ipconfig0`…).
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }

    /// The keys, in order.
    public var keys: [String] { entries.map(\.key) }

    /// The size PVE recorded for a disk (`size=3584M` in `scsi0: local-lvm:vm-101-disk-0,…`), in bytes.
    public func diskSize(_ disk: String) -> Int64? {
        guard let value = self[disk] else { return nil }
        for option in value.split(separator: ",") where option.hasPrefix("size=") {
            return PVEDiskSize.bytes(String(option.dropFirst("size=".count)))
        }
        return nil
    }

    /// The SSH keys in `sshkeys`, decoded.
    public var sshKeys: [String] { self["sshkeys"].map(PVESSHKeys.decode) ?? [] }
}

/// Disk sizes as PVE writes them: a number with an optional unit `K`, `M`, `G` or `T` (binary;
/// none means bytes), as in `size=3584M` or `resize size=50G`.
public enum PVEDiskSize {
    /// Bytes, or nil when `text` is not such a size.
    public static func bytes(_ text: String) -> Int64? {
        var number = Substring(text.trimmingWhitespace())
        var scale: Double = 1
        if let unit = number.last, unit.isLetter {
            switch unit.uppercased() {
            case "K": scale = 1024
            case "M": scale = 1024 * 1024
            case "G": scale = 1024 * 1024 * 1024
            case "T": scale = 1024 * 1024 * 1024 * 1024
            default: return nil
            }
            number = number.dropLast()
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number) else {
            return nil
        }
        let bytes = (value * scale).rounded()
        // 2⁶³ is the first double past `Int64.max`: a size that big is not one PVE wrote.
        return bytes < 0x1p63 ? Int64(bytes) : nil
    }

    /// `50G`, `3584M`, `1536K`, or bytes: the largest unit that divides evenly.
    public static func format(_ bytes: Int64) -> String {
        for (unit, scale) in [
            ("T", Int64(1) << 40), ("G", Int64(1) << 30), ("M", Int64(1) << 20), ("K", Int64(1) << 10),
        ]
        where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(unit)"
        }
        return String(bytes)
    }
}
