public import HLSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A terminal's size in character cells.
public struct SSHTerminalSize: Sendable, Hashable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

/// The local terminal side of `node ssh`: its size and raw mode.
public enum SSHLocalTerminal {
    /// The size of the terminal on `fd` (`TIOCGWINSZ`), nil when `fd` is not a terminal.
    public static func size(of fd: Int32) -> SSHTerminalSize? {
        var size = winsize()
        let rc = withUnsafeMutablePointer(to: &size) { ioctl(fd, UInt(TIOCGWINSZ), $0) }
        guard rc == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return SSHTerminalSize(columns: Int(size.ws_col), rows: Int(size.ws_row))
    }

    /// Runs `body` with the terminal on `fd` in raw mode (no echo, no line editing, no signals
    /// from Ctrl-C: every key goes to the remote side), restoring the previous mode however
    /// `body` ends. When `fd` is not a terminal, just runs `body`.
    public static func withRawMode<Result>(_ fd: Int32, _ body: () throws(HLSError) -> Result) throws(HLSError)
        -> Result
    {
        var saved = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &saved) == 0 else { return try body() }
        var raw = saved
        cfmakeraw(&raw)
        _ = tcsetattr(fd, TCSADRAIN, &raw)
        defer { _ = tcsetattr(fd, TCSADRAIN, &saved) }
        return try body()
    }
}
