import HLSCore

extension Interpreter {
    /// Evaluates an expression. `row` is the current row inside `where`/`sort`/`--until`:
    /// bare names are its fields.
    func evaluate(_ expression: Expression, scope: Scope, row: Value?) throws -> Value {
        switch expression {
        case .literal(let value, _, _):
            return value
        case .bareName(let name, let at):
            guard let row else {
                throw HLSError(
                    .failed, "bare word '\(name)' outside a row condition", at: .source(at),
                    hint: "quote text or use $\(name)")
            }
            guard case .record(let r) = row else {
                if name == "it" { return row }
                throw HLSError(
                    .failed, "'\(name)' names a field, but the row is \(row.aTypeName)", at: .source(at),
                    hint: "use $it for the row itself")
            }
            guard let v = r[name] else {
                throw HLSError(
                    .failed, "no field '\(name)' in the row", at: .source(at),
                    hint: Suggest.didYouMean(name, in: r.keys) ?? "fields: \(r.keys.joined(separator: ", "))")
            }
            return v
        case .variable(let name, let path, let at):
            guard let value = scope.lookup(name) else {
                throw HLSError(
                    .failed, "unknown variable $\(name)", at: .source(at),
                    hint: Suggest.didYouMean(name, in: scope.allVariableNames, quote: { "$\($0)" })
                        ?? "declare it with 'let \(name) = …'")
            }
            return try Interpreter.field(path, of: value, at: at, variable: "$\(name)")
        case .template(let segments, _):
            var text = ""
            var shown = ""
            var secret = false
            for segment in segments {
                switch segment {
                case .text(let t):
                    text += t
                    shown += t
                case .expression(let e):
                    let v = try evaluate(e, scope: scope, row: row)
                    if case .secret(let s) = v {
                        secret = true
                        text += s.reveal()
                        shown += s.description
                    } else {
                        text += Render.plain(v)
                        shown += Render.plain(v)
                    }
                }
            }
            // A string built from a secret is a secret too; it shows with `***` in its place.
            return secret ? .secret(Secret(text, shown: shown)) : .string(text)
        case .list(let items, _):
            return .list(try items.map { try evaluate($0, scope: scope, row: row) })
        case .record(let fields, _):
            var r = Record()
            for (k, e) in fields { r[k] = try evaluate(e, scope: scope, row: row) }
            return .record(r)
        case .subpipeline(let pipeline, _):
            return try runPipeline(pipeline, scope: scope, row: row)
        case .field(let base, let path, let at):
            return try Interpreter.field(path, of: try evaluate(base, scope: scope, row: row), at: at, variable: nil)
        case .unary(let op, let operand, let at):
            let v = try evaluate(operand, scope: scope, row: row)
            if op == "not" {
                guard let b = v.asBool else {
                    throw HLSError(.failed, "'not' needs a bool, got \(v.typeName)", at: .source(at))
                }
                return .bool(!b)
            }
            do {
                switch v {
                case .int(let i): return .int(try Operators.negated(i))
                case .float(let d): return .float(-d)
                case .duration(let d): return .duration(.zero - d)
                case .size(let s): return .size(try Operators.negated(s))
                default: throw HLSError(.failed, "cannot negate \(v.aTypeName)", at: .source(at))
                }
            } catch let e as Operators.TypeMismatch {
                throw HLSError(.failed, e.message, at: .source(at))
            }
        case .binary(let op, let lhs, let rhs, let at):
            if op == "and" || op == "or" {
                let left = try truth(try evaluate(lhs, scope: scope, row: row), op: op, at: at)
                if op == "and" && !left { return .bool(false) }
                if op == "or" && left { return .bool(true) }
                return .bool(try truth(try evaluate(rhs, scope: scope, row: row), op: op, at: at))
            }
            let a = try evaluate(lhs, scope: scope, row: row)
            let b = try evaluate(rhs, scope: scope, row: row)
            do {
                if ["+", "-", "*", "/", "%"].contains(op) { return try Operators.arithmetic(op, a, b) }
                return .bool(try Operators.compare(op, a, b))
            } catch {
                throw HLSError(.failed, error.message, at: .source(at))
            }
        case .block(let block):
            return .closure(Closure(block: block, scope: scope))
        case .conditional(let branches, let otherwise, let at):
            return try execute(.ifElse(branches: branches, otherwise: otherwise, at: at), scope: scope, emit: false)
        }
    }

    func truth(_ v: Value, op: String, at: SourceLocation) throws -> Bool {
        guard let b = v.asBool else {
            throw HLSError(.failed, "'\(op)' needs bools, got \(v.typeName)", at: .source(at))
        }
        return b
    }

    /// A condition's truth; anything but a bool (or null, which is false) is an error.
    /// `it` is the row as given when `row` is a padded copy of it (see `Invocation.condition`).
    func test(_ expression: Expression, row: Value?, it: Value? = nil, scope: Scope) throws -> Bool {
        let inner: Scope
        if let row {
            inner = Scope(parent: scope)
            inner.declare("it", it ?? row)
        } else {
            inner = scope
        }
        let v = try evaluate(expression, scope: inner, row: row)
        guard let b = v.asBool else {
            throw HLSError(
                .failed, "a condition must be true or false, got \(v.typeName) \(Render.inline(v))",
                at: .source(expression.location))
        }
        return b
    }

    /// Runs a block argument (or evaluates an expression argument) with `$it` bound.
    func runThunk(_ expression: Expression, it: Value, scope: Scope) throws -> Value {
        let inner = Scope(parent: scope)
        inner.declare("it", it)
        switch expression {
        case .block(let block):
            do {
                return try execute(block.statements, scope: inner, emit: false)
            } catch Signal.returnValue(let v) {
                return v
            }
        default:
            return try evaluate(expression, scope: inner, row: it)
        }
    }

    /// `value.a.0.b`: record fields, list indexes, and a column of a table.
    static func field(_ path: [String], of value: Value, at: SourceLocation, variable: String?) throws -> Value {
        var current = value
        var walked = variable ?? "value"
        for key in path {
            switch current {
            case .record(let r):
                guard let v = r[key] else {
                    throw HLSError(
                        .failed, "\(walked) has no field '\(key)'", at: .source(at),
                        hint: Suggest.didYouMean(key, in: r.keys)
                            ?? (r.keys.isEmpty ? nil : "fields: \(r.keys.joined(separator: ", "))"))
                }
                current = v
            case .list(let items):
                if let i = Int(key) {
                    let index = i < 0 ? items.count + i : i
                    guard items.indices.contains(index) else {
                        throw HLSError(.failed, "\(walked) has no item \(key) (it has \(items.count))", at: .source(at))
                    }
                    current = items[index]
                } else if items.isEmpty || Value.isTable(items) {
                    // A column of a table; an empty list is an empty table, whose columns are empty.
                    current = .list(try items.map { try field([key], of: $0, at: at, variable: walked) })
                } else {
                    throw HLSError(.failed, "\(walked) is a list; index it with a number", at: .source(at))
                }
            case .null:
                throw HLSError(.failed, "\(walked) is null, so it has no field '\(key)'", at: .source(at))
            default:
                throw HLSError(
                    .failed, "\(walked) is \(current.aTypeName), so it has no field '\(key)'", at: .source(at))
            }
            walked += ".\(key)"
        }
        return current
    }
}
