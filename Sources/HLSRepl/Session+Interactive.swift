import Foundation
import HLSCore
import HLSLanguage

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
        let completer = Completer(interpreter: interpreter)
        editor.completer = { line, cursor in completer.complete(line: line, cursor: cursor) }
        context.err("hlsh \(HLSVersion.string) — 'help' lists the commands, Tab completes, Ctrl-D leaves.\n")
        var chunk = ""
        var lastStatus = ExitStatus.ok.rawValue
        var entry = 0
        while true {
            editor.prompt = Prompt.text(context, continuation: !chunk.isEmpty)
            switch editor.readLine() {
            case .endOfInput:
                if !chunk.isEmpty {
                    chunk = ""
                    context.err("\n")
                    continue
                }
                context.err("\n")
                editor.saveHistory()
                return lastStatus
            case .interrupted:
                chunk = ""
                context.err("^C\n")
                continue
            case .line(let line):
                chunk += line + "\n"
                if Completeness.needsMore(chunk) { continue }
                let text = chunk
                chunk = ""
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                entry += 1
                let source = SourceFile(name: "<repl:\(entry)>", text: text)
                let (program, diagnostics) = interpreter.parse(source)
                if HistoryFilter.mayRecord(text) {
                    editor.addHistory(String(text.dropLast()))
                    editor.saveHistory()
                }
                guard diagnostics.isEmpty else {
                    report(diagnostics)
                    lastStatus = ExitStatus.usage.rawValue
                    continue
                }
                Interrupts.take()
                do {
                    if case .exited(let code) = try interpreter.run(program) {
                        editor.saveHistory()
                        return code
                    }
                    lastStatus = ExitStatus.ok.rawValue
                } catch {
                    if error.kind == .interrupted {
                        context.err("^C \(error.message)\n")
                        lastStatus = ExitStatus.interrupted.rawValue
                    } else {
                        lastStatus = report(error)
                    }
                }
                Interrupts.take()
            }
        }
    }
}

/// Which lines may be written to history: none that carries a secret.
public enum HistoryFilter {
    /// False for lines that build a secret from a literal or carry something that looks like a
    /// token or password (`PVEAPIToken=`, `password=`, `Bearer …`, `--token …`).
    public static func mayRecord(_ line: String) -> Bool {
        let lower = line.lowercased()
        let markers = [
            "pveapitoken=", "password", "passwd", "bearer ", "--token", "token=", "secret=", "authorization:",
            "api_token", "apitoken",
        ]
        if markers.contains(where: { lower.contains($0) }) { return false }
        // `secret "literal"` style: a secret whose text is typed on the line.
        if lower.range(of: #"secret\s+(literal|["'])"#, options: .regularExpression) != nil { return false }
        return true
    }
}
