import Dispatch
import HLSCore

extension Interpreter {
    func runPipeline(_ pipeline: Pipeline, scope: Scope, row: Value?) throws -> Value {
        var value: Value = .null
        for (i, element) in pipeline.elements.enumerated() {
            switch element {
            case .value(let expression):
                value = try evaluate(expression, scope: scope, row: row)
            case .command(let call):
                if i > 0, let spec = call.spec, !spec.takesInput {
                    throw HLSError(.failed, "'\(spec.name)' does not read piped input", at: .source(call.location))
                }
                value = try self.call(call, input: value, scope: scope)
            }
        }
        return value
    }

    func call(_ call: CommandCall, input: Value, scope: Scope) throws -> Value {
        try context.cancellation.check(call.name)
        failedStep.withLock { $0 = nil }
        notRunStep.withLock { $0 = nil }
        do {
            return try dispatch(call, input: input, scope: scope)
        } catch let signal as Signal {
            throw signal
        } catch {
            failedStep.withLock { step in
                if step == nil { step = (call.location, call.spec?.name ?? call.path.joined(separator: " ")) }
            }
            throw error
        }
    }

    private func dispatch(_ call: CommandCall, input: Value, scope: Scope) throws -> Value {
        let wantsHelp = call.arguments.contains {
            if case .flag("help", _, _) = $0 { return true } else { return false }
        }
        guard let spec = call.spec else {
            guard let (definition, home) = scope.definition(call.path[0]) else {
                throw HLSError(
                    .usage, "unknown command '\(call.path[0])'", at: .source(call.location),
                    hint: Suggest.didYouMean(
                        call.path[0], in: registry.topLevelNames + Array(scope.allDefinitionNames)))
            }
            if wantsHelp { return .string(Interpreter.signature(definition) + "\n") }
            return try invoke(definition, home: home, call: call, input: input, scope: scope)
        }
        if wantsHelp { return .string(Usage.help(spec)) }
        let invocation = try bind(call, spec: spec, input: input, scope: scope)
        context.log.record(.command, [("command", .string(spec.name)), ("at", .string(call.location.description))])
        do {
            let value: Value
            switch spec.implementation {
            case .query(let body), .builtin(let body):
                value = try body(invocation)
            case .mutation(let plan):
                value = try execute(try plan(invocation), of: invocation)
            }
            guard let format = OutputFlag.format(of: invocation) else { return value }
            let columns = if case .query = spec.implementation { spec.columns } else { [String]() }
            return OutputFlag.render(value, format: format, terminal: context.stdoutTerminal, columns: columns)
        } catch let e as HLSError {
            throw e.located(.source(call.location))
        } catch let absent as NotThereYet where context.options.dryRun {
            let note = "\(call.location): note: \(spec.name) not run in a dry run: \(absent.reason)\n"
            if notesSaid.withLock({ $0.insert(note).inserted }) { context.err(note) }
            notRunStep.withLock { $0 = call.location }
            notRun.withLock { $0 = ($0.count + 1, (spec.name, call.location)) }
            context.log.record(.notRun, [("command", .string(spec.name)), ("reason", .string(absent.reason))])
            return .list([])
        } catch let s as Signal {
            throw s
        } catch {
            throw HLSError(.failed, "\(spec.name): \(error)", at: .source(call.location))
        }
    }

