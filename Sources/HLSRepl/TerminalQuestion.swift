import HLSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The question `confirm` asks when standard input is a terminal: the prompt on standard error,
/// the answer one line of standard input. Ctrl-C while waiting interrupts the run.
enum TerminalQuestion {
    /// `ask` for an ExecutionContext: nil unless standard input is a terminal.
    static func asker(cancellation: Cancellation) -> (@Sendable (String) throws(HLSError) -> String?)? {
        guard isatty(0) == 1 else { return nil }
        return { prompt throws(HLSError) in
            StandardStreams.err(prompt)
            return try readLine(fd: 0, cancellation: cancellation)
        }
    }

    /// One line from `fd` without its newline; nil at the end of input before any character.
    static func readLine(fd: Int32, cancellation: Cancellation) throws(HLSError) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 {
                if byte == UInt8(ascii: "\n") { break }
                bytes.append(byte)
            } else if n == 0 {
                if bytes.isEmpty { return nil }
                break
            } else if errno == EINTR {
                // The SIGINT handler does not restart reads: a Ctrl-C lands here.
                try cancellation.check("confirm")
            } else {
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
