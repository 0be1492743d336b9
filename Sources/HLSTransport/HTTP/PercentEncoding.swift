/// Percent-encoding for query strings, form bodies and path segments, as the API clients send
/// them (Proxmox's forms, Kubernetes' selectors).
///
/// Every byte outside the unreserved set (`A–Z a–z 0–9 - . _ ~`) is percent-encoded with
/// uppercase hex, spaces as `%20` (never `+`, which some decoders keep as a plus), so the wire
/// form does not depend on the server's choice of decoder.
public enum PercentEncoding {
    /// `key=value&key=value`, in the given order.
    public static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// `text` with every byte outside the unreserved set, and outside `keeping`, as `%XX`.
    public static func encode(_ text: String, keeping: Set<UInt8> = []) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || keeping.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(hexDigit(byte >> 4))
                out.unicodeScalars.append(hexDigit(byte & 0x0F))
            }
        }
        return out
    }

    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10)
    }
}
