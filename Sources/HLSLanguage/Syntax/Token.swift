public import HLSCore

/// One lexical token: 24 bytes of plain integers, no references, so the token array of a large
/// file is cheap to fill, to read and to free.
///
/// A word's text is the token's byte range of the source (`Tokens.text(of:)` builds the
/// `String` when the parser needs it). Strings and variables, whose values are not their
/// bytes, are decoded by the lexer into side tables of `Tokens`, found by `payload`.
/// `spaceBefore` records whether whitespace preceded the token, so the parser can tell
/// `(x).a` (field access) from `(x) .a` (two arguments), as shells tell words apart.
public struct Token: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable {
        case newline
        case semicolon
        case lbrace, rbrace, lparen, rparen, lbracket, rbracket
        case comma, colon, pipe
        /// A bare word: a name, a number, `--flag`, `==`, a path. Classified by the parser.
        case word
        /// A single-quoted string (no interpolation, no escapes but `\'`): `Tokens.strings`.
        case rawString
        /// A double-quoted string, split into literal text and interpolations: `Tokens.templates`.
        case template
        /// `$name.path.0`: `Tokens.variables`.
        case variable
        case eof
    }

    public var kind: Kind
    public var spaceBefore: Bool
    let fileID: Int32
    let line: Int32
    let column: Int32
    /// Byte offset of the token in its source.
    let offset: Int32
    /// `end` for a word and punctuation, `payload` for a string or variable.
    private var endOrPayload: Int32

    init(
        _ kind: Kind, at location: SourceLocation, spaceBefore: Bool, offset: Int, end: Int, payload: Int = 0
    ) {
        self.kind = kind
        self.spaceBefore = spaceBefore
        self.fileID = location.fileID
        self.line = Int32(truncatingIfNeeded: location.line)
        self.column = Int32(truncatingIfNeeded: location.column)
        self.offset = Int32(truncatingIfNeeded: offset)
        let hasPayload = kind == .rawString || kind == .template || kind == .variable
        self.endOrPayload = Int32(truncatingIfNeeded: hasPayload ? payload : end)
    }

    /// The byte offset just past a word (or punctuation).
    var end: Int32 { endOrPayload }

    /// Index into the side table of a string's or variable's `kind` in `Tokens`.
    var payload: Int32 { endOrPayload }

    /// Moves `payload` when the start of its side table was dropped (`Tokens.forget`).
    mutating func movePayload(by delta: Int) { endOrPayload += Int32(truncatingIfNeeded: delta) }

    public var location: SourceLocation { SourceLocation(fileID: fileID, line: Int(line), column: Int(column)) }
}

/// A piece of a double-quoted string.
public enum TemplatePart: Sendable, Equatable {
    case literal(String)
    case variable(name: String, path: [String], at: SourceLocation)
    /// `$( … )`: the byte range of the inner text, parsed by the parser as a pipeline.
    case subexpression(start: Int, end: Int, at: SourceLocation)
}