    /// The executor of every mutating verb: the one place where `--dry-run` is enforced.
    func execute(_ plan: ChangePlan, of invocation: Invocation) throws -> Value {
        let spec = invocation.spec
        var outcomes: [ChangeOutcome] = []
        if plan.changes.isEmpty {
            // Idempotence made visible: a converged target says so instead of printing nothing.
            context.err("\(spec.name): no change\n")
            context.log.record(.unchanged, [("command", .string(spec.name))])
        }
        if context.options.dryRun || plan.planOnly {
            outcomes = plan.changes.map { ChangeOutcome(change: $0, status: .planned, elapsed: .zero) }
            context.count(pending: outcomes.count, applied: 0)
            for change in plan.changes {
                context.log.record(
                    .planned,
                    [
                        ("command", .string(spec.name)), ("target", .string(change.target)),
                        ("action", .string(change.action)), ("detail", .string(change.detail)),
                    ])
            }
        } else if plan.concurrency > 1 && plan.changes.count > 1 {
            outcomes = try applyConcurrently(plan, of: invocation)
        } else {
            let clock = ContinuousClock()
            for change in plan.changes {
                try context.cancellation.check("\(spec.name) \(change.target)")
                let start = clock.now
                do {
                    try change.apply(context.cancellation)
                } catch {
                    let e = recordFailure(error, of: change, spec: spec)
                    let done = outcomes.count
                    // A change stopped by Ctrl-C may fail in its own words: it is still an interrupt.
                    var failed = HLSError(
                        context.cancellation.isCancelled ? .interrupted : e.kind,
                        "\(spec.name): \(change.action) \(change.target) failed: \(Self.detail(e, of: spec))",
                        at: e.place ?? .source(invocation.location), hint: e.hint, cause: e.cause)
                    if done > 0 {
                        failed.hint =
                            (failed.hint.map { $0 + "; " } ?? "")
                            + "\(done) earlier change(s) were applied; a rerun continues from here"
                    }
                    throw failed
                }
                outcomes.append(recordSuccess(change, spec: spec, elapsed: clock.now - start))
            }
        }
        if let result = plan.result { return try result(outcomes) }
        return .list(outcomes.map(\.record))
    }

