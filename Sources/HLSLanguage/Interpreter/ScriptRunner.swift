public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs scripts for a front end (the binary, stdin, tests) and turns every outcome into an
/// exit status in one place: a syntax error 2 (nothing runs), a failed command 1, `exit N` N,
/// failed checks (`lab doctor`, `lab status`) 1, pending changes under `--dry-run
/// --detailed-exitcode` 3, Ctrl-C 130, else 0. Errors are
/// rendered to the context's standard error as `file:line:col: error:` with the line and a caret.
public struct ScriptRunner: Sendable {
    public let interpreter: Interpreter
    /// Whether rendered errors use colour (standard error is a colour terminal).
    public let color: Bool

    public init(interpreter: Interpreter, color: Bool) {
        self.interpreter = interpreter
        self.color = color
    }

    public var context: ExecutionContext { interpreter.context }

    /// `hlsh -n`: parse only; print every diagnostic; 0 when clean, 2 for what does not parse, 1
    /// for a sourced file that cannot be read (`Diagnostic.exitStatus`).
    public func check(_ source: SourceFile) -> Int32 {
        let diagnostics = interpreter.check(source)
        report(diagnostics)
        return Diagnostic.exitStatus(diagnostics).rawValue
    }

    /// Parses a whole script, then runs it with `$args` bound (nothing runs when any part
    /// fails to parse). `scriptPath` keys the `--resume` journal.
    public func run(_ source: SourceFile, arguments: [String], scriptPath: String?) -> Int32 {
        interpreter.define("args", .list(arguments.map(Value.string)))
        return runPiece(source, scriptPath: scriptPath) ?? finishedStatus
    }

    /// Parses and runs one piece of a longer input (a statement read from standard input):
    /// nil when the run goes on, else the exit status that ends it.
    public func runPiece(_ source: SourceFile, scriptPath: String? = nil) -> Int32? {
        let (program, diagnostics) = interpreter.parse(source)
        guard diagnostics.isEmpty else {
            report(diagnostics)
            return Diagnostic.exitStatus(diagnostics).rawValue
        }
        do {
            if case .exited(let code) = try interpreter.run(program, scriptPath: scriptPath) { return code }
            return nil
        } catch {
            context.log.record(
                .error,
                [("message", .string(error.message)), ("at", error.place.map { .string($0.description) } ?? .null)])
            return report(error)
        }
    }

    /// The exit status of a run that ended without error.
    public var finishedStatus: Int32 {
        let options = context.options
        if context.failedChecks > 0 { return ExitStatus.failure.rawValue }
        if options.dryRun && options.detailedExitCode && context.pendingChanges > 0 {
            return ExitStatus.pendingChanges.rawValue
        }
        return ExitStatus.ok.rawValue
    }

    /// Prints every diagnostic, then how many there were when more than one.
    public func report(_ diagnostics: [Diagnostic]) {
        for d in diagnostics { context.err(render(d.error)) }
        if diagnostics.count > 1 { context.err("\(diagnostics.count) errors\n") }
    }

    /// Prints an error; returns the exit status it stands for.
    @discardableResult
    public func report(_ error: any Error) -> Int32 {
        let e = (error as? HLSError) ?? HLSError(.failed, "internal error: \(error)")
        context.err(render(e))
        return e.exitStatus.rawValue
    }

    /// Quotes the line an error points at: from the sources the interpreter parsed, else
    /// (an inventory) from the file itself.
    public func render(_ e: HLSError) -> String {
        let interpreter = self.interpreter
        return DiagnosticRenderer.render(
            e,
            source: { name in
                interpreter.sourceFile(named: name)
                    ?? SourceFile.load(name)
            }, color: color)
    }
}
