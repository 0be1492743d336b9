import HLSCore

/// URL and form decoding the way pveproxy does it (`decode_urlencoded`, `uri_unescape`), which is
/// not quite what a browser does: pairs split on `&` *and* `;`, `+` becomes a space, `%XX` is
/// decoded byte-wise and the result read as UTF-8; a key given twice becomes a list.
enum FormDecoding {
    /// One decoded parameter: a key given once has one value; a key given twice has several.
    /// A bare `key` (no `=`) has no value at all, which PVE treats as "not given".
    struct Pair: Equatable {
        var key: String
        var value: String?
    }

    /// Splits and decodes `a=1&b=2;c=3` (a query string or a form body).
    static func decodePairs(_ text: String) -> [Pair] {
        guard !text.isEmpty else { return [] }
        var pairs: [Pair] = []
        for part in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "&" || $0 == ";" }) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Perl's split(/=/) keeps only the first two fields: "a=b=c" gives value "b".
            let key = formUnescape(String(pieces[0]))
            var value: String?
            if pieces.count > 1 {
                let raw = String(pieces[1])
                let firstField =
                    raw.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                    ?? raw
                value = formUnescape(firstField)
            }
            pairs.append(Pair(key: key, value: value))
        }
        return pairs
    }

    /// `+` → space, then `%XX` → byte; invalid UTF-8 is replaced, as Perl's decode does.
    static func formUnescape(_ s: String) -> String {
        percentDecode(s.replacingPlus())
    }

    /// `uri_unescape`: `%XX` → byte only (a `+` stays a `+`).
    static func percentDecode(_ s: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]),
                let lo = hexValue(bytes[i + 2])
            {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `uri_escape`: everything except `A-Za-z0-9-._~` becomes `%XX` (uppercase hex).
    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte], uppercase: true)
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    fileprivate func replacingPlus() -> String {
        String(unicodeScalars.map { $0 == "+" ? " " : Character($0) })
    }
}
