import HLSCore

/// Reading and editing API objects held as `Document` trees (JSON objects keep their key order).
extension Document {
    /// The value at a path of object keys, nil when any step is missing or not an object.
    func at(_ path: [String]) -> Document? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// The string at a path, nil when missing or not a string.
    func text(_ path: String...) -> String? {
        if case .string(let s) = at(path) { return s }
        return nil
    }

    /// The document with every object's keys sorted, recursively. The API server decodes into Go
    /// structs, where field order does not exist (list order does): two writes that differ only
    /// in key order must compare and hash the same (`metadata.generation`, `pod-template-hash`).
    var keysSorted: Document {
        switch self {
        case .object(let pairs):
            return .object(pairs.sorted { $0.key < $1.key }.map { ($0.key, $0.value.keysSorted) })
        case .array(let items): return .array(items.map(\.keysSorted))
        default: return self
        }
    }

    /// The object's pairs, empty when this is not an object.
    var pairs: [(key: String, value: Document)] {
        if case .object(let pairs) = self { return pairs }
        return []
    }

    var items: [Document] {
        if case .array(let items) = self { return items }
        return []
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The string value of a scalar, as field selectors and table cells compare it.
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .double(let d): return "\(d)"
        default: return nil
        }
    }

    /// Sets (or with nil removes) the value under `key`; a non-object becomes an object first.
    mutating func set(_ key: String, _ value: Document?) {
        var pairs = self.pairs
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            if let value { pairs[index].value = value } else { pairs.remove(at: index) }
        } else if let value {
            pairs.append((key, value))
        }
        self = .object(pairs)
    }

    /// Sets (or removes) the value at a path, making the objects on the way.
    mutating func set(_ path: [String], _ value: Document?) {
        guard let first = path.first else {
            self = value ?? .null
            return
        }
        if path.count == 1 {
            set(first, value)
            return
        }
        var child = self[first] ?? .object([])
        if value == nil, self[first] == nil { return }
        child.set(Array(path.dropFirst()), value)
        set(first, child)
    }

    /// A string-to-string map (labels, annotations) as a dictionary.
    var stringMap: [String: String] {
        var map: [String: String] = [:]
        for (key, value) in pairs { if let text = value.scalarText { map[key] = text } }
        return map
    }

    /// An object from a dictionary, keys sorted (as Go's encoding/json writes maps).
    static func stringMap(_ map: [String: String]) -> Document {
        .object(map.keys.sorted().map { ($0, .string(map[$0] ?? "")) })
    }
}
