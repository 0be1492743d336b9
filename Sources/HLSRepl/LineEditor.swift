internal import CLibEdit
import Foundation
public import HLSCore

/// libedit behind a small Swift surface: a prompt, one line at a time, history.
///
/// libedit's own signal handling is off (`EL_SIGNAL` 0): hlsh's SIGINT handler only sets a
/// flag, `el_gets` returns with EINTR, and `readLine()` reports `.interrupted`.
/// Not thread-safe: an `EditLine*` stays on the thread that made it.
public final class LineEditor {
    public enum Input: Equatable, Sendable {
        case line(String)
        case interrupted
        case endOfInput
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let input: UnsafeMutablePointer<FILE>
    private let output: UnsafeMutablePointer<FILE>
    private var promptBuffer: UnsafeMutablePointer<CChar>
    private let historyFile: String?
    private let inputIsTerminal: Bool

    /// - Parameters:
    ///   - input, output: file descriptors to edit on (duplicated; the originals stay open).
    ///   - historyFile: loaded now, written by `saveHistory()`, mode 0600.
    public init(
        program: String, input inputFD: Int32 = 0, output outputFD: Int32 = 1, historyFile: String? = nil,
        historySize: Int = 5000
    ) throws(HLSError) {
        if setlocale(LC_CTYPE, "") == nil { setlocale(LC_CTYPE, "C.UTF-8") }
        guard let inFile = fdopen(dup(inputFD), "r"), let outFile = fdopen(dup(outputFD), "w") else {
            throw HLSError(.failed, "cannot open the terminal for line editing: \(String(cString: strerror(errno)))")
        }
        guard let el = el_init(program, inFile, outFile, outFile) else {
            fclose(inFile)
            fclose(outFile)
            throw HLSError(.failed, "libedit could not start (el_init failed)")
        }
        guard let h = history_init() else {
            el_end(el)
            fclose(inFile)
            fclose(outFile)
            throw HLSError(.failed, "libedit could not start its history (history_init failed)")
        }
        editLine = el
        history = h
        input = inFile
        output = outFile
        promptBuffer = strdup("> ")!
        self.historyFile = historyFile
        inputIsTerminal = isatty(inputFD) == 1

        _ = hlsh_history_setsize(h, Int32(historySize))
        _ = hlsh_history_setunique(h, 1)
        _ = hlsh_el_set_history(el, h)
        _ = hlsh_el_set_signal(el, 0)
        _ = hlsh_el_set_editor(el, "emacs")
        _ = hlsh_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = hlsh_el_set_prompt(el) { el in
            guard let el, let data = hlsh_el_get_clientdata(el) else { return nil }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptBuffer
        }
        _ = hlsh_el_bind(el, "^R", "em-inc-search-prev")
        el_source(el, nil)  // ~/.editrc
        if let historyFile { _ = hlsh_history_load(h, historyFile) }
    }

    /// The text shown before the cursor.
    public var prompt: String {
        get { String(cString: promptBuffer) }
        set {
            free(promptBuffer)
            promptBuffer = strdup(newValue)!
        }
    }

    /// Whether libedit is editing (false when the input is not a terminal).
    public var isEditing: Bool { inputIsTerminal && hlsh_el_get_editmode(editLine) != 0 }

    /// Reads one line, without its newline.
    public func readLine() -> Input {
        var count: Int32 = 0
        errno = 0
        guard let raw = el_gets(editLine, &count) else {
            if Interrupts.take() || errno == EINTR { return .interrupted }
            return .endOfInput
        }
        if count < 0 {
            return Interrupts.take() ? .interrupted : .endOfInput
        }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    public func addHistory(_ line: String) {
        _ = hlsh_history_enter(history, line)
    }

    /// History entries, oldest first.
    public var historyEntries: [String] {
        var event = HistEvent()
        var entries: [String] = []
        var current = hlsh_history_first(history, &event)
        while let c = current {
            entries.append(String(cString: c))
            current = hlsh_history_next(history, &event)
        }
        return entries
    }

    /// Writes the history file with mode 0600 (creating its directory).
    public func saveHistory() {
        guard let historyFile else { return }
        let dir = (historyFile as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(historyFile, O_WRONLY | O_CREAT, 0o600)
        if fd >= 0 { close(fd) }
        chmod(historyFile, 0o600)
        _ = hlsh_history_save(history, historyFile)
        chmod(historyFile, 0o600)
    }

    deinit {
        el_end(editLine)
        history_end(history)
        fclose(input)
        fclose(output)
        free(promptBuffer)
    }
}
