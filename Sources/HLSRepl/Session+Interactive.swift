import HLSCommands
import HLSCore
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Session {
    /// The interactive shell on a terminal: libedit editing, persistent history, Ctrl-C that
    /// clears the line or cancels the running command, Ctrl-D to leave.
    public func interactive() -> Int32 {
        let editor: LineEditor
        do {
            editor = try LineEditor(program: "hlsh", historyFile: context.statePaths.historyFile)
        } catch {
            return report(error)
        }
        // Lines an earlier hlsh wrote though they carry a secret: gone from memory now, and from
        // the file at the first save.
        editor.removeHistory { !HistoryFilter.mayRecord($0) }
        let completer = Completer(interpreter: interpreter)
        editor.completer = { line, cursor in completer.complete(line: line, cursor: cursor) }
        context.err("hlsh \(HLSVersion.string) — 'help' lists the commands, Tab completes, Ctrl-D leaves.\n")
        LabState.preload(context)
        var chunk = ""
        // A complete `if` or `try` that an `elif`, `else` or `catch` on the next line may still
        // continue: it runs once a line shows it does not (an empty line, another statement).
        var held = false
        var lastStatus = ExitStatus.ok.rawValue
        var entry = 0
        func run(_ text: String) -> Int32? {
            if text.trimmingWhitespace().isEmpty { return nil }
            entry += 1
            let (status, exited) = runEntry(text, name: "<repl:\(entry)>", editor: editor)
            lastStatus = status
            return exited ? status : nil
        }
        while true {
            // SIGTERM or SIGHUP: history is saved after every entry already.
            if let signal = Termination.signal { return 128 + signal }
            editor.prompt = held ? Prompt.awaitingClause : Prompt.text(context, continuation: !chunk.isEmpty)
            switch editor.readLine() {
            case .endOfInput:
                if Termination.signal != nil { continue }
                context.err("\n")
                if !chunk.isEmpty {
                    // Ctrl-D on a continuation line: drops an unfinished statement, runs a held one.
                    if held, let code = run(chunk) { return code }
                    chunk = ""
                    held = false
                    continue
                }
                editor.saveHistory()
                return lastStatus
            case .interrupted:
                chunk = ""
                held = false
                if Termination.signal == nil { context.err("^C\n") }
                continue
            case .line(let line):
                if held {
                    held = false
                    if !Completeness.continuesPrevious(line) {
                        if let code = run(chunk) { return code }
                        chunk = ""
                    }
                }
                chunk += line + "\n"
                if Completeness.needsMore(chunk) { continue }
                if awaitsClause(chunk) {
                    held = true
                    continue
                }
                let text = chunk
                chunk = ""
                if let code = run(text) { return code }
            }
        }
    }

    /// Parses and runs one entry of the shell; the status, and whether it was `exit`.
    private func runEntry(_ text: String, name: String, editor: LineEditor) -> (Int32, exited: Bool) {
        let source = SourceFile(name: name, text: text)
        let (program, diagnostics) = interpreter.parse(source)
        // A line that carries a secret is this session's only: Up recalls it to fix a typo until
        // the next line is entered; the file never holds it (HistoryFilter, ADR 0062).
        editor.addHistory(String(text.dropLast()), transient: !HistoryFilter.mayRecord(text))
        editor.saveHistory()
        guard diagnostics.isEmpty else {
            report(diagnostics)
            return (ExitStatus.usage.rawValue, false)
        }
        Interrupts.take()
        defer { Interrupts.take() }
        let failedChecks = context.failedChecks
        do {
            if case .exited(let code) = try interpreter.run(program) {
                editor.saveHistory()
                return (code, true)
            }
            // Checks that failed in this entry (`lab doctor`) make its status 1.
            return (context.failedChecks > failedChecks ? ExitStatus.failure.rawValue : ExitStatus.ok.rawValue, false)
        } catch {
            guard error.kind == .interrupted else { return (report(error), false) }
            if Termination.signal == nil {
                // The terminal echoed the ^C already (a progress line may have wiped it): once, in
                // front of the message.
                context.err(
                    (context.stderrTerminal.isTTY ? "\r\u{1B}[K" : "") + "^C \(SecretShapes.masked(error.message))\n")
            }
            return (ExitStatus.interrupted.rawValue, false)
        }
    }

    /// Whether `text` ends in an `if` or `try` that an `else` or `catch` could still continue:
    /// the parser accepts it with one added on the next line.
    func awaitsClause(_ text: String) -> Bool {
        guard Completeness.mayContinue(text) else { return false }
        let definitions = Set(interpreter.definitionNames)
        return ["else {}", "catch {}"].contains { clause in
            Parser.parse(
                SourceFile(name: "<probe>", text: text + clause + "\n"), registry: interpreter.registry,
                knownDefinitions: definitions
            ).1.isEmpty
        }
    }
}