    /// Applies a plan's changes side by side (at most `plan.concurrency` at once); every change
    /// runs to its end, and all failures are reported together.
    private func applyConcurrently(_ plan: ChangePlan, of invocation: Invocation) throws -> [ChangeOutcome] {
        let spec = invocation.spec
        let cancellation = context.cancellation
        let results = Parallel.map(plan.changes.count, limit: plan.concurrency) { index in
            let change = plan.changes[index]
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try cancellation.check("\(spec.name) \(change.target)")
                try change.apply(cancellation)
                return Result<Duration, any Error>.success(clock.now - start)
            } catch {
                return .failure(error)
            }
        }
        var outcomes: [ChangeOutcome] = []
        var failures: [(Change, HLSError)] = []
        for (change, result) in zip(plan.changes, results) {
            switch result {
            case .success(let elapsed): outcomes.append(recordSuccess(change, spec: spec, elapsed: elapsed))
            case .failure(let error): failures.append((change, recordFailure(error, of: change, spec: spec)))
            }
        }
        guard !failures.isEmpty else { return outcomes }
        if cancellation.isCancelled {
            throw HLSError(
                .interrupted,
                "\(spec.name): interrupted (\(outcomes.count) of \(plan.changes.count) changes were applied)",
                at: .source(invocation.location))
        }
        if failures.count == 1, let (change, e) = failures.first {
            throw HLSError(
                e.kind, "\(spec.name): \(change.action) \(change.target) failed: \(Self.detail(e, of: spec))",
                at: e.place ?? .source(invocation.location), hint: e.hint, cause: e.cause)
        }
        let lines = failures.map {
            "  \($0.0.target): \($0.1.description.replacing("\n", with: "\n    "))"
        }
        throw HLSError(
            failures.allSatisfy { $0.1.kind == .interrupted } ? .interrupted : .failed,
            "\(spec.name): \(failures.count) of \(plan.changes.count) changes failed:\n"
                + lines.joined(separator: "\n"),
            at: .source(invocation.location),
            hint: outcomes.isEmpty ? nil : "\(outcomes.count) change(s) were applied; a rerun continues from here")
    }

    /// A change's error message without the verb's own `VERB: ` in front (`flux reconcile:
    /// HelmRelease reconciliation failed …`), which "VERB: ACTION TARGET failed: " already says.
    private static func detail(_ error: HLSError, of spec: CommandSpec) -> String {
        let own = spec.name + ": "
        return error.message.hasPrefix(own) ? String(error.message.dropFirst(own.count)) : error.message
    }

    private func recordFailure(_ error: any Error, of change: Change, spec: CommandSpec) -> HLSError {
        let e = Interpreter.userError(error)
        context.log.record(
            .failed,
            [
                ("command", .string(spec.name)), ("target", .string(change.target)),
                ("action", .string(change.action)), ("error", .string(e.message)),
            ])
        return e
    }

    private func recordSuccess(_ change: Change, spec: CommandSpec, elapsed: Duration) -> ChangeOutcome {
        let outcome = ChangeOutcome(change: change, status: .applied, elapsed: elapsed)
        context.count(pending: 0, applied: 1)
        context.log.record(
            .changed,
            [
                ("command", .string(spec.name)), ("target", .string(change.target)),
                ("action", .string(change.action)), ("detail", .string(change.detail)),
                ("elapsed", .duration(outcome.elapsed)),
            ])
        return outcome
    }

    func bind(_ call: CommandCall, spec: CommandSpec, input: Value, scope: Scope) throws -> Invocation {
        var values: [String: Value] = [:]
        var thunks: [String: Expression] = [:]
        var positional = 0
        var variadic: [Value] = []
        func coerce(_ expression: Expression, _ kind: ValueKind, _ what: String) throws -> Value {
            let value = try evaluate(expression, scope: scope, row: nil)
            return try Interpreter.coerce(value, expression: expression, to: kind, what: what, command: spec.name)
        }
        for argument in call.arguments {
            switch argument {
            case .positional(let expression):
                guard positional < spec.positionals.count else {
                    throw HLSError(
                        .usage, "too many arguments for '\(spec.name)'", at: .source(expression.location),
                        hint: "usage: \(Usage.line(spec))")
                }
                let parameter = spec.positionals[positional]
                switch parameter.kind {
                case .condition, .block, .lazy:
                    thunks[parameter.name] = expression
                default:
                    let v = try coerce(expression, parameter.kind, "<\(parameter.name)>")
                    if parameter.isVariadic { variadic.append(v) } else { values[parameter.name] = v }
                }
                if !parameter.isVariadic { positional += 1 }
            case .flag(let name, let expression, let at):
                guard let flag = spec.flag(named: name) ?? OutputFlag.flag(named: name) else {
                    throw HLSError(
                        .usage, "unknown flag '\(Parser.spelling(ofFlag: name))' for '\(spec.name)'", at: .source(at),
                        hint: "usage: \(Usage.line(spec))")
                }
                if let kind = flag.kind {
                    guard let expression else {
                        throw HLSError(.usage, "'--\(flag.name)' needs a value", at: .source(at))
                    }
                    switch kind {
                    case .condition, .block, .lazy: thunks[flag.name] = expression
                    default: values[flag.name] = try coerce(expression, kind, "--\(flag.name)")
                    }
                } else if let expression {
                    values[flag.name] = try coerce(expression, .bool, "--\(flag.name)")
                } else {
                    values[flag.name] = .bool(true)
                }
            }
        }
        for parameter in spec.positionals {
            if parameter.isVariadic {
                values[parameter.name] = .list(variadic)
            } else if values[parameter.name] == nil, thunks[parameter.name] == nil {
                if let d = parameter.defaultValue {
                    values[parameter.name] = d
                } else if !parameter.isOptional {
                    throw HLSError(
                        .usage, "missing <\(parameter.name)> for '\(spec.name)'", at: .source(call.location),
                        hint: "usage: \(Usage.line(spec))")
                }
            }
        }
        for flag in spec.flags where values[flag.name] == nil && thunks[flag.name] == nil {
            values[flag.name] = flag.defaultValue ?? (flag.isSwitch ? .bool(false) : nil)
        }
        return Invocation(
            spec: spec, input: input, location: call.location, context: context, values: values, thunks: thunks,
            interpreter: self, scope: scope)
    }

    /// Converts an argument to the kind its parameter declares, or explains why it cannot.
    static func coerce(_ value: Value, expression: Expression, to kind: ValueKind, what: String, command: String) throws
        -> Value
    {
        func fail(_ expected: String) -> HLSError {
            HLSError(
                .usage, "\(command): \(what) expects \(expected), got \(value.typeName) \(Render.inline(value))",
                at: .source(expression.location))
        }
        switch kind {
        case .any, .condition, .block, .lazy:
            return value
        case .string, .path, .name:
            switch value {
            case .string, .secret: return value
            case .list, .record, .closure: throw fail("a string")
            default:
                if case .literal(_, let text, _) = expression { return .string(text) }
                return .string(Render.plain(value))
            }
        case .choice(let words):
            let text: String
            switch value {
            case .string(let s): text = s
            case .list, .record, .closure, .secret: throw fail("one of \(words.joined(separator: ", "))")
            default: text = Render.plain(value)
            }
            guard words.contains(text) else {
                throw HLSError(
                    .usage, "\(command): \(what) must be one of \(words.joined(separator: ", ")), not '\(text)'",
                    at: .source(expression.location), hint: Suggest.didYouMean(text, in: words))
            }
            return .string(text)
        case .int:
            if case .int = value { return value }
            if case .string(let s) = value, let i = Int(s) { return .int(i) }
            throw fail("an integer")
        case .float:
            if case .float = value { return value }
            if case .int(let i) = value { return .float(Double(i)) }
            throw fail("a number")
        case .bool:
            if case .bool = value { return value }
            if case .string(let s) = value, s == "true" || s == "false" { return .bool(s == "true") }
            throw fail("true or false")
        case .duration:
            if case .duration = value { return value }
            if case .string(let s) = value, let d = Quantities.parseDuration(s) { return .duration(d) }
            if case .string(let s) = value, Quantities.isOversizedDuration(s) {
                throw HLSError(
                    .usage, "\(command): duration \(s) is too long", at: .source(expression.location),
                    hint: Quantities.durationRangeHint)
            }
            throw fail("a duration such as 90s, 5m or 1h30m")
        case .size:
            if case .size = value { return value }
            if case .int(let i) = value { return .size(Int64(i)) }
            if case .string(let s) = value, let n = Quantities.parseSize(s) { return .size(n) }
            if case .string(let s) = value, Quantities.isOversizedSize(s) {
                throw HLSError(
                    .usage, "\(command): size \(s) is too big", at: .source(expression.location),
                    hint: ByteSize.rangeHint)
            }
            throw fail("a size such as 512M, 8G or 100GiB")
        }
    }

    /// Calls a `def`: binds positionals in order, `--name value` by name, switches by presence.
    func invoke(_ definition: Definition, home: Scope, call: CommandCall, input: Value, scope: Scope) throws -> Value {
        let inner = Scope(parent: home)
        inner.declare("in", input)
        var positionals = definition.parameters.filter { !$0.isSwitch }
        var bound = Set<String>()
        var pendingFlag: (String, SourceLocation)? = nil
        for argument in call.arguments {
            switch argument {
            case .flag(let name, let value, let at):
                guard let parameter = definition.parameters.first(where: { $0.name == name }) else {
                    throw HLSError(
                        .usage, "unknown flag '\(Parser.spelling(ofFlag: name))' for '\(definition.name)'",
                        at: .source(at),
                        hint: Interpreter.signature(definition))
                }
                if parameter.isSwitch {
                    inner.declare(name, try value.map { try evaluate($0, scope: scope, row: nil) } ?? .bool(true))
                    bound.insert(name)
                } else if let value {
                    inner.declare(name, try evaluate(value, scope: scope, row: nil))
                    bound.insert(name)
                    positionals.removeAll { $0.name == name }
                } else {
                    pendingFlag = (name, at)
                }
            case .positional(let expression):
                let v = try evaluate(expression, scope: scope, row: nil)
                if let (name, _) = pendingFlag {
                    inner.declare(name, v)
                    bound.insert(name)
                    positionals.removeAll { $0.name == name }
                    pendingFlag = nil
                    continue
                }
                guard !positionals.isEmpty else {
                    throw HLSError(
                        .usage, "too many arguments for '\(definition.name)'", at: .source(expression.location),
                        hint: Interpreter.signature(definition))
                }
                let parameter = positionals.removeFirst()
                inner.declare(parameter.name, v)
                bound.insert(parameter.name)
            }
        }
        if let (name, at) = pendingFlag {
            throw HLSError(.usage, "'--\(name)' needs a value", at: .source(at))
        }
        for parameter in definition.parameters where !bound.contains(parameter.name) {
            if parameter.isSwitch {
                inner.declare(parameter.name, .bool(false))
            } else if let d = parameter.defaultValue {
                inner.declare(parameter.name, try evaluate(d, scope: home, row: nil))
            } else {
                throw HLSError(
                    .usage, "missing <\(parameter.name)> for '\(definition.name)'", at: .source(call.location),
                    hint: Interpreter.signature(definition))
            }
        }
        do {
            return try execute(definition.body.statements, scope: inner, emit: false)
        } catch Signal.returnValue(let v) {
            return v
        }
    }

    static func signature(_ d: Definition) -> String {
        let params = d.parameters.map { p in
            p.isSwitch ? "[--\(p.name)]" : p.defaultValue != nil ? "[<\(p.name)>]" : "<\(p.name)>"
        }
        return "usage: " + ([d.name] + params).joined(separator: " ")
    }
}
