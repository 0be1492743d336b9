/// Text made safe for roff text lines (man(7)): `-` is `\-` (an ASCII hyphen-minus, so options
/// can be searched and copied), `\` is `\e`, a line that would start with `.` or `'` (a request)
/// starts with `\&`, and every character beyond ASCII is `\[uXXXX]` (groff reads its input as
/// Latin-1 unless told otherwise).
enum Roff {
    static func text(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var out = line.first == "." || line.first == "'" ? "\\&" : ""
            for scalar in line.unicodeScalars {
                switch scalar {
                case "-": out += "\\-"
                case "\\": out += "\\e"
                case _ where scalar.value > 0x7E:
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }.joined(separator: "\n")
    }

    /// `s` in bold, as a `.TP` tag or a synopsis line.
    static func bold(_ s: String) -> String { "\\fB" + text(s) + "\\fR" }
}
