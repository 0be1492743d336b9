import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Interpreter {
    func runPhase(name nameExpression: Expression, body: Block, scope: Scope, emit: Bool, at: SourceLocation) throws
        -> Value
    {
        let name = Render.plain(try evaluate(nameExpression, scope: scope, row: nil))
        let journal = self.journal.withLock { $0 }
        var note = ""
        if context.options.resume, let journal, let done = journal.completion(of: name, target: context.target) {
            if done.skip {
                context.err("↷ phase \(name): skipped, completed in the last run\n")
                context.log.record(.phaseSkipped, [("phase", .string(name))])
                return .null
            }
            note = " (the last run completed it against another lab, \(done.otherTarget ?? ""): run again)"
        }
        context.err("▶ phase \(name)\(note)\n")
        context.log.record(.phaseStart, [("phase", .string(name)), ("at", .string(at.description))])
        let clock = ContinuousClock()
        let start = clock.now
        let appliedBefore = context.appliedChanges
        let pendingBefore = context.pendingChanges
        do {
            try execute(body.statements, scope: Scope(parent: scope), emit: emit)
        } catch {
            let elapsed = clock.now - start
            // The innermost command that failed, else the statement the error points at (assert).
            var step = failedStep.withLock { $0 }.map { (at: $0.at, what: " (\($0.command))") }
            if step == nil, case .source(let at)? = Interpreter.userError(error).place { step = (at, "") }
            context.err(
                "✗ phase \(name) failed after \(Interpreter.rounded(elapsed).text)"
                    + (step.map { " at \($0.at)\($0.what)" } ?? "") + "\n")
            let changed =
                context.options.dryRun ? context.pendingChanges - pendingBefore : context.appliedChanges - appliedBefore
            context.log.record(
                .phaseEnd,
                [
                    ("phase", .string(name)), ("status", .string("failed")), ("duration", .duration(elapsed)),
                    ("changes", .int(changed)), ("error", .string(Interpreter.userError(error).message)),
                    ("step", step.map { .string($0.at.description) } ?? .null),
                ])
            throw error
        }
        let elapsed = clock.now - start
        let changed = context.appliedChanges - appliedBefore
        let pending = context.pendingChanges - pendingBefore
        let summary = context.options.dryRun ? Interpreter.changes(pending) + " planned" : Interpreter.changes(changed)
        context.err("✓ phase \(name) (\(Interpreter.rounded(elapsed).text), \(summary))\n")
        context.log.record(
            .phaseEnd,
            [
                ("phase", .string(name)), ("status", .string("ok")), ("duration", .duration(elapsed)),
                ("changes", .int(context.options.dryRun ? pending : changed)),
            ])
        if !context.options.dryRun { journal?.markCompleted(name, target: context.target) }
        return .null
    }

    /// `no change`, `1 change`, `3 changes`: a phase's count, as its summary line says it.
    static func changes(_ count: Int) -> String {
        count == 0 ? "no change" : count == 1 ? "1 change" : "\(count) changes"
    }

    static func rounded(_ d: Duration) -> Duration {
        let ms = d.inSeconds * 1000
        return ms < 1000 ? .milliseconds(Int64(ms.rounded())) : .milliseconds(Int64((ms / 100).rounded() * 100))
    }

    func runRetry(attempts: Expression, delay: Expression?, body: Block, scope: Scope, emit: Bool, at: SourceLocation)
        throws -> Value
    {
        guard case .int(let count) = try evaluate(attempts, scope: scope, row: nil), count >= 1 else {
            throw HLSError(.failed, "retry needs a positive number of attempts", at: .source(attempts.location))
        }
        var pause: Duration = .seconds(1)
        if let delay {
            guard case .duration(let d) = try evaluate(delay, scope: scope, row: nil) else {
                throw HLSError(.failed, "retry --delay needs a duration such as 10s", at: .source(delay.location))
            }
            pause = d
        }
        var attempt = 1
        while true {
            do {
                return try execute(body.statements, scope: Scope(parent: scope), emit: emit)
            } catch let e as HLSError where catchable(e) && attempt < count {
                failedStep.withLock { $0 = nil }
                context.err("↻ retry \(attempt + 1)/\(count) in \(pause.text) after: \(e.message)\n")
                context.log.record(
                    .retry,
                    [("attempt", .int(attempt + 1)), ("error", .string(e.message)), ("at", .string(at.description))])
                try context.cancellation.sleep(for: pause, "retry delay")
                attempt += 1
            }
        }
    }

    func runParallel(
        variable: String, items: [Value], limit: Expression, body: Block, scope: Scope, emit: Bool, at: SourceLocation
    ) throws {
        guard case .int(let bound) = try evaluate(limit, scope: scope, row: nil), bound >= 1 else {
            throw HLSError(.failed, "parallel for --limit needs a positive number", at: .source(limit.location))
        }
        let failures = Mutex<[(Int, HLSError)]>([])
        Parallel.forEach(items.count, limit: bound) { [self] i in
            let inner = Scope(parent: scope)
            inner.declare(variable, items[i])
            do {
                try execute(body.statements, scope: inner, emit: emit)
            } catch Signal.continueLoop {
                return
            } catch {
                var e = Interpreter.userError(error)
                if case Signal.breakLoop(let where_) = error {
                    e = HLSError(.failed, "'break' cannot stop a parallel for", at: .source(where_))
                }
                failures.withLock { $0.append((i, e)) }
            }
        }
        var failed = failures.withLock { $0 }
        guard !failed.isEmpty else { return }
        failed.sort { $0.0 < $1.0 }
        if failed.allSatisfy({ $0.1.kind == .interrupted }) { throw failed[0].1 }
        let lines = failed.map {
            "  \(Render.inline(items[$0.0])): \($0.1.description.replacing("\n", with: "\n    "))"
        }
        throw HLSError(
            .failed,
            "\(failed.count) of \(items.count) parallel iterations failed:\n" + lines.joined(separator: "\n"),
            at: .source(at))
    }

    func runSource(_ pathExpression: Expression, scope: Scope, emit: Bool, at: SourceLocation) throws -> Value {
        let path = SourcePath.resolve(Render.plain(try evaluate(pathExpression, scope: scope, row: nil)), from: at.file)
        guard let file = SourceFile.load(path) else {
            throw HLSError.unreadable(path, at: .source(at), hint: SourcePath.hint)
        }
        let (program, diagnostics) = parse(file, knownDefinitions: scope.allDefinitionNames)
        if let first = diagnostics.first {
            var e = first.error
            if diagnostics.count > 1 {
                e.hint =
                    (e.hint.map { $0 + "; " } ?? "")
                    + "\(diagnostics.count - 1) more error(s) in \(path); check it with 'hlsh -n \(path)'"
            }
            throw e
        }
        return try execute(program.statements, scope: scope, emit: emit)
    }

    /// Parses and runs code in `scope` without printing; the last value is the result.
    func evaluateSource(_ source: SourceFile, scope: Scope) throws -> Value {
        let (program, diagnostics) = parse(source, knownDefinitions: scope.allDefinitionNames)
        if let first = diagnostics.first { throw first.error }
        return try execute(program.statements, scope: scope, emit: false)
    }
}
