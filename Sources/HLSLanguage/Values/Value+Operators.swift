import HLSCore

/// Arithmetic and comparison on values. Errors name the operator and both types.
enum Operators {
    struct TypeMismatch: Error {
        let message: String
    }

    static func mismatch(_ op: String, _ a: Value, _ b: Value) -> TypeMismatch {
        TypeMismatch(message: "cannot apply '\(op)' to \(a.typeName) and \(b.typeName)")
    }

    /// `x op y` for `+ - * / %`, or an error instead of a wrap-around or a trap.
    static func checked<N: FixedWidthInteger>(_ op: String, _ x: N, _ y: N) throws(TypeMismatch) -> N {
        let (result, overflow): (N, Bool)
        switch op {
        case "+": (result, overflow) = x.addingReportingOverflow(y)
        case "-": (result, overflow) = x.subtractingReportingOverflow(y)
        case "*": (result, overflow) = x.multipliedReportingOverflow(by: y)
        case "/": (result, overflow) = x.dividedReportingOverflow(by: y)
        default: (result, overflow) = x.remainderReportingOverflow(dividingBy: y)
        }
        guard !overflow else { throw overflowed("\(x) \(op) \(y)") }
        return result
    }

    /// `-x`, or an error for the one integer whose negation does not fit.
    static func negated<N: FixedWidthInteger & SignedInteger>(_ x: N) throws(TypeMismatch) -> N {
        let (result, overflow) = N.zero.subtractingReportingOverflow(x)
        guard !overflow else { throw overflowed("-(\(x))") }
        return result
    }

    /// A size of `amount` bytes, rounded, or an error when it does not fit.
    static func bytes(_ amount: Double, _ what: String) throws(TypeMismatch) -> Value {
        guard let n = Int64(exactly: amount.rounded()) else { throw overflowed(what) }
        return .size(n)
    }

    static func overflowed(_ what: String) -> TypeMismatch {
        TypeMismatch(message: "integer overflow: \(what) is out of range")
    }

    /// A duration, or an error naming `what` when it is past `Quantities.longestDuration`.
    static func duration(_ d: Duration?, _ what: @autoclosure () -> String) throws(TypeMismatch) -> Value {
        guard let d else {
            throw TypeMismatch(message: "duration overflow: \(what()) is out of range")
        }
        return .duration(d)
    }

