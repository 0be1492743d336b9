import HLSCore
public import HLSLanguage

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
        let cancellation = Cancellation.followingInterrupts()
        context = ExecutionContext(
            options: options, environment: environment, cancellation: cancellation,
            stdoutTerminal: out, stderrTerminal: err, log: RunLog(path: options.logPath),
            ask: TerminalQuestion.asker(cancellation: cancellation),
            out: { StandardStreams.out($0) }, err: { StandardStreams.err($0) })
        interpreter = Interpreter(registry: registry, context: context)
    }

    /// A session whose output goes to the given closures (tests, embedding).
    public init(registry: Registry, context: ExecutionContext) {
        self.context = context
        stderrColor = false
        interpreter = Interpreter(registry: registry, context: context)
    }

    /// Ends the run: closes the services it made (the SSH connections, newest first). Called
    /// once the script, `-c` command, standard input or interactive shell is done.
    public func close() { context.closeServices() }

    /// Parses, reports and runs whole scripts; maps outcomes to exit statuses.
    public var runner: ScriptRunner { ScriptRunner(interpreter: interpreter, color: stderrColor) }

    /// `hlsh -n`: parse only; print every diagnostic; 0 when clean, 2 otherwise.
    public func check(_ source: SourceFile) -> Int32 { runner.check(source) }

    /// Parses a whole script, then runs it (nothing runs when any part fails to parse).
    public func runSource(_ source: SourceFile, arguments: [String], scriptPath: String?) -> Int32 {
        runner.run(source, arguments: arguments, scriptPath: scriptPath)
    }

    /// Commands from a non-terminal standard input: each complete statement runs as soon as
    /// its last line arrives (or, after a `}`, once the next line shows it is not an `elif`,
    /// `else` or `catch`); the first failure stops the run, as in a script.
    public func runStream(_ lines: some LineSource, name: String) -> Int32 {
        var lines = lines
        interpreter.define("args", .list([]))
        var chunk = ""
        var chunkStart = 1
        var lineNumber = 0
        var peeked: String? = nil
        func nextLine() -> String? {
            defer { peeked = nil }
            return peeked ?? lines.nextLine()
        }
        while Termination.signal == nil, let line = nextLine() {
            lineNumber += 1
            if chunk.isEmpty { chunkStart = lineNumber }
            chunk += line + "\n"
            if Completeness.needsMore(chunk) { continue }
            if Completeness.mayContinue(chunk), let following = lines.nextLine() {
                peeked = following
                if Completeness.continuesPrevious(following) { continue }
            }
            defer { chunk = "" }
            let padded = String(repeating: "\n", count: chunkStart - 1) + chunk
            if let status = runner.runPiece(SourceFile(name: name, text: padded)) { return status }
        }
        if let signal = Termination.signal { return 128 + signal }
        if !chunk.trimmingWhitespace().isEmpty {
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
    func finishedStatus() -> Int32 { runner.finishedStatus }

    func report(_ diagnostics: [Diagnostic]) { runner.report(diagnostics) }

    @discardableResult
    func report(_ error: any Error) -> Int32 { runner.report(error) }

    func render(_ e: HLSError) -> String { runner.render(e) }
}
