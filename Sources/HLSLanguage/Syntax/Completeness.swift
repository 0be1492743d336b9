/// Whether typed text is a complete statement yet, or needs more lines: an open `{ ( [`,
/// an open quote, a trailing `\` or `|`. The REPL shows a continuation prompt until it is.
public enum Completeness {
    public static func needsMore(_ text: String) -> Bool {
        let (depth, quote, lastSignificant) = scan(text)
        if quote != nil || depth > 0 { return true }
        var trimmed = Substring(text)
        while let l = trimmed.last, l == "\n" || l == " " || l == "\t" || l == "\r" { trimmed.removeLast() }
        if trimmed.hasSuffix("\\") { return true }
        return lastSignificant == UInt8(ascii: "|")
    }

    /// Whether a complete statement could still go on with an `elif`, `else` or `catch` on the
    /// next line (it ends with a `}`), so a reader of piped lines should look at that line first.
    public static func mayContinue(_ text: String) -> Bool {
        scan(text).lastSignificant == UInt8(ascii: "}")
    }

    /// Whether `line` carries on the statement before it: `elif …`, `else …`, `catch …`.
    public static func continuesPrevious(_ line: String) -> Bool {
        let word = line.drop { $0 == " " || $0 == "\t" }.prefix { $0 != " " && $0 != "\t" && $0 != "{" }
        return word == "elif" || word == "else" || word == "catch"
    }

    /// Bracket depth, the open quote (if any) and the last character outside comments.
    /// As in the lexer, `#` starts a comment only where a word could start (`a#b` is a word).
    private static func scan(_ text: String) -> (depth: Int, quote: UInt8?, lastSignificant: UInt8?) {
        var depth = 0
        var quote: UInt8? = nil
        var escaped = false
        var comment = false
        var lastSignificant: UInt8? = nil
        var previous: UInt8? = nil
        for c in text.utf8 {
            if comment {
                if c == 10 { comment = false }
                previous = c
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
                previous = c
                continue
            }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
            case UInt8(ascii: "#") where previous.map({ !isWordByte($0) }) ?? true:
                comment = true
                previous = c
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            if c != 32 && c != 9 && c != 10 && c != 13 { lastSignificant = c }
            previous = c
        }
        return (depth, quote, lastSignificant)
    }

    /// The lexer's word characters: anything but blanks, brackets, `,` `;` `|` and quotes.
    private static func isWordByte(_ c: UInt8) -> Bool {
        !" \t\r\n{}()[],;|\"'".utf8.contains(c)
    }
}
