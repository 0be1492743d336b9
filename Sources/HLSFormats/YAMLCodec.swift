public import HLSCore
internal import Yams

/// YAML ↔ `Document`, through Yams (which carries libyaml 0.2.5; see docs/adr/0004).
/// Scalars are typed by YAML 1.2 core-schema resolution; quoted scalars stay strings.
public enum YAMLCodec {
    /// Parses one YAML document. An empty input is `.null`.
    public static func decode(_ text: String, file: String = "<yaml>") throws(HLSError) -> Document {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw HLSError(.syntax, "invalid YAML", at: place(of: error, file: file), cause: "\(error)")
        }
        guard let node else { return .null }
        return document(from: node)
    }

    /// Parses every document of a multi-document stream (`---` separated).
    public static func decodeAll(_ text: String, file: String = "<yaml>") throws(HLSError) -> [Document] {
        do {
            return try Yams.compose_all(yaml: text).map { document(from: $0) }
        } catch {
            throw HLSError(.syntax, "invalid YAML", at: place(of: error, file: file), cause: "\(error)")
        }
    }

    /// Block-style YAML, keys in document order, strings quoted only where YAML needs it.
    public static func encode(_ document: Document) -> String {
        let node = self.node(from: document)
        return (try? Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)) ?? ""
    }

    static func document(from node: Node) -> Document {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain && scalar.style != .any { return .string(scalar.string) }
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(Document.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map(Document.int) ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(Document.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            return .object(mapping.map { (key: $0.key.string ?? "\($0.key)", value: document(from: $0.value)) })
        case .sequence(let sequence):
            return .array(sequence.map { document(from: $0) })
        case .alias:
            return .null
        }
    }

    static func node(from document: Document) -> Node {
        switch document {
        case .null: return Node("null", .implicit)
        case .bool(let b): return Node(b ? "true" : "false")
        case .int(let i): return Node(String(i))
        case .double(let d): return Node(JSONCodec.format(d))
        case .string(let s):
            // Quote anything a YAML reader would not read back as this same string.
            let plain = Node(s)
            if case .scalar = plain, plain.tag.rawValue == Tag.Name.str.rawValue, !s.isEmpty, s.trimmingSpaces == s {
                return plain
            }
            return Node(s, .implicit, .doubleQuoted)
        case .array(let items):
            return Node(items.map { node(from: $0) })
        case .object(let pairs):
            return Node(pairs.map { (Node($0.key), node(from: $0.value)) })
        }
    }

    static func place(of error: any Error, file: String) -> Place? {
        if let yamlError = error as? YamlError, case .scanner(_, _, let mark, _) = yamlError {
            return .source(SourceLocation(file: file, line: mark.line, column: mark.column))
        }
        if let yamlError = error as? YamlError, case .parser(_, _, let mark, _) = yamlError {
            return .source(SourceLocation(file: file, line: mark.line, column: mark.column))
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
