extension Pipeline {
    /// Whether running it may read `$name`. Conservative: a block or a `def` call may read
    /// anything, so they count.
    func mayRead(_ name: String) -> Bool {
        elements.contains { element in
            switch element {
            case .value(let expression): return expression.mayRead(name)
            case .command(let call): return call.mayRead(name)
            }
        }
    }
}

extension CommandCall {
    func mayRead(_ name: String) -> Bool {
        if spec == nil { return true }
        return arguments.contains { argument in
            switch argument {
            case .positional(let expression): return expression.mayRead(name)
            case .flag(_, let value, _): return value?.mayRead(name) ?? false
            }
        }
    }
}

extension Expression {
    func mayRead(_ name: String) -> Bool {
        switch self {
        case .literal, .bareName: return false
        case .variable(let variable, _, _): return variable == name
        case .template(let segments, _):
            return segments.contains {
                if case .expression(let e) = $0 { return e.mayRead(name) } else { return false }
            }
        case .list(let items, _): return items.contains { $0.mayRead(name) }
        case .record(let fields, _): return fields.contains { $0.value.mayRead(name) }
        case .subpipeline(let pipeline, _): return pipeline.mayRead(name)
        case .field(let base, _, _): return base.mayRead(name)
        case .unary(_, let operand, _): return operand.mayRead(name)
        case .binary(_, let lhs, let rhs, _): return lhs.mayRead(name) || rhs.mayRead(name)
        case .block, .conditional: return true
        }
    }
}
