public import HLSCore

/// YAML ↔ `Document`, on libyaml's parser and emitter (`YAMLReader`, `YAMLWriter`; see
/// docs/adr/0023). Plain scalars are typed as `YAMLScalar` says; quoted scalars stay strings.
public enum YAMLCodec {
    /// Parses one YAML document. An empty input is `.null`; a second document is an error.
    public static func decode(_ text: String, file: String = "<yaml>") throws(HLSError) -> Document {
        try YAMLReader.single(text, file: file).map { document(from: $0) } ?? .null
    }

    /// Parses every document of a multi-document stream (`---` separated).
    public static func decodeAll(_ text: String, file: String = "<yaml>") throws(HLSError) -> [Document] {
        try YAMLReader.documents(text, file: file).map { document(from: $0) }
    }

    /// Block-style YAML, keys in document order, strings quoted only where YAML needs it.
    public static func encode(_ document: Document) -> String {
        YAMLWriter.string(document)
    }

    static func document(from node: YAMLNode) -> Document {
        switch node {
        case .scalar(let text, let tag, let plain, _):
            return YAMLScalar.document(text, tag: tag, plain: plain)
        case .mapping(let pairs, _):
            return .object(
                pairs.map {
                    (
                        key: $0.key.scalarText ?? "",  // YAMLReader reads no other key
                        value: document(from: $0.value)
                    )
                })
        case .sequence(let items, _):
            return .array(items.map { document(from: $0) })
        }
    }
}
