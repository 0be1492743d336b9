/// Whether typed text is a complete statement yet, or needs more lines: an open `{ ( [`,
/// an open quote, a trailing `\` or `|`. The REPL shows a continuation prompt until it is.
public enum Completeness {
    public static func needsMore(_ text: String) -> Bool {
        var depth = 0
        var quote: UInt8? = nil
        var escaped = false
        var comment = false
        var lastSignificant: UInt8? = nil
        for c in text.utf8 {
            if comment {
                if c == 10 { comment = false }
                continue
            }
            if let q = quote {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == q {
                    quote = nil
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
            case UInt8(ascii: "#"): comment = true
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            if c != 32 && c != 9 && c != 10 && c != 13 { lastSignificant = c }
        }
        if quote != nil || depth > 0 { return true }
        var trimmed = Substring(text)
        while let l = trimmed.last, l == "\n" || l == " " || l == "\t" || l == "\r" { trimmed.removeLast() }
        if trimmed.hasSuffix("\\") { return true }
        return lastSignificant == UInt8(ascii: "|")
    }
}
