import HLSCore

/// Turns a source into tokens, one pass over its UTF-8 bytes.
///
/// Words are maximal runs of non-special characters, as in a shell, so `k3s-cp-01`,
/// `kubernetes/clusters/homelab` and `--dry-run` are single words; operators are words that
/// stand alone (`$a + 1`). Inside `( … )` and `[ … ]` newlines are plain whitespace, so a long
/// pipeline or list can span lines; inside `{ … }` they separate statements.
public struct Lexer {
    let source: SourceFile
    /// The source's interned name, so every token's location is three integers.
    let fileID: Int32
    let bytes: [UInt8]
    var pos: Int
    let end: Int
    var line: Int
    var column: Int
    var brackets: [UInt8] = []
    public private(set) var diagnostics: [Diagnostic] = []

    public init(source: SourceFile) {
        self.init(source: source, range: 0..<source.bytes.count, line: 1, column: 1)
    }

    /// A lexer over part of a source (the inside of `$( … )` in a string).
    public init(source: SourceFile, range: Range<Int>, line: Int, column: Int) {
        self.source = source
        self.fileID = SourceNames.intern(source.name)
        self.bytes = source.bytes
        self.pos = range.lowerBound
        self.end = range.upperBound
        self.line = line
        self.column = column
    }

    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(max(16, (end - pos) / 4))
        while true {
            let token = next()
            tokens.append(token)
            if token.kind == .eof { break }
        }
        return tokens
    }

    private var here: SourceLocation { SourceLocation(fileID: fileID, line: line, column: column) }

    private mutating func advance() {
        if bytes[pos] == 10 {
            line += 1
            column = 1
        } else if bytes[pos] & 0xC0 != 0x80 {
            column += 1
        }
        pos += 1
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        pos + offset < end ? bytes[pos + offset] : nil
    }

    private var newlinesAreSpace: Bool {
        guard let top = brackets.last else { return false }
        return top != UInt8(ascii: "{")
    }

    mutating func next() -> Token {
        var sawSpace = false
        while let c = peek() {
            if c == 32 || c == 9 || c == 13 {
                advance()
                sawSpace = true
            } else if c == UInt8(ascii: "\\"), peek(1) == 10 || (peek(1) == 13 && peek(2) == 10) {
                advance()
                if peek() == 13 { advance() }
                advance()
                sawSpace = true
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != 10 { advance() }
            } else if c == 10 && newlinesAreSpace {
                advance()
                sawSpace = true
            } else {
                break
            }
        }
        let start = here
        let offset = pos
        func make(_ kind: Token.Kind) -> Token {
            Token(kind, at: start, spaceBefore: sawSpace, offset: offset)
        }
        guard let c = peek() else { return make(.eof) }

        switch c {
        case 10:
            advance()
            return make(.newline)
        case UInt8(ascii: ";"):
            advance()
            return make(.semicolon)
        case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
            advance()
            brackets.append(c)
            return make(c == UInt8(ascii: "{") ? .lbrace : c == UInt8(ascii: "(") ? .lparen : .lbracket)
        case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
            advance()
            // Close the innermost matching opener (and anything left open inside it), so one
            // stray bracket does not change how the rest of the file's newlines are read.
            let opener =
                c == UInt8(ascii: "}")
                ? UInt8(ascii: "{") : c == UInt8(ascii: ")") ? UInt8(ascii: "(") : UInt8(ascii: "[")
            if let match = brackets.lastIndex(of: opener) { brackets.removeSubrange(match...) }
            return make(c == UInt8(ascii: "}") ? .rbrace : c == UInt8(ascii: ")") ? .rparen : .rbracket)
        case UInt8(ascii: ","):
            advance()
            return make(.comma)
        case UInt8(ascii: ":"):
            advance()
            return make(.colon)
        case UInt8(ascii: "|"):
            advance()
            return make(.pipe)
        case UInt8(ascii: "'"):
            return make(.rawString(lexRawString(start: start)))
        case UInt8(ascii: "\""):
            return make(.template(lexTemplate(start: start)))
        case UInt8(ascii: "$"):
            if peek(1) == UInt8(ascii: "(") {
                advance()  // `$(` outside a string is the same as `(`
                advance()
                brackets.append(UInt8(ascii: "("))
                return make(.lparen)
            }
            if let v = lexVariable() { return make(.variable(name: v.name, path: v.path)) }
            return make(.word(lexWord()))
        default:
            return make(.word(lexWord()))
        }
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        switch c {
        case 32, 9, 10, 13, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"),
            UInt8(ascii: "\""), UInt8(ascii: "'"):
            return false
        default:
            return true
        }
    }

    private static func isNameByte(_ c: UInt8, first: Bool) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || (!first && c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private static func isSegmentByte(_ c: UInt8) -> Bool {
        isNameByte(c, first: false) || c == UInt8(ascii: "-")
    }

    private mutating func lexWord() -> String {
        let start = pos
        while let c = peek(), Lexer.isWordByte(c) {
            // A colon ends a word when what follows could not continue it: `{name: "x"}`.
            if c == UInt8(ascii: ":") && pos > start {
                let n = peek(1)
                if n == nil || n == 32 || n == 9 || n == 10 || n == 13 || !Lexer.isWordByte(n!) { break }
            }
            advance()
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    /// `$name` then `.segment`s; nil (nothing consumed) when `$` is not followed by a name.
    private mutating func lexVariable() -> (name: String, path: [String])? {
        guard let first = peek(1), Lexer.isNameByte(first, first: true) else { return nil }
        advance()  // $
        let nameStart = pos
        while let c = peek(), Lexer.isNameByte(c, first: false) { advance() }
        let name = String(decoding: bytes[nameStart..<pos], as: UTF8.self)
        var path: [String] = []
        while peek() == UInt8(ascii: "."), let n = peek(1), Lexer.isSegmentByte(n) {
            advance()
            let segStart = pos
            while let c = peek(), Lexer.isSegmentByte(c) { advance() }
            path.append(String(decoding: bytes[segStart..<pos], as: UTF8.self))
        }
        return (name, path)
    }

    private mutating func lexRawString(start: SourceLocation) -> String {
        advance()  // '
        var out: [UInt8] = []
        while let c = peek() {
            if c == UInt8(ascii: "'") {
                advance()
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "'") {
                advance()
            }
            out.append(bytes[pos])
            advance()
        }
        diagnostics.append(Diagnostic("unterminated string", at: start, hint: "close it with '"))
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func lexTemplate(start: SourceLocation) -> [TemplatePart] {
        advance()  // "
        var parts: [TemplatePart] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty {
                parts.append(.literal(String(decoding: text, as: UTF8.self)))
                text.removeAll()
            }
        }
        while let c = peek() {
            switch c {
            case UInt8(ascii: "\""):
                advance()
                flush()
                return parts
            case UInt8(ascii: "\\"):
                advance()
                guard let e = peek() else { continue }
                switch e {
                case UInt8(ascii: "n"): text.append(10)
                case UInt8(ascii: "t"): text.append(9)
                case UInt8(ascii: "r"): text.append(13)
                case UInt8(ascii: "0"): text.append(0)
                case UInt8(ascii: "e"): text.append(27)
                case 10: break  // backslash-newline continues the string's line
                default: text.append(e)  // \" \\ \$ and anything else: the character itself
                }
                advance()
            case UInt8(ascii: "$"):
                let loc = here
                if peek(1) == UInt8(ascii: "(") {
                    flush()
                    advance()
                    advance()
                    let innerStart = pos
                    let innerLine = line
                    let innerColumn = column
                    var depth = 1
                    var quote: UInt8? = nil
                    while let d = peek() {
                        if let q = quote {
                            if d == UInt8(ascii: "\\") { advance() } else if d == q { quote = nil }
                        } else if d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") {
                            quote = d
                        } else if d == UInt8(ascii: "(") {
                            depth += 1
                        } else if d == UInt8(ascii: ")") {
                            depth -= 1
                            if depth == 0 { break }
                        }
                        if peek() != nil { advance() }
                    }
                    if depth != 0 {
                        diagnostics.append(Diagnostic("unterminated $( in string", at: loc, hint: "close it with )"))
                        return parts
                    }
                    _ = (innerLine, innerColumn)
                    parts.append(.subexpression(start: innerStart, end: pos, at: loc))
                    advance()  // )
                } else if let v = lexVariable() {
                    flush()
                    parts.append(.variable(name: v.name, path: v.path, at: loc))
                } else {
                    text.append(c)
                    advance()
                }
            default:
                text.append(c)
                advance()
            }
        }
        diagnostics.append(Diagnostic("unterminated string", at: start, hint: "close it with \""))
        flush()
        return parts
    }
}
