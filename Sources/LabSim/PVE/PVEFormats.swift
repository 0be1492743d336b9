/// PVE's named string formats (pve-common `PVE::JSONSchema` and qemu-server), each answering
/// with the exact text PVE dies with.
enum PVEFormats {
    static let dnsName = PVEFormat.verifier { isDNSName($0) ? nil : "value does not look like a valid DNS name\n" }

    static let urlencoded = PVEFormat.verifier {
        PVESchema.matches(#"[-%a-zA-Z0-9_.!~*'()]*"#, $0) ? nil : "invalid urlencoded string: \($0)\n"
    }

    static let node = PVEFormat.verifier {
        PVESchema.matches(#"(?i:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)"#, $0)
            ? nil : "value does not look like a valid node name\n"
    }

    static let vmid = PVEFormat.verifier {
        PVESchema.matches(#"[1-9][0-9]{2,8}"#, $0) ? nil : "value does not look like a valid VM ID\n"
    }

    static let storageID = PVEFormat.verifier {
        PVESchema.matches(#"(?i:[a-z][a-z0-9\-\_\.]*[a-z0-9])"#, $0)
            ? nil : "storage ID '\($0)' contains illegal characters\n"
    }

    static let poolID = PVEFormat.verifier {
        PVESchema.matches(#"[A-Za-z0-9_][A-Za-z0-9_\-/]*"#, $0) ? nil : "invalid pool ID '\($0)'\n"
    }

    static let volumeID = PVEFormat.verifier { volumeIDFailure($0) }

    /// Drive `file`: `none`, `cdrom`, an absolute path or a volume ID (new-disk syntax
    /// `STORAGE:SIZE` is a volume ID too).
    static let volumeIDOrQemuPath = PVEFormat.verifier { value in
        if value == "none" || value == "cdrom" || value.hasPrefix("/") { return nil }
        return volumeIDFailure(value)
    }

    static let ipv4 = PVEFormat.verifier { isIPv4($0) ? nil : "value does not look like a valid IPv4 address\n" }
    static let ipv6 = PVEFormat.verifier { isIPv6($0) ? nil : "value does not look like a valid IPv6 address\n" }

    static let ipv4Config = PVEFormat.verifier {
        ["dhcp", "manual"].contains($0) || isCIDRv4($0)
            ? nil : "value does not look like a valid ipv4 network configuration\n"
    }

    static let ipv6Config = PVEFormat.verifier {
        ["auto", "dhcp", "manual"].contains($0) || isCIDRv6($0)
            ? nil : "value does not look like a valid ipv6 network configuration\n"
    }

    static let addressList = PVEFormat.list {
        isIPv4($0) || isIPv6($0) || isDNSName($0) ? nil : "value does not look like a valid address: \($0)\n"
    }

    static let tagList = PVEFormat.list {
        PVESchema.matches(#"(?i:[a-z0-9_][a-z0-9_\-\+\.]*)"#, $0) ? nil : "invalid characters in tag\n"
    }

    static let configIDList = PVEFormat.list {
        PVESchema.matches(#"(?i:[a-z][a-z0-9_-]+)"#, $0) ? nil : "invalid configuration ID '\($0)'\n"
    }

    static let diskSize = PVEFormat.verifier {
        PVESchema.matches(#"\d+(\.\d+)?[KMGT]?"#, $0) ? nil : "value does not look like a valid disk size: \($0)\n"
    }

    static func volumeIDFailure(_ value: String) -> String? {
        PVESchema.matches(#"(?i:[a-z][a-z0-9_-]+):(.+)"#, value) ? nil : "unable to parse volume ID '\(value)'\n"
    }

    static func isDNSName(_ s: String) -> Bool {
        PVESchema.matches(
            #"(([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)"#, s)
    }

    static func isIPv4(_ s: String) -> Bool { parseIPv4(s) != nil }

    static func parseIPv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let v = Int(part), v <= 255 else {
                return nil
            }
            out.append(UInt8(v))
        }
        return out
    }

    static func isIPv6(_ s: String) -> Bool {
        guard !s.isEmpty, s.contains(":"), s.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
            return false
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for half in halves where !half.isEmpty {
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if piece.contains(".") {
                    guard i == pieces.count - 1, isIPv4(String(piece)) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(piece.count) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups < 8 : groups == 8
    }

    static func isCIDRv4(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isIPv4(String(parts[0])), let p = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit),
            (1...32).contains(p)
        else { return false }
        return true
    }

    static func isCIDRv6(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isIPv6(String(parts[0])), let p = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit),
            (1...128).contains(p)
        else { return false }
        return true
    }
}
