public import HLSCore

/// A YAML document that remembers where each node was written, for validators that must say
/// `homelab.yaml:14:13: error: vms[1].memory: …`.
public indirect enum LocatedYAML: Sendable {
    case scalar(String, quoted: Bool, at: SourceLocation)
    case mapping([(key: String, keyAt: SourceLocation, value: LocatedYAML)], at: SourceLocation)
    case sequence([LocatedYAML], at: SourceLocation)
    case null(at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let at), .mapping(_, let at), .sequence(_, let at), .null(let at): return at
        }
    }

    /// Parses one document; an empty file is `.null` at 1:1. An alias is the node its anchor
    /// names, located where the anchor was written.
    public static func parse(_ text: String, file: String) throws(HLSError) -> LocatedYAML {
        guard let root = try YAMLReader.single(text, file: file) else {
            return .null(at: SourceLocation(file: file, line: 1, column: 1))
        }
        return located(root, file: file)
    }

    /// Every document of a multi-document stream (none for an empty text).
    public static func parseAll(_ text: String, file: String) throws(HLSError) -> [LocatedYAML] {
        try YAMLReader.documents(text, file: file).map { located($0, file: file) }
    }

    /// A mapping's value under `key`; nil for a missing key or a node that is no mapping.
    public subscript(key: String) -> LocatedYAML? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// Where a mapping's key `key` was written; nil for a missing key or a node that is no mapping.
    public func keyLocation(_ key: String) -> SourceLocation? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.keyAt
    }

    /// A sequence's items; empty for a node that is no sequence.
    public var items: [LocatedYAML] {
        if case .sequence(let items, _) = self { return items }
        return []
    }

    static func located(_ node: YAMLNode, file: String) -> LocatedYAML {
        let at = node.mark.location(in: file)
        switch node {
        case .scalar(let text, let tag, let plain, _):
            if plain && YAMLScalar.isNull(text, tag: tag) { return .null(at: at) }
            return .scalar(text, quoted: !plain, at: at)
        case .mapping(let pairs, _):
            return .mapping(
                pairs.map { pair in
                    (
                        key: pair.key.scalarText ?? "", keyAt: pair.key.mark.location(in: file),
                        value: located(pair.value, file: file)
                    )
                }, at: at)
        case .sequence(let items, _):
            return .sequence(items.map { located($0, file: file) }, at: at)
        }
    }
}
