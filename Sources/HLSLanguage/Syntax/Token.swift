public import HLSCore

/// One lexical token. `spaceBefore` records whether whitespace preceded it, so the parser can
/// tell `(x).a` (field access) from `(x) .a` (two arguments), as shells tell words apart.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case newline
        case semicolon
        case lbrace, rbrace, lparen, rparen, lbracket, rbracket
        case comma, colon, pipe
        /// A bare word: a name, a number, `--flag`, `==`, a path. Classified by the parser.
        case word(String)
        /// A single-quoted string (no interpolation, no escapes but `\'`).
        case rawString(String)
        /// A double-quoted string, split into literal text and interpolations.
        case template([TemplatePart])
        /// `$name.path.0`
        case variable(name: String, path: [String])
        case eof
    }

    public var kind: Kind
    public var location: SourceLocation
    public var spaceBefore: Bool
    /// Byte offset of the token's first byte in its source.
    public var offset: Int

    public init(_ kind: Kind, at location: SourceLocation, spaceBefore: Bool, offset: Int) {
        self.kind = kind
        self.location = location
        self.spaceBefore = spaceBefore
        self.offset = offset
    }

    public var word: String? {
        if case .word(let w) = kind { return w }
        return nil
    }
}

/// A piece of a double-quoted string.
public enum TemplatePart: Sendable, Equatable {
    case literal(String)
    case variable(name: String, path: [String], at: SourceLocation)
    /// `$( … )`: the byte range of the inner text, parsed by the parser as a pipeline.
    case subexpression(start: Int, end: Int, at: SourceLocation)
}
