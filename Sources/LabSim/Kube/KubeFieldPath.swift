import HLSCore
import HLSFormats

/// One step of a managed-field path (structured-merge-diff `PathElement`): a field, a list item
/// by its key fields, a set item by its value, or a list index.
enum KubePathElement: Hashable, Sendable {
    case field(String)
    /// The key fields as a JSON object text with sorted keys (`{"name":"web"}`).
    case key(String)
    case value(String)
    case index(Int)

    /// The FieldsV1 key: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`.
    var fieldsV1: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let json): return "k:" + json
        case .value(let json): return "v:" + json
        case .index(let i): return "i:\(i)"
        }
    }

    init?(fieldsV1 text: String) {
        let body = String(text.dropFirst(2))
        switch text.prefix(2) {
        case "f:": self = .field(body)
        case "k:": self = .key(body)
        case "v:": self = .value(body)
        case "i:":
            guard let i = Int(body) else { return nil }
            self = .index(i)
        default: return nil
        }
    }

    /// As conflict messages print it: `.image`, `[name="web"]`, `[="x"]`, `[0]`.
    var display: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let json):
            let fields = ((try? JSONCodec.decode(json)) ?? .object([])).pairs
            return "[" + fields.map { "\($0.key)=\(JSONCodec.encode($0.value))" }.joined(separator: ",") + "]"
        case .value(let json): return "[=" + json + "]"
        case .index(let i): return "[\(i)]"
        }
    }

    var isItem: Bool {
        if case .field = self { return false }
        return true
    }
}

typealias KubeFieldPath = [KubePathElement]

/// Sets of field paths, their FieldsV1 form, and reading and removing the value at a path.
enum KubeFieldSet {
    /// Every path `object` sets: leaves, plus each keyed or set list item itself.
    static func paths(of object: Document, builtIn: Bool) -> Set<KubeFieldPath> {
        var result: Set<KubeFieldPath> = []
        collect(object, builtIn: builtIn, prefix: [], field: nil, into: &result)
        return result
    }

    private static func collect(
        _ value: Document, builtIn: Bool, prefix: KubeFieldPath, field: String?, into result: inout Set<KubeFieldPath>
    ) {
        switch value {
        case .object(let pairs) where !pairs.isEmpty:
            for (key, child) in pairs {
                collect(child, builtIn: builtIn, prefix: prefix + [.field(key)], field: key, into: &result)
            }
        case .array(let items) where builtIn && field != nil:
            if KubeListSemantics.isSet(field: field!) {
                for item in items { result.insert(prefix + [.value(JSONCodec.encode(item))]) }
            } else if let key = KubeListSemantics.mergeKey(field: field!, items: items),
                items.allSatisfy({ $0[key] != nil })
            {
                for item in items {
                    let itemPath = prefix + [keyElement(item, key)]
                    result.insert(itemPath)
                    collect(item, builtIn: builtIn, prefix: itemPath, field: nil, into: &result)
                }
            } else {
                result.insert(prefix)
            }
        default:
            if !prefix.isEmpty { result.insert(prefix) }
        }
    }

    static func keyElement(_ item: Document, _ key: String) -> KubePathElement {
        .key(JSONCodec.encode(.object([(key, item[key] ?? .null)])))
    }

    /// The value at `path`, nil when absent.
    static func value(at path: KubeFieldPath, in object: Document) -> Document? {
        var current = object
        for element in path {
            switch element {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .key(let json):
                let fields = ((try? JSONCodec.decode(json)) ?? .object([])).pairs
                guard let item = current.items.first(where: { item in fields.allSatisfy { item[$0.key] == $0.value } })
                else { return nil }
                current = item
            case .value(let json):
                guard let item = current.items.first(where: { JSONCodec.encode($0) == json }) else { return nil }
                current = item
            case .index(let i):
                let items = current.items
                guard i < items.count else { return nil }
                current = items[i]
            }
        }
        return current
    }

    /// `object` without the value at `path` (a field, or a list item).
    static func removing(_ path: KubeFieldPath, from object: Document) -> Document {
        guard let first = path.first else { return object }
        let rest = Array(path.dropFirst())
        switch first {
        case .field(let name):
            guard let child = object[name] else { return object }
            var copy = object
            copy.set(name, rest.isEmpty ? nil : removing(rest, from: child))
            return copy
        case .key, .value, .index:
            var items = object.items
            guard let index = items.firstIndex(where: { value(at: [first], in: .array([$0])) != nil }) else {
                return object
            }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = removing(rest, from: items[index]) }
            return .array(items)
        }
    }

    /// The FieldsV1 object of a set: nested `f:`/`k:`/`v:` keys, leaves `{}`, `".":{}` for an
    /// item that is also a parent.
    static func fieldsV1(_ set: Set<KubeFieldPath>) -> Document {
        final class Node {
            var children: [(KubePathElement, Node)] = []
            var member = false
            func child(_ e: KubePathElement) -> Node {
                if let found = children.first(where: { $0.0 == e }) { return found.1 }
                let node = Node()
                children.append((e, node))
                return node
            }
            func document() -> Document {
                var pairs: [(key: String, value: Document)] = []
                if member, !children.isEmpty { pairs.append((".", .object([]))) }
                for (element, node) in children.sorted(by: { $0.0.fieldsV1 < $1.0.fieldsV1 }) {
                    pairs.append((element.fieldsV1, node.document()))
                }
                return .object(pairs)
            }
        }
        let root = Node()
        for path in set {
            var node = root
            for element in path { node = node.child(element) }
            node.member = true
        }
        return root.document()
    }

    static func parse(fieldsV1: Document) -> Set<KubeFieldPath> {
        var result: Set<KubeFieldPath> = []
        func walk(_ node: Document, _ prefix: KubeFieldPath) {
            let pairs = node.pairs
            if pairs.isEmpty, !prefix.isEmpty { result.insert(prefix) }
            for (key, child) in pairs {
                if key == "." {
                    result.insert(prefix)
                } else if let element = KubePathElement(fieldsV1: key) {
                    walk(child, prefix + [element])
                }
            }
        }
        walk(fieldsV1, [])
        return result
    }

    static func display(_ path: KubeFieldPath) -> String { path.map(\.display).joined() }
}
