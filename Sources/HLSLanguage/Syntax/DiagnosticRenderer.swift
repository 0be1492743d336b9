public import HLSCore

/// Prints errors the way compilers do: `file:line:col: error: message`, the source line,
/// a caret under the column, then the cause and hint; an error's `others` follow it the same
/// way, then how many there were.
public enum DiagnosticRenderer {
    public static func render(_ error: HLSError, source: (String) -> SourceFile?, color: Bool) -> String {
        guard !error.others.isEmpty else { return renderOne(error, source: source, color: color) }
        let all = [error] + error.others
        return all.map { renderOne($0, source: source, color: color) }.joined() + "\(all.count) errors\n"
    }

    private static func renderOne(_ error: HLSError, source: (String) -> SourceFile?, color: Bool) -> String {
        let red = color ? "\u{1B}[1;31m" : ""
        let bold = color ? "\u{1B}[1m" : ""
        let cyan = color ? "\u{1B}[36m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var out = ""
        if let place = error.place { out += "\(bold)\(place):\(reset) " }
        out += "\(red)error:\(reset) \(bold)\(error.message)\(reset)\n"
        if case .source(let loc)? = error.place, let file = source(loc.file), let line = file.line(loc.line) {
            let shown = line.replacingTabs
            let prefix = String(shown.prefix(max(0, loc.column - 1)))
            let gutter = "    "
            out += gutter + shown + "\n"
            out += gutter + String(repeating: " ", count: Render.displayWidth(prefix)) + "\(red)^\(reset)\n"
        }
        if let cause = error.cause { out += "  cause: \(cause)\n" }
        if let hint = error.hint { out += "  \(cyan)hint:\(reset) \(hint)\n" }
        return out
    }
}

extension String {
    fileprivate var replacingTabs: String {
        contains("\t") ? String(map { $0 == "\t" ? " " : $0 }) : self
    }
}
