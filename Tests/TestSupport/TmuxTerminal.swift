import Foundation

/// A real terminal for driving the interactive shell: a private tmux server (its own socket),
/// one window running a command, `send-keys` to type and `capture-pane` to read the screen.
public final class TmuxTerminal: @unchecked Sendable {
    public let socket: String
    private static let counter = NSLock()
    nonisolated(unsafe) private static var next = 0

    /// Starts `command` (with `environment` added) in a fresh terminal of `columns`×40.
    public init(command: [String], environment: [String: String], directory: String? = nil, columns: Int = 120)
        throws
    {
        TmuxTerminal.counter.lock()
        TmuxTerminal.next += 1
        socket = "hlsh-test-\(getpid())-\(TmuxTerminal.next)"
        TmuxTerminal.counter.unlock()
        var shell = environment.map { "\($0.key)=\(TmuxTerminal.quote($0.value))" }.sorted().joined(separator: " ")
        shell = "env \(shell) " + command.map(TmuxTerminal.quote).joined(separator: " ")
        var args = ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(columns)", "-y", "40"]
        if let directory { args += ["-c", directory] }
        // Keep the pane after the program exits, so a failure shows what it printed.
        args += [shell, ";", "set-option", "remain-on-exit", "on"]
        // The tmux server outlives this call, so Foundation's Process would wait on it forever.
        let result = try spawnAndWait("/usr/bin/tmux", args)
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.stderr)") }
    }

    /// Types literal text (no key names interpreted; `--` so text such as `-n apps` is not
    /// read as tmux's own flags).
    public func type(_ text: String) throws {
        _ = try spawnAndWait("/usr/bin/tmux", ["-L", socket, "send-keys", "-l", "--", text])
    }

    /// Presses keys by tmux name: `Enter`, `Tab`, `Up`, `C-c`, `C-d`.
    public func press(_ keys: String...) throws {
        _ = try spawnAndWait("/usr/bin/tmux", ["-L", socket, "send-keys"] + keys)
    }

    /// The visible screen's text; with `escapes`, its colours and attributes as escape sequences
    /// (`capture-pane -e`), so text the program meant as an escape shows apart from printed text.
    public func screen(escapes: Bool = false) -> String {
        let args = ["-L", socket, "capture-pane", "-p"] + (escapes ? ["-e"] : ["-J"])
        return (try? spawnAndWait("/usr/bin/tmux", args).stdout) ?? ""
    }

    /// The process id of the program in the window.
    public var pid: Int32? {
        let r = try? spawnAndWait("/usr/bin/tmux", ["-L", socket, "display-message", "-p", "#{pane_pid}"])
        return r.flatMap { Int32($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Ends the terminal as closing its window does (tmux sends SIGHUP to the program), and
    /// waits up to 10 s for the program to end, so nothing it does afterwards outlives the test.
    public func close() {
        let program = pid
        _ = try? spawnAndWait("/usr/bin/tmux", ["-L", socket, "kill-server"])
        guard let program else { return }
        let deadline = Date().addingTimeInterval(10)
        while TmuxTerminal.isAlive(program) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Whether `pid` runs (a zombie waiting for init to reap it has ended).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].first { $0 != " " } != "Z"
    }

    /// Waits until `predicate` holds for the screen; returns the screen and how long it took.
    @discardableResult
    public func waitFor(
        timeout: TimeInterval = 10, _ what: String, _ predicate: (String) -> Bool
    ) throws -> (screen: String, elapsed: TimeInterval) {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            let s = screen()
            if predicate(s) { return (s, Date().timeIntervalSince(start)) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxError(message: "timed out waiting for \(what); screen:\n\(screen())")
    }

    /// Whether the program in the window has exited.
    public var exited: Bool {
        let r = try? spawnAndWait("/usr/bin/tmux", ["-L", socket, "display-message", "-p", "#{pane_dead}"])
        return r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    deinit { close() }

    static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
