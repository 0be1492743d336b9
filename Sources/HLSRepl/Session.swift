import Foundation
import HLSCore
public import HLSLanguage

/// One hlsh session: an interpreter with its context, and the ways to feed it (a script,
/// a stream of lines, the interactive shell). Turns every outcome into an exit status in one
/// place.
public final class Session {
    public let interpreter: Interpreter
    public let context: ExecutionContext
    let stderrColor: Bool

    public init(registry: Registry, options: RunOptions, environment: [String: String]) {
        Interrupts.install()
        let out = Terminal.detect(fd: 1, environment: environment)
        let err = Terminal.detect(fd: 2, environment: environment)
        stderrColor = err.color
        context = ExecutionContext(
            options: options, environment: environment, cancellation: .followingInterrupts(),
            stdoutTerminal: out, stderrTerminal: err, log: RunLog(path: options.logPath),
            out: { StandardStreams.out($0) }, err: { StandardStreams.err($0) })
        interpreter = Interpreter(registry: registry, context: context)
    }

    /// A session whose output goes to the given closures (tests, embedding).
    public init(registry: Registry, context: ExecutionContext) {
        self.context = context
        stderrColor = false
        interpreter = Interpreter(registry: registry, context: context)
    }

    /// `hlsh -n`: parse only; print every diagnostic; 0 when clean, 2 otherwise.
    public func check(_ source: SourceFile) -> Int32 {
        let (_, diagnostics) = interpreter.parse(source)
        report(diagnostics)
        return diagnostics.isEmpty ? ExitStatus.ok.rawValue : ExitStatus.usage.rawValue
    }

    /// Parses a whole script, then runs it (nothing runs when any part fails to parse).
    public func runSource(_ source: SourceFile, arguments: [String], scriptPath: String?) -> Int32 {
        let (program, diagnostics) = interpreter.parse(source)
        guard diagnostics.isEmpty else {
            report(diagnostics)
            return ExitStatus.usage.rawValue
        }
        interpreter.define("args", .list(arguments.map(Value.string)))
        do {
            let outcome = try interpreter.run(program, scriptPath: scriptPath)
            if case .exited(let code) = outcome { return code }
            return finishedStatus()
        } catch {
            return report(error)
        }
    }

    /// Commands from a non-terminal standard input: each complete statement runs as soon as
    /// its last line arrives; the first failure stops the run, as in a script.
    public func runStream(_ lines: some LineSource, name: String) -> Int32 {
        var lines = lines
        var chunk = ""
        var chunkStart = 1
        var lineNumber = 0
        while let line = lines.nextLine() {
            lineNumber += 1
            if chunk.isEmpty { chunkStart = lineNumber }
            chunk += line + "\n"
            if Completeness.needsMore(chunk) { continue }
            defer { chunk = "" }
            let padded = String(repeating: "\n", count: chunkStart - 1) + chunk
            let source = SourceFile(name: name, text: padded)
            let (program, diagnostics) = interpreter.parse(source)
            guard diagnostics.isEmpty else {
                report(diagnostics)
                return ExitStatus.usage.rawValue
            }
            do {
                if case .exited(let code) = try interpreter.run(program) { return code }
            } catch {
                return report(error)
            }
        }
        if !chunk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let source = SourceFile(name: name, text: String(repeating: "\n", count: chunkStart - 1) + chunk)
            let (_, diagnostics) = interpreter.parse(source)
            report(
                diagnostics.isEmpty
                    ? [
                        Diagnostic(
                            "unexpected end of input", at: SourceLocation(file: name, line: lineNumber, column: 1))
                    ] : diagnostics)
            return ExitStatus.usage.rawValue
        }
        return finishedStatus()
    }

    /// The exit status of a run that ended without error.
    func finishedStatus() -> Int32 {
        let options = context.options
        if options.dryRun && options.detailedExitCode && context.pendingChanges > 0 {
            return ExitStatus.pendingChanges.rawValue
        }
        return ExitStatus.ok.rawValue
    }

    func report(_ diagnostics: [Diagnostic]) {
        for d in diagnostics { context.err(render(d.error)) }
        if diagnostics.count > 1 { context.err("\(diagnostics.count) errors\n") }
    }

    @discardableResult
    func report(_ error: any Error) -> Int32 {
        let e = (error as? HLSError) ?? HLSError(.failed, "internal error: \(error)")
        context.err(render(e))
        return e.exitStatus.rawValue
    }

    func render(_ e: HLSError) -> String {
        DiagnosticRenderer.render(e, source: { self.interpreter.sourceFile(named: $0) }, color: stderrColor)
    }
}
