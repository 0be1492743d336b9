/// Bytes as hexadecimal text: digests, MAC addresses, percent-escapes.
public enum Hex {
    public static func encode(_ bytes: [UInt8], uppercase: Bool = false, separator: String = "") -> String {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        return bytes.map { String(decoding: [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]], as: UTF8.self) }
            .joined(separator: separator)
    }
}
