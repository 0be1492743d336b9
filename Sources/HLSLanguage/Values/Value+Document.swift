public import HLSCore

extension Value {
    /// The value as JSON/YAML data. Sizes become bytes, durations seconds, secrets `***`.
    public var document: Document {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .duration(let d):
            // Whole seconds exactly (`Int(d.inSeconds)` trapped at the longest duration, whose
            // seconds round up to 2⁶³ as a double); a fraction as a double.
            let (seconds, attoseconds) = d.components
            return attoseconds == 0 ? .int(Int(seconds)) : .double(d.inSeconds)
        case .size(let s): return .int(Int(s))
        case .list(let items): return .array(items.map(\.document))
        case .record(let r): return .object(r.fields.map { (key: $0.key, value: $0.value.document) })
        case .secret(let s): return .string(s.description)
        case .closure: return .string("{ … }")
        }
    }

    public init(_ document: Document) {
        switch document {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(Value.init))
        case .object(let pairs): self = .record(Record(pairs.map { (key: $0.key, value: Value($0.value)) }))
        }
    }
}
