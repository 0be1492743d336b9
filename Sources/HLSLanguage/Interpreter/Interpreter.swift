public import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs programs: statements, pipelines, command calls. One interpreter per session (a script
/// run or a REPL); its global scope lives as long as it does.
public final class Interpreter: Sendable {
    public let registry: Registry
    public let context: ExecutionContext
    let globals: Scope
    let sources = Mutex<[String: SourceFile]>([:])
    let journal: Mutex<Journal?> = Mutex(nil)
    /// The innermost command that failed since the last command started (where and which), so
    /// a failed phase names its step even when the error's place is a host or an API call.
    let failedStep = Mutex<(at: SourceLocation, command: String)?>(nil)
    /// Where the last verb stood that a dry run did not run (`NotThereYet`): its empty value
    /// shows no table header.
    let notRunStep = Mutex<SourceLocation?>(nil)
    /// The verbs a dry run did not run so far (`NotThereYet`): how many, and the last with where
    /// it stood. A `wait` whose value came from one says so instead of the empty value's count.
    let notRun = Mutex<(count: Int, last: (command: String, at: SourceLocation)?)>((0, nil))
    /// The dry-run notes printed in this program (or REPL line): one said again word for word
    /// (a loop's later passes) is not printed again.
    let notesSaid = Mutex<Set<String>>([])
    /// Held by a `set` that reads the variable it writes (recursive: its value may `set` too).
    let assignments = Lock(recursive: true)

    /// Non-error control transfers, thrown through Swift's error channel.
    enum Signal: Error {
        case breakLoop(SourceLocation)
        case continueLoop(SourceLocation)
        case returnValue(Value)
        case exit(Int32)
    }

    public init(registry: Registry, context: ExecutionContext) {
        self.registry = registry
        self.context = context
        self.globals = Scope(parent: nil)
        var env = Record()
        for key in context.environment.keys.sorted() { env[key] = .string(context.environment[key]!) }
        globals.declare("env", .record(env))
    }

    /// The outcome of running a program or a REPL line.
    public enum Outcome: Sendable, Equatable {
        case finished
        /// `exit N` was run.
        case exited(Int32)
    }

    /// Runs a whole program at top level, printing each statement's value.
    public func run(_ program: Program, scriptPath: String? = nil) throws(HLSError) -> Outcome {
        remember(program.source)
        notesSaid.withLock { $0 = [] }
        if let scriptPath {
            let j = Journal(
                scriptPath: scriptPath, directory: context.statePaths.journalDirectory, resume: context.options.resume,
                persists: !context.options.dryRun)
            journal.withLock { $0 = j }
        }
        do {
            _ = try execute(program.statements, scope: globals, emit: true)
            return .finished
        } catch let signal as Signal {
            switch signal {
            case .exit(let code): return .exited(code)
            case .breakLoop(let at): throw HLSError(.failed, "'break' outside a loop", at: .source(at))
            case .continueLoop(let at): throw HLSError(.failed, "'continue' outside a loop", at: .source(at))
            case .returnValue: return .finished
            }
        } catch {
            throw Interpreter.userError(error)
        }
    }

    /// Parses `source` with the session's `def`s known and runs it; returns the diagnostics
    /// instead when it does not parse.
    public func parse(_ source: SourceFile) -> (Program, [Diagnostic]) {
        parse(source, knownDefinitions: globals.allDefinitionNames)
    }

    /// Parses `source`, remembering it and the files it sources so diagnostics can quote them.
    func parse(_ source: SourceFile, knownDefinitions: Set<String>) -> (Program, [Diagnostic]) {
        remember(source)
        let parsed = Parser.parse(source, registry: registry, knownDefinitions: knownDefinitions)
        for file in parsed.0.sourced { remember(file) }
        return parsed
    }

    /// Checks `source` as `parse` does, without keeping its syntax tree (`hlsh -n`): its
    /// diagnostics, with it and the files it sources remembered for quoting them.
    public func check(_ source: SourceFile) -> [Diagnostic] {
        remember(source)
        let checked = Parser.check(source, registry: registry, knownDefinitions: globals.allDefinitionNames)
        for file in checked.sourced { remember(file) }
        return checked.diagnostics
    }

    func remember(_ source: SourceFile) {
        sources.withLock { $0[source.name] = source }
    }

    /// The source a diagnostic points into, for quoting its line.
    public func sourceFile(named name: String) -> SourceFile? {
        sources.withLock { $0[name] }
    }

    /// Names for completion: variables and `def`s of the session.
    public var variableNames: [String] { Array(Set(globals.allVariableNames)).sorted() }
    public var definitionNames: [String] { globals.allDefinitionNames.sorted() }

    /// Any error as the user error it stands for.
    static func userError(_ error: any Error) -> HLSError {
        if let e = error as? HLSError { return e }
        if let s = error as? Signal {
            switch s {
            case .breakLoop(let at): return HLSError(.failed, "'break' outside a loop", at: .source(at))
            case .continueLoop(let at): return HLSError(.failed, "'continue' outside a loop", at: .source(at))
            case .returnValue: return HLSError(.failed, "'return' outside a procedure")
            case .exit(let code): return HLSError(.failed, "exit \(code)")
            }
        }
        return HLSError(.failed, "internal error: \(error)")
    }

    // MARK: Statements

    /// Runs statements in order; returns the last statement's value. With `emit`, each
    /// pipeline statement's value is printed (the top level of a script or the REPL).
    @discardableResult
    func execute(_ statements: [Statement], scope: Scope, emit: Bool) throws -> Value {
        // `def`s are visible to the whole block, before and after where they are written.
        for case .definition(let d) in statements { scope.define(d) }
        if StackGuard.isExhausted, let first = statements.first {
            throw HLSError(
                .failed, "too deeply nested: procedure calls or sources go deeper than the stack allows",
                at: .source(first.location),
                hint: "a 'def' that calls itself (or a file that sources itself) needs a case that stops")
        }
        var last: Value = .null
        for statement in statements {
            try context.cancellation.check("at \(statement.location)")
            last = try execute(statement, scope: scope, emit: emit)
        }
        return last
    }

    func execute(_ statement: Statement, scope: Scope, emit: Bool) throws -> Value {
        switch statement {
        case .pipeline(let pipeline):
            let value = try runPipeline(pipeline, scope: scope, row: nil)
            if emit { show(value, columns: emptyTableColumns(pipeline)) }
            return emit ? .null : value
        case .letBinding(let name, let pipeline, _):
            scope.declare(name, try runPipeline(pipeline, scope: scope, row: nil))
            return .null
        case .assignment(let name, let path, let pipeline, let at):
            // A `set` that reads what it writes (`set n = $n + 1`, `set vm.cores = 4`) is one
            // step, so `parallel for` bodies never lose each other's updates.
            let atomic = !path.isEmpty || pipeline.mayRead(name)
            if atomic { assignments.lock() }
            defer { if atomic { assignments.unlock() } }
            let value = try runPipeline(pipeline, scope: scope, row: nil)
            guard let old = scope.lookup(name) else {
                throw HLSError(
                    .failed, "cannot set $\(name): it was never declared", at: .source(at),
                    hint: "declare it first with 'let \(name) = …'")
            }
            let new = path.isEmpty ? value : try Interpreter.setting(path, in: old, to: value, at: at)
            _ = scope.assign(name, new)
            return .null
        case .ifElse(let branches, let otherwise, _):
            for (condition, body) in branches where try test(condition, row: nil, scope: scope) {
                return try execute(body.statements, scope: Scope(parent: scope), emit: emit)
            }
            if let otherwise { return try execute(otherwise.statements, scope: Scope(parent: scope), emit: emit) }
            return .null
        case .forLoop(let variable, let sequence, let body, let parallel, let at):
            let items = try iterable(try evaluate(sequence, scope: scope, row: nil), at: sequence.location)
            if let parallel {
                try runParallel(
                    variable: variable, items: items, limit: parallel, body: body, scope: scope, emit: emit, at: at)
                return .null
            }
            for item in items {
                let inner = Scope(parent: scope)
                inner.declare(variable, item)
                do {
                    try execute(body.statements, scope: inner, emit: emit)
                } catch Signal.breakLoop {
                    break
                } catch Signal.continueLoop {
                    continue
                }
            }
            return .null
        case .whileLoop(let condition, let body, _):
            while try test(condition, row: nil, scope: scope) {
                do {
                    try execute(body.statements, scope: Scope(parent: scope), emit: emit)
                } catch Signal.breakLoop {
                    break
                } catch Signal.continueLoop {
                    continue
                }
            }
            return .null
        case .breakLoop(let at): throw Signal.breakLoop(at)
        case .continueLoop(let at): throw Signal.continueLoop(at)
        case .returnValue(let expression, _):
            throw Signal.returnValue(try expression.map { try evaluate($0, scope: scope, row: nil) } ?? .null)
        case .definition(let d):
            scope.define(d)
            return .null
        case .phase(let name, let body, let at):
            return try runPhase(name: name, body: body, scope: scope, emit: emit, at: at)
        case .retry(let attempts, let delay, let body, let at):
            return try runRetry(attempts: attempts, delay: delay, body: body, scope: scope, emit: emit, at: at)
        case .tryCatch(let body, let name, let handler, _):
            do {
                return try execute(body.statements, scope: Scope(parent: scope), emit: emit)
            } catch let e as HLSError where catchable(e) {
                failedStep.withLock { $0 = nil }  // handled: no longer a phase's failed step
                guard let handler else { return .null }
                let inner = Scope(parent: scope)
                if let name { inner.declare(name, Interpreter.errorRecord(e)) }
                return try execute(handler.statements, scope: inner, emit: emit)
            }
        case .assertion(let condition, let message, let at):
            guard try test(condition, row: nil, scope: scope) else {
                let text =
                    try message.map { Render.plain(try evaluate($0, scope: scope, row: nil)) } ?? "condition is false"
                // Under --dry-run nothing was applied, so a check of the applied state cannot
                // hold yet: say so and go on planning (Ansible's check-mode trap, avoided).
                if context.options.dryRun {
                    context.err("\(at): note: assertion not met in a dry run (nothing was applied): \(text)\n")
                    return .null
                }
                throw HLSError(.failed, "assertion failed: \(text)", at: .source(at))
            }
            return .null
        case .source(let pathExpression, let at):
            return try runSource(pathExpression, scope: scope, emit: emit, at: at)
        case .exit(let code, let at):
            var status: Int32 = 0
            if let code {
                guard case .int(let n) = try evaluate(code, scope: scope, row: nil), (0...255).contains(n) else {
                    throw HLSError(.failed, "exit needs a status from 0 to 255", at: .source(at))
                }
                status = Int32(n)
            }
            throw Signal.exit(status)
        }
    }

    /// Prints a statement's value in the run's output format; `columns` head an empty table.
    func show(_ value: Value, columns: [String] = []) {
        if case .null = value { return }
        context.out(
            Render.value(value, format: context.options.output, terminal: context.stdoutTerminal, columns: columns))
    }

    /// The columns to show when a statement's table is empty: those its last verb declares, when
    /// that verb is a query that ran (`vm list` with no VM prints its header, as every list verb
    /// does). None after a mutation (its "no change" says it) or a query not run in a dry run
    /// (its note says it).
    func emptyTableColumns(_ pipeline: Pipeline) -> [String] {
        guard case .command(let call)? = pipeline.elements.last, let spec = call.spec,
            case .query = spec.implementation, notRunStep.withLock({ $0 }) != call.location
        else { return [] }
        return spec.columns
    }

    /// Whether `try … catch` and `retry` may handle `e`: never an interrupt, and nothing while
    /// Ctrl-C is pending (a verb stopped by it may fail in its own words first).
    func catchable(_ e: HLSError) -> Bool {
        e.kind != .interrupted && !context.cancellation.isCancelled
    }

    static func errorRecord(_ e: HLSError) -> Value {
        .record(
            Record([
                ("message", .string(e.message)),
                ("kind", .string("\(e.kind)")),
                ("place", e.place.map { .string($0.description) } ?? .null),
                ("hint", e.hint.map(Value.string) ?? .null),
                ("cause", e.cause.map(Value.string) ?? .null),
            ]))
    }

    func iterable(_ value: Value, at: SourceLocation) throws -> [Value] {
        switch value {
        case .list(let items): return items
        case .null: return []
        case .record(let r): return r.fields.map { .record(Record([("key", .string($0.key)), ("value", $0.value)])) }
        default:
            throw HLSError(
                .failed, "cannot loop over \(value.aTypeName)", at: .source(at), hint: "give 'for' a list or a table")
        }
    }

    static func setting(_ path: [String], in base: Value, to value: Value, at: SourceLocation) throws -> Value {
        guard let key = path.first else { return value }
        switch base {
        case .record(var r):
            r[key] = try setting(Array(path.dropFirst()), in: r[key] ?? .record(Record()), to: value, at: at)
            return .record(r)
        case .list(var items):
            guard let i = Int(key), items.indices.contains(i) else {
                throw HLSError(.failed, "no item \(key) in a list of \(items.count)", at: .source(at))
            }
            items[i] = try setting(Array(path.dropFirst()), in: items[i], to: value, at: at)
            return .list(items)
        default:
            throw HLSError(.failed, "cannot set field '\(key)' of \(base.aTypeName)", at: .source(at))
        }
    }
}

extension Interpreter {
    /// Binds a global variable (`$args`, `$lab`).
    public func define(_ name: String, _ value: Value) {
        globals.declare(name, value)
    }
}
