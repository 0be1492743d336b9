/// Bech32 as BIP 173 defines it (checksum constant 1, not Bech32m), which age uses for its keys:
/// `age1…` recipients and `AGE-SECRET-KEY-1…` identities. No length limit, as age has none.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    /// `hrp` + `1` + `data` in 5-bit groups + checksum, in lower case.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrp = hrp.lowercased()
        let values = regroup(data, from: 8, to: 5, pad: true) ?? []
        let polymod = self.polymod(expand(hrp) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((polymod >> (5 * (5 - UInt32($0)))) & 31) }
        return hrp + "1" + String((values + checksum).map { alphabet[Int($0)] })
    }

    /// The human-readable part (lower-cased) and the data of a Bech32 string; nil when it is not
    /// one: mixed case, a character outside the alphabet, a bad checksum, or bad padding.
    static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
        guard text == text.lowercased() || text == text.uppercased() else { return nil }
        let lower = Array(text.lowercased())
        guard let separator = lower.lastIndex(of: "1"), separator >= 1, lower.count - separator - 1 >= 6 else {
            return nil
        }
        let hrp = String(lower[..<separator])
        guard hrp.unicodeScalars.allSatisfy({ (33...126).contains($0.value) }) else { return nil }
        var values: [UInt8] = []
        for character in lower[(separator + 1)...] {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            values.append(UInt8(index))
        }
        guard polymod(expand(hrp) + values) == 1 else { return nil }
        guard let data = regroup(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else { return nil }
        return (hrp, data)
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for (bit, g) in generator.enumerated() where (top >> bit) & 1 == 1 { checksum ^= g }
        }
        return checksum
    }

    private static func expand(_ hrp: String) -> [UInt8] {
        let bytes = Array(hrp.utf8)
        return bytes.map { $0 >> 5 } + [0] + bytes.map { $0 & 31 }
    }

    /// Regroups bits from `from`-bit to `to`-bit values. Without `pad`, leftover bits must be fewer
    /// than `from` and all zero (BIP 173's rule); nil otherwise.
    private static func regroup(_ values: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var out: [UInt8] = []
        let mask = (1 << to) - 1
        for value in values {
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> bits) & mask))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << (to - bits)) & mask)) }
        } else if bits >= from || (accumulator << (to - bits)) & mask != 0 {
            return nil
        }
        return out
    }
}
