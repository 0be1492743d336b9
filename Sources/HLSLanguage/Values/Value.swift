import HLSCore

/// A structured value: what every expression evaluates to and every verb returns.
/// A list whose items are all records is a *table*.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case duration(Duration)
    /// A size in bytes.
    case size(Int64)
    case list([Value])
    case record(Record)
    /// A secret: prints as `***` everywhere, never logged, never in history.
    case secret(Secret)
    /// A block given as a value, with the scope it closes over.
    case closure(Closure)

    /// The type's name as users see it in errors and `describe`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .duration: return "duration"
        case .size: return "size"
        case .list(let items): return Value.isTable(items) ? "table" : "list"
        case .record: return "record"
        case .secret: return "secret"
        case .closure: return "closure"
        }
    }

    /// The type's name with its article, for messages: "an int", "a table".
    public var aTypeName: String { typeName == "int" ? "an int" : "a \(typeName)" }

    static func isTable(_ items: [Value]) -> Bool {
        guard !items.isEmpty else { return false }
        return items.allSatisfy { if case .record = $0 { return true } else { return false } }
    }

    /// Truthiness for `if`/`while`/`where`: only `true` is true; null and false are false;
    /// anything else is an error the caller reports.
    public var asBool: Bool? {
        switch self {
        case .bool(let b): return b
        case .null: return false
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// An ordered record: keys keep the order they were written or returned in.
public struct Record: Sendable, Equatable {
    public private(set) var fields: [(key: String, value: Value)]

    public init(_ fields: [(key: String, value: Value)] = []) {
        self.fields = []
        for (k, v) in fields { self[k] = v }
    }

    public var keys: [String] { fields.map(\.key) }
    public var count: Int { fields.count }

    public subscript(key: String) -> Value? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let i = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    public static func == (a: Record, b: Record) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A secret string. Its description never holds the text: `***`, or for a string built around
/// secrets (`"echo $token"`), that string with each secret as `***` (`echo ***`). Only
/// `reveal()` gives the text, and only code that sends it to its destination (an HTTP header,
/// an SSH stdin) should call that.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let text: String
    private let shown: String
    public init(_ text: String) { self.init(text, shown: "***") }
    /// `shown` must be built without the secret parts' text (see `Interpreter`'s templates).
    init(_ text: String, shown: String) {
        self.text = text
        self.shown = shown
    }
    public func reveal() -> String { text }
    public var description: String { shown }
    public var debugDescription: String { shown }
}

/// A block value: its body and the scope it was written in.
public struct Closure: Sendable {
    public var block: Block
    let scope: Scope
}

extension Value: Equatable {
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int(let x), .float(let y)): return Double(x) == y
        case (.float(let x), .int(let y)): return x == Double(y)
        case (.string(let x), .string(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.size(let x), .size(let y)): return x == y
        case (.size(let x), .int(let y)): return x == Int64(y)
        case (.int(let x), .size(let y)): return Int64(x) == y
        case (.list(let x), .list(let y)): return x == y
        case (.record(let x), .record(let y)): return x == y
        case (.secret(let x), .secret(let y)): return x == y
        default: return false
        }
    }
}