    static func arithmetic(_ op: String, _ a: Value, _ b: Value) throws(TypeMismatch) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            switch op {
            case "+", "-", "*": return .int(try checked(op, x, y))
            case "/":
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                let remainder = try checked("%", x, y)
                return remainder == 0 ? .int(try checked(op, x, y)) : .float(Double(x) / Double(y))
            case "%":
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return .int(try checked(op, x, y))
            default: break
            }
        case (.int, .float), (.float, .int), (.float, .float):
            let x = number(a)!
            let y = number(b)!
            switch op {
            case "+": return .float(x + y)
            case "-": return .float(x - y)
            case "*": return .float(x * y)
            case "/":
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return .float(x / y)
            case "%": return .float(x.truncatingRemainder(dividingBy: y))
            default: break
            }
        case (.duration(let x), .duration(let y)):
            switch op {
            case "+": return try duration(Quantities.added(x, y), "\(x.text) + \(y.text)")
            case "-": return try duration(Quantities.added(x, .zero - y), "\(x.text) - \(y.text)")
            case "/":
                guard y != .zero else { throw TypeMismatch(message: "division by zero") }
                // As with ints: a whole ratio is an int (`1h / 30m` is 2).
                let (quotient, remainder) = x.attoseconds.quotientAndRemainder(dividingBy: y.attoseconds)
                if remainder == 0, let whole = Int(exactly: quotient) { return .int(whole) }
                return .float(x / y)
            default: break
            }
        case (.duration(let x), .int), (.duration(let x), .float):
            let y = number(b)!
            if op == "*" {
                return try duration(Quantities.scaled(x, by: y, exactly: b.intValue), "\(x.text) * \(Render.plain(b))")
            }
            if op == "/" {
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return try duration(Quantities.scaled(x, by: 1 / y, exactly: nil), "\(x.text) / \(Render.plain(b))")
            }
        case (.int, .duration(let y)), (.float, .duration(let y)):
            if op == "*" {
                return try duration(
                    Quantities.scaled(y, by: number(a)!, exactly: a.intValue), "\(Render.plain(a)) * \(y.text)")
            }
        case (.size(let x), .size(let y)):
            switch op {
            case "+", "-": return .size(try checked(op, x, y))
            case "/":
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return ratio(x, y)
            case "%":
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return .size(x % y)
            default: break
            }
        case (.size(let x), .int), (.size(let x), .float):
            let y = number(b)!
            if op == "*" { return try bytes(Double(x) * y, "\(x) * \(Render.plain(b))") }
            if op == "/" {
                guard y != 0 else { throw TypeMismatch(message: "division by zero") }
                return try bytes(Double(x) / y, "\(x) / \(Render.plain(b))")
            }
        case (.int, .size(let y)), (.float, .size(let y)):
            if op == "*" { return try bytes(number(a)! * Double(y), "\(Render.plain(a)) * \(y)") }
        case (.string(let x), .string(let y)) where op == "+":
            return .string(x + y)
        case (.string(let x), _) where op == "+" && isScalar(b):
            return .string(x + Render.plain(b))
        case (_, .string(let y)) where op == "+" && isScalar(a):
            return .string(Render.plain(a) + y)
        case (.list(let x), .list(let y)) where op == "+":
            return .list(x + y)
        case (.record(var x), .record(let y)) where op == "+":
            for (k, v) in y.fields { x[k] = v }
            return .record(x)
        default: break
        }
        throw mismatch(op, a, b)
    }

    /// `x / y` as an int when it divides evenly, else a float.
    static func ratio(_ x: Int64, _ y: Int64) -> Value {
        x % y == 0 ? .int(Int(x / y)) : .float(Double(x) / Double(y))
    }

    static func isScalar(_ v: Value) -> Bool {
        switch v {
        case .int, .float, .bool, .duration, .size, .null: return true
        default: return false
        }
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    /// Ordering for `<` `>` and `sort`: numbers with numbers (a size with an int counts bytes),
    /// durations, strings, bools; nil when the two cannot be ordered.
    static func order(_ a: Value, _ b: Value) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return cmp(x, y)
        case (.int, .float), (.float, .int), (.float, .float): return cmp(number(a)!, number(b)!)
        case (.size(let x), .size(let y)): return cmp(x, y)
        case (.size(let x), .int(let y)): return cmp(x, Int64(y))
        case (.int(let x), .size(let y)): return cmp(Int64(x), y)
        case (.duration(let x), .duration(let y)): return cmp(x, y)
        case (.string(let x), .string(let y)): return cmp(x, y)
        case (.bool(let x), .bool(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.null, .null): return 0
        default: return nil
        }
    }

    static func compare(_ op: String, _ a: Value, _ b: Value) throws(TypeMismatch) -> Bool {
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "=~", "!~":
            guard case .string(let text) = a, case .string(let pattern) = b else {
                throw TypeMismatch(
                    message: "'\(op)' matches a string against a regex string, not \(a.typeName) and \(b.typeName)")
            }
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern)
            } catch {
                throw TypeMismatch(message: "invalid regex \"\(pattern)\": \(error)")
            }
            let matched = (try? regex.firstMatch(in: text)) != nil
            return op == "=~" ? matched : !matched
        case "in":
            switch b {
            case .list(let items): return items.contains(a)
            case .string(let s):
                guard case .string(let sub) = a else { throw mismatch(op, a, b) }
                return s.contains(sub)
            case .record(let r):
                guard case .string(let key) = a else { throw mismatch(op, a, b) }
                return r[key] != nil
            default: throw mismatch(op, a, b)
            }
        default:
            // A null on either side orders as "no": `where mem > 4G` skips rows without mem.
            if a.isNull || b.isNull { return false }
            guard let o = order(a, b) else { throw mismatch(op, a, b) }
            switch op {
            case "<": return o < 0
            case "<=": return o <= 0
            case ">": return o > 0
            case ">=": return o >= 0
            default: throw mismatch(op, a, b)
            }
        }
    }
}

extension Value {
    /// The int inside, for arithmetic that stays exact with whole numbers.
    fileprivate var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }
}
