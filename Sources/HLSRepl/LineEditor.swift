internal import CLibEdit
public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// What characters are read from: the terminal opened again non-blocking (its own open file
    /// description, so the shell's stays as it is), else the input itself.
    private let readDescriptor: Int32
    private let ownsReadDescriptor: Bool

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
        let terminal =
            inputIsTerminal ? ttyname(inputFD).map { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) } : nil
        ownsReadDescriptor = (terminal ?? -1) >= 0
        readDescriptor = ownsReadDescriptor ? terminal! : fileno(inFile)

        _ = hlsh_history_setsize(h, Int32(historySize))
        _ = hlsh_history_setunique(h, 1)
        _ = hlsh_el_set_history(el, h)
        _ = hlsh_el_set_signal(el, 0)
        _ = hlsh_el_set_editor(el, "emacs")
        _ = hlsh_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        // Every character through hlsh's read, which also sees a Ctrl-C that lands while libedit
        // is busy between two reads (libedit's own read would sleep through it until a key).
        _ = hlsh_el_set_getcfn(el) { el, character in
            guard let el, let character, let data = hlsh_el_get_clientdata(el) else { return -1 }
            let editor = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
            return Interrupts.readCharacter(from: editor.readDescriptor, into: character)
        }
        _ = hlsh_el_set_prompt(
            el,
            { el in
                guard let el, let data = hlsh_el_get_clientdata(el) else { return nil }
                return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptBuffer
            }, CChar(LineEditor.invisible.asciiValue!))
        _ = hlsh_el_bind(el, "^R", "em-inc-search-prev")
        _ = hlsh_el_addfn(el, "hlsh-complete", "complete the word under the cursor") { el, _ in
            guard let el, let data = hlsh_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().completeAtCursor()
        }
        _ = hlsh_el_bind(el, "^I", "hlsh-complete")
        el_source(el, nil)  // ~/.editrc
        if let historyFile { _ = hlsh_history_load(h, historyFile) }
    }

    /// Called on Tab with the line and the cursor's character offset.
    public var completer: ((String, Int) -> Completion)?

    /// Brackets bytes of the prompt that take no room on the screen (escape sequences): without
    /// it libedit prints an escape's ESC as nothing and the rest as text.
    public static let invisible: Character = "\u{1}"

    /// The text shown before the cursor; escape sequences in it must be bracketed by `invisible`
    /// (`LineEditor.invisibly`).
    public var prompt: String {
        get { String(cString: promptBuffer) }
        set {
            free(promptBuffer)
            promptBuffer = strdup(newValue)!
        }
    }

    /// `text` (escape sequences) marked as taking no room in the prompt.
    public static func invisibly(_ text: String) -> String { "\(invisible)\(text)\(invisible)" }

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

    /// Tab: one candidate replaces the word; several extend it by their common prefix, or are
    /// listed below the prompt when there is nothing to add.
    private func completeAtCursor() -> UInt8 {
        guard let completer, let info = el_line(editLine)?.pointee, let start = info.buffer else {
            return UInt8(CC_REFRESH_BEEP)
        }
        let before = String(decoding: UnsafeRawBufferPointer(start: start, count: info.cursor - start), as: UTF8.self)
        let whole = String(decoding: UnsafeRawBufferPointer(start: start, count: info.lastchar - start), as: UTF8.self)
        let completion = completer(whole, before.count)
        let word = completion.word
        switch completion.candidates.count {
        case 0:
            return UInt8(CC_REFRESH_BEEP)
        case 1:
            let only = completion.candidates[0]
            replaceWord(word.count, with: only.text + (only.isFinal ? " " : ""))
            return UInt8(CC_REFRESH)
        default:
            let common = completion.commonPrefix
            if common.count > word.count {
                replaceWord(word.count, with: common)
                return UInt8(CC_REFRESH)
            }
            var listing = "\n"
            let width = completion.candidates.map(\.text.count).max() ?? 0
            for c in completion.candidates {
                let padded = c.text + String(repeating: " ", count: max(0, width - c.text.count))
                listing += c.detail.map { padded + "  " + $0 } ?? c.text
                listing += "\n"
            }
            fputs(listing, output)
            fflush(output)
            return UInt8(CC_REDISPLAY)
        }
    }

    private func replaceWord(_ length: Int, with text: String) {
        if length > 0 { el_deletestr(editLine, Int32(length)) }
        _ = el_insertstr(editLine, text)
    }

    /// The newest entry when it is `transient`: recalled by Up, never saved.
    private var transient: String?

    /// Adds `line` to the history. A `transient` line (one carrying a secret) is recalled by Up
    /// only until the next line is added, and no save writes it — as zsh keeps a
    /// HIST_IGNORE_SPACE line and fish a line that starts with a space.
    public func addHistory(_ line: String, transient: Bool = false) {
        if let pending = self.transient {
            self.transient = nil
            removeNewest(if: pending)
        }
        _ = hlsh_history_enter(history, line)
        if transient { self.transient = line }
    }

    /// Takes out every entry `matches` picks (lines an older hlsh saved though they carry a
    /// secret); the next save rewrites the file without them.
    public func removeHistory(where matches: (String) -> Bool) {
        let entries = historyEntries
        guard entries.contains(where: matches) else { return }
        replaceHistory(with: entries.filter { !matches($0) })
    }

    /// Drops the newest entry when it is `line`; whether it did.
    @discardableResult
    private func removeNewest(if line: String) -> Bool {
        var entries = historyEntries
        guard entries.last == line else { return false }
        entries.removeLast()
        replaceHistory(with: entries)
        return true
    }

    /// libedit's history has no "delete this entry" that survives its cursor: clear and refill.
    private func replaceHistory(with entries: [String]) {
        _ = hlsh_history_clear(history)
        for entry in entries { _ = hlsh_history_enter(history, entry) }
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

    /// Writes the history file with mode 0600 (creating its directory), without a transient
    /// entry.
    public func saveHistory() {
        guard let historyFile else { return }
        guard let pending = transient, removeNewest(if: pending) else { return saveHistoryFile(historyFile) }
        saveHistoryFile(historyFile)
        _ = hlsh_history_enter(history, pending)
    }

    private func saveHistoryFile(_ historyFile: String) {
        let dir = FilePaths.directory(of: historyFile)
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
        if ownsReadDescriptor { close(readDescriptor) }
        fclose(output)
        free(promptBuffer)
    }
}
