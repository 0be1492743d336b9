public import HLSCore

/// Prints errors the way compilers do: `file:line:col: error: message`, the source line,
/// a caret under the column, then the cause and hint; an error's `others` follow it the same
/// way, then how many there were. A secret in any of it (a token pasted as a command, echoed in
/// a message) shows as `***` (`SecretShapes`).
public enum DiagnosticRenderer {
    public static func render(_ error: HLSError, source: (String) -> SourceFile?, color: Bool) -> String {
        var lines = SourceLines()
        guard !error.others.isEmpty else { return renderOne(error, source: source, lines: &lines, color: color) }
        let all = [error] + error.others
        return all.map { renderOne($0, source: source, lines: &lines, color: color) }.joined()
            + "\(all.count) errors\n"
    }

    /// The lines of the files the errors point into, each file split once: looking each error's
    /// line up from the start of its file made `hlsh -n` quadratic in the number of errors (a
    /// 4,000-line file with an error on each line spent most of its time there; issue 17's fuzzing).
    private struct SourceLines {
        var split: [String: [ArraySlice<UInt8>]?] = [:]

        mutating func line(_ n: Int, of file: String, source: (String) -> SourceFile?) -> String? {
            if split[file] == nil { split[file] = .some(source(file)?.lines()) }
            guard let lines = split[file] ?? nil, n >= 1, n <= lines.count else { return nil }
            return String(decoding: lines[n - 1], as: UTF8.self)
        }
    }

    private static func renderOne(
        _ error: HLSError, source: (String) -> SourceFile?, lines: inout SourceLines, color: Bool
    ) -> String {
        let red = color ? "\u{1B}[1;31m" : ""
        let bold = color ? "\u{1B}[1m" : ""
        let cyan = color ? "\u{1B}[36m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var out = ""
        if let place = error.place { out += "\(bold)\(place):\(reset) " }
        out += "\(red)error:\(reset) \(bold)\(SecretShapes.masked(error.message))\(reset)\n"
        if case .source(let loc)? = error.place, let line = lines.line(loc.line, of: loc.file, source: source) {
            let unmasked = line.replacingTabs
            let shown = SecretShapes.masked(unmasked)
            // The caret under the same place of the masked line (a prefix that cuts a secret in
            // two is masked as far as it still looks like one).
            let prefix = String(
                SecretShapes.masked(String(unmasked.prefix(max(0, loc.column - 1)))).prefix(shown.count))
            let gutter = "    "
            out += gutter + shown + "\n"
            out += gutter + String(repeating: " ", count: Render.displayWidth(prefix)) + "\(red)^\(reset)\n"
        }
        if let cause = error.cause { out += "  cause: \(SecretShapes.masked(cause))\n" }
        if let hint = error.hint { out += "  \(cyan)hint:\(reset) \(SecretShapes.masked(hint))\n" }
        return out
    }
}

extension String {
    fileprivate var replacingTabs: String {
        contains("\t") ? String(map { $0 == "\t" ? " " : $0 }) : self
    }
}
