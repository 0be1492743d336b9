/// The colours hlsh writes to a terminal, as SGR codes; `paint` applies one only when the
/// terminal wants colour (`Terminal.color`: FORCE_COLOR, NO_COLOR, TERM=dumb, isatty).
public enum TerminalColor: String, Sendable, CaseIterable {
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
    /// Table headers and record labels.
    case header = "1;32"

    /// `text` in this colour on `terminal`, else as it is (an empty text stays empty).
    public func paint(_ text: String, on terminal: Terminal) -> String {
        guard terminal.color, !text.isEmpty else { return text }
        return "\u{1B}[\(rawValue)m" + text + "\u{1B}[0m"
    }
}
