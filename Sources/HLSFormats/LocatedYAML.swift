public import HLSCore
internal import Yams

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

    /// Parses one document; an empty file is `.null` at 1:1.
    public static func parse(_ text: String, file: String) throws(HLSError) -> LocatedYAML {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw HLSError(.syntax, "invalid YAML", at: YAMLCodec.place(of: error, file: file), cause: "\(error)")
        }
        guard let node else { return .null(at: SourceLocation(file: file, line: 1, column: 1)) }
        return convert(node, file: file)
    }

    static func convert(_ node: Node, file: String) -> LocatedYAML {
        let at = SourceLocation(file: file, line: (node.mark?.line ?? 0), column: (node.mark?.column ?? 0))
        switch node {
        case .scalar(let s):
            let quoted = s.style != .plain && s.style != .any
            if !quoted && node.tag.rawValue == Tag.Name.null.rawValue { return .null(at: at) }
            return .scalar(s.string, quoted: quoted, at: at)
        case .mapping(let m):
            return .mapping(
                m.map { pair in
                    let keyAt = SourceLocation(
                        file: file, line: pair.key.mark?.line ?? 0, column: pair.key.mark?.column ?? 0)
                    return (key: pair.key.string ?? "", keyAt: keyAt, value: convert(pair.value, file: file))
                }, at: at)
        case .sequence(let seq):
            return .sequence(seq.map { convert($0, file: file) }, at: at)
        case .alias:
            return .null(at: at)
        }
    }
}
