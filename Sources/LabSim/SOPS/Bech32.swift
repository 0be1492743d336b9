/// Bech32 as BIP 173 defines it (checksum constant 1, not Bech32m), the encoding of age's keys:
/// no length cap, one case throughout, canonical 5→8-bit regrouping.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// The human-readable part (as written) and the data bytes of `text`, or nil when it is not
    /// valid Bech32: mixed case, a bad checksum, a character outside the alphabet, or padding
    /// that is five bits or more or not zero.
    static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
        let lower = text.lowercased()
        guard lower == text || text.uppercased() == text else { return nil }
        let bytes = Array(lower.utf8)
        guard let separator = bytes.lastIndex(of: UInt8(ascii: "1")), separator > 0,
            bytes.count - separator - 1 >= 6,
            bytes.allSatisfy({ $0 >= 33 && $0 <= 126 })
        else { return nil }
        let hrp = Array(bytes[..<separator])
        var values: [UInt8] = []
        for c in bytes[(separator + 1)...] {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        guard polymod(hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } + values) == 1 else { return nil }
        guard let data = regroup(values.dropLast(6)) else { return nil }
        return (String(text.prefix(separator)), data)
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    /// 5-bit groups to bytes; nil when the leftover padding is not canonical.
    private static func regroup(_ values: ArraySlice<UInt8>) -> [UInt8]? {
        var acc: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        for v in values {
            acc = acc << 5 | UInt32(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xff))
            }
        }
        guard bits < 5, acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
