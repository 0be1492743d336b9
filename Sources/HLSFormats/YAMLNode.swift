import HLSCore

/// A YAML node as read from libyaml's events, before typing: aliases are already replaced by the
/// node their anchor names, and every node keeps where it was written (1-based line and column,
/// columns counted in Unicode scalars as libyaml counts them).
indirect enum YAMLNode {
    /// `tag` is the explicit tag (`!!int 4` gives `tag:yaml.org,2002:int`), nil when the scalar
    /// has none; `plain` is false for quoted and block (`|`, `>`) scalars, which are strings.
    case scalar(String, tag: String?, plain: Bool, at: YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], at: YAMLMark)
    case sequence([YAMLNode], at: YAMLMark)

    var mark: YAMLMark {
        switch self {
        case .scalar(_, _, _, let at), .mapping(_, let at), .sequence(_, let at): return at
        }
    }

    /// The text of a scalar key; nil for a mapping or sequence used as a key.
    var scalarText: String? {
        if case .scalar(let text, _, _, _) = self { return text }
        return nil
    }
}

/// A 1-based position in the YAML text.
struct YAMLMark: Equatable {
    var line: Int
    var column: Int

    func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }
}
