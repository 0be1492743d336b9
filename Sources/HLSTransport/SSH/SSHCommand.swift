/// A command for the remote login shell. A `.plain` one is sent as the exec request, as `ssh`
/// sends it (sshd runs it as `$SHELL -c COMMAND`, so it shows in `ps` on the host). A `.secret`
/// one must show on no command line: the exec request is a fixed reader that takes the text
/// from the first line of stdin and `eval`s it in the same shell (`read`, `printf` and `eval`
/// are builtins, so no process gets it as an argument unless the text itself passes it on).
/// The line is the text with `\`, control characters and DEL as `printf %b` escapes, so it is
/// one line of printable bytes whatever it holds, and the bytes after it are the command's own
/// stdin.
public enum SSHCommand: Sendable, Hashable {
    case plain(String)
    case secret(String)

    /// The exec request. On a pseudo-terminal, the reader gets its line with echo and line
    /// editing off (`terminalModes`) and turns them back on before the command runs.
    func execText(onTerminal: Bool) -> String {
        switch self {
        case .plain(let text): return text
        case .secret:
            let run = #"eval "$(printf '%b' "$hlsh_command")""#
            return onTerminal
                ? #"IFS= read -r hlsh_command; stty icanon echo 2>/dev/null; "# + run
                : #"IFS= read -r hlsh_command && "# + run
        }
    }

    /// The bytes sent before the caller's stdin: the escaped line of a `.secret`, nothing else.
    var preamble: [UInt8] {
        guard case .secret(let text) = self else { return [] }
        var line: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\\") {
                line += Array(#"\\"#.utf8)
            } else if byte < 0x20 || byte == 0x7F {
                let octal = String(byte, radix: 8)
                line += Array(("\\0" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            } else {
                line.append(byte)
            }
        }
        return line + [UInt8(ascii: "\n")]
    }

    /// RFC 4254 terminal modes for the pseudo-terminal: none for a `.plain` command; for a
    /// `.secret` one, ICANON (51) and ECHO (53) off, so its line is neither echoed back nor cut
    /// at the line discipline's length limit.
    var terminalModes: [UInt8] {
        guard case .secret = self else { return [] }
        return [51, 0, 0, 0, 0, 53, 0, 0, 0, 0, 0]
    }
}
