import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import Synchronization

/// Runs .hls code in-process as the binary runs a script: the command registry, `environment`
/// and `options`, output collected, and the run's services (SSH pool, API clients) closed at the
/// end as `Session.close` does. `cancellation` is the run's Ctrl-C; `watch` sees the output as
/// it is written.
/// `file` (with `arguments` as `$args`) runs as `hlsh FILE ARGS` runs it: named by its path, which
/// keys its `--resume` journal.
func runInProcess(
    _ code: String, file: String? = nil, arguments: [String] = [], environment: [String: String],
    options: RunOptions = RunOptions(), cancellation: Cancellation = Cancellation(),
    stderrTerminal: Terminal = .plain, watch: (@Sendable (String) -> Void)? = nil
) -> (status: Int32, out: String, err: String) {
    let out = Mutex("")
    let err = Mutex("")
    let context = ExecutionContext(
        options: options, environment: environment, cancellation: cancellation, stderrTerminal: stderrTerminal,
        out: { t in
            out.withLock { $0 += t }
            watch?(t)
        }, err: { t in err.withLock { $0 += t } })
    let runner = ScriptRunner(interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
    let status = runner.run(SourceFile(name: file ?? "test.hls", text: code), arguments: arguments, scriptPath: file)
    context.closeServices()
    return (status, out.withLock { $0 }, err.withLock { $0 })
}

/// The repository this test file is in.
let repositoryPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Runs a script of the repository (`scripts/…`, or an absolute path) in-process as
/// `hlsh FILE ARGUMENTS` runs it; its path keys the `--resume` journal.
func runScriptInProcess(
    _ path: String, arguments: [String], environment: [String: String], options: RunOptions = RunOptions()
) -> (status: Int32, out: String, err: String) {
    let file = path.hasPrefix("/") ? path : repositoryPath + "/" + path
    guard let code = try? String(contentsOfFile: file, encoding: .utf8) else { return (2, "", "cannot read \(file)") }
    return runInProcess(code, file: file, arguments: arguments, environment: environment, options: options)
}
