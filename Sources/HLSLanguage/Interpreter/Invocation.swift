public import HLSCore

/// One call of a verb: its bound arguments, the pipeline input, where it was written, and the
/// context. Condition, block and lazy arguments are evaluated only when the verb asks.
public struct Invocation: Sendable {
    public let spec: CommandSpec
    public let input: Value
    public let location: SourceLocation
    public let context: ExecutionContext
    var values: [String: Value]
    var thunks: [String: Expression]
    let interpreter: Interpreter
    let scope: Scope

    /// A bound argument or flag (with its default); `.null` when absent.
    public func value(_ name: String) -> Value { values[declared(name)] ?? .null }

    public func has(_ name: String) -> Bool {
        if let v = values[declared(name)], !v.isNull { return true }
        return thunks[name] != nil
    }

    public func string(_ name: String) -> String? {
        switch values[declared(name)] {
        case .string(let s): return s
        case nil, .null: return nil
        case let v?: return Render.plain(v)
        }
    }

    public func int(_ name: String) -> Int? {
        if case .int(let i) = values[declared(name)] { return i }
        return nil
    }

    public func duration(_ name: String) -> Duration? {
        if case .duration(let d) = values[declared(name)] { return d }
        return nil
    }

    /// An int flag or argument that declares a default, so it always has one: the declared
    /// default is the only place the number is written.
    public func int(defaulted name: String) -> Int {
        guard spec.defaultValue(of: name) != nil, let i = int(name) else {
            preconditionFailure(undefaulted(name, kind: "int"))
        }
        return i
    }

    /// A duration flag or argument that declares a default (see `int(defaulted:)`).
    public func duration(defaulted name: String) -> Duration {
        guard spec.defaultValue(of: name) != nil, let d = duration(name) else {
            preconditionFailure(undefaulted(name, kind: "duration"))
        }
        return d
    }

    /// A string flag or argument that declares a default (see `int(defaulted:)`).
    public func string(defaulted name: String) -> String {
        guard spec.defaultValue(of: name) != nil, let s = string(name) else {
            preconditionFailure(undefaulted(name, kind: "string"))
        }
        return s
    }

    /// The format the call's `-o` asked for, else the run's (`hlsh -o`): for a verb that
    /// prints its table itself before failing.
    public var outputFormat: Render.Format { OutputFlag.format(of: self) ?? context.options.output }

    public func flag(_ name: String) -> Bool {
        if case .bool(true) = values[declared(name)] { return true }
        return false
    }

    public func list(_ name: String) -> [Value] {
        switch values[declared(name)] {
        case .list(let items): return items
        case nil, .null: return []
        case let v?: return [v]
        }
    }

    /// `name`, once checked against the verb's declaration. Reading an argument or flag that the
    /// spec does not declare is a programming error (a misspelt name would silently read nil), so
    /// it traps in debug builds: every test that runs the verb catches the typo.
    func declared(_ name: String) -> String {
        assert(spec.declares(name), "verb '\(spec.name)' reads '\(name)', which its spec does not declare")
        return name
    }

    private func undefaulted(_ name: String, kind: String) -> String {
        "verb '\(spec.name)' reads '\(name)' as a defaulted \(kind), but its spec declares no \(kind) default for it"
    }

    /// A row condition (`where status == "running"`): true/false for one row, `$it` bound.
    /// `columns` are the table's: a field that this row lacks but another row has is null here
    /// (so `where mem > 4G` skips rows without a mem); a field no row has stays an error.
    public func condition(_ name: String, columns: [String] = []) -> (@Sendable (Value) throws -> Bool)? {
        guard let expression = thunks[declared(name)] else { return nil }
        let interpreter = self.interpreter
        let scope = self.scope
        return { row in
            guard case .record(let r) = row, r.count < columns.count else {
                return try interpreter.test(expression, row: row, scope: scope)
            }
            var padded = r
            for column in columns where padded[column] == nil { padded[column] = .null }
            return try interpreter.test(expression, row: .record(padded), it: row, scope: scope)
        }
    }

    /// A block argument (`each { … }`), run with `$it` bound to its argument.
    public func block(_ name: String) -> (@Sendable (Value) throws -> Value)? {
        guard let expression = thunks[declared(name)] else { return nil }
        let interpreter = self.interpreter
        let scope = self.scope
        return { it in try interpreter.runThunk(expression, it: it, scope: scope) }
    }

    /// A lazy argument, evaluated again at each call.
    public func lazy(_ name: String) -> (@Sendable () throws -> Value)? {
        guard let expression = thunks[declared(name)] else { return nil }
        let interpreter = self.interpreter
        let scope = self.scope
        return { try interpreter.evaluate(expression, scope: scope, row: nil) }
    }

    /// An error of this call, placed at its source location.
    public func failure(_ message: String, hint: String? = nil, cause: String? = nil) -> HLSError {
        HLSError(.failed, "\(spec.name): \(message)", at: .source(location), hint: hint, cause: cause)
    }

    /// A file or folder this call names that cannot be read (`HLSError.unreadable`: exit 1),
    /// placed at the call.
    public func unreadable(_ path: String, folder: Bool = false) -> HLSError {
        var error = HLSError.unreadable(path, folder: folder, at: .source(location))
        error.message = "\(spec.name): " + error.message
        return error
    }

    public func usage(_ message: String) -> HLSError {
        HLSError(.usage, "\(spec.name): \(message)", at: .source(location), hint: "usage: \(Usage.line(spec))")
    }

    /// Binds a global variable of the session (`lab use` binds `$lab`).
    public func setGlobal(_ name: String, _ value: Value) { interpreter.define(name, value) }

    /// The registry, for `help` and completion.
    public var registry: Registry { interpreter.registry }

    /// Runs `.hls` code in the caller's scope (used by `help` examples and tools).
    public func run(_ code: String, name: String) throws -> Value {
        try interpreter.evaluateSource(SourceFile(name: name, text: code), scope: scope)
    }
}
