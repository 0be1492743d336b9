#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What hlsh may assume about a terminal stream: whether it is one, its width, and whether
/// colour is wanted (FORCE_COLOR → NO_COLOR (non-empty) → TERM=dumb → isatty, as nushell does).
public struct Terminal: Sendable, Hashable {
    public var isTTY: Bool
    public var color: Bool
    /// Columns, when known (a terminal, or `COLUMNS`); nil means "do not wrap".
    public var width: Int?

    public init(isTTY: Bool, color: Bool, width: Int?) {
        self.isTTY = isTTY
        self.color = color
        self.width = width
    }

    /// The variables `detect` reads, from the process environment: all that a run which only
    /// prints diagnostics (`hlsh -n`) needs of it, without reading the whole environment into a
    /// dictionary (a fifth of that run's start-up instructions).
    public static var environmentVariables: [String: String] {
        var found: [String: String] = [:]
        for name in ["COLUMNS", "FORCE_COLOR", "NO_COLOR", "TERM"] {
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        return found
    }

    /// Describes file descriptor `fd` under `environment`.
    public static func detect(fd: Int32, environment: [String: String]) -> Terminal {
        let tty = isatty(fd) == 1
        var width = tty ? columns(of: fd) : nil
        if width == nil, let cols = environment["COLUMNS"].flatMap(Int.init), cols > 0 { width = cols }
        return Terminal(isTTY: tty, color: colorWanted(isTTY: tty, environment: environment), width: width)
    }

    /// The columns of the terminal on `fd` now (it changes when the window is resized), nil when
    /// `fd` is not a terminal.
    public static func columns(of fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The colour decision alone, so tests can pin its order of precedence.
    public static func colorWanted(isTTY: Bool, environment: [String: String]) -> Bool {
        if let force = environment["FORCE_COLOR"], !force.isEmpty {
            return !["0", "false", "no"].contains(force.lowercased())
        }
        if let no = environment["NO_COLOR"], !no.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTTY
    }

    public static let plain = Terminal(isTTY: false, color: false, width: nil)
}
