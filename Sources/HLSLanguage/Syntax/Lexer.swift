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
    /// The literal text of the string being lexed, kept between strings for its capacity.
    var scratch: [UInt8] = []
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

    /// Every token up to and including `.eof`, with the values of its strings and variables.
    @_optimize(speed) public mutating func tokenize() -> Tokens {
        var out = Tokens(bytes: bytes)
        // A token per two bytes is more than any real script has, so the array never grows
        // (and copies itself); a large one is mapped, and its untouched pages cost nothing.
        out.tokens.reserveCapacity(max(16, (end - pos) / 2 + 1))
        // Likewise for the parts of strings: growing copies the array into fresh pages.
        out.templateParts.reserveCapacity(max(4, (end - pos) / 16))
        out.variables.reserveCapacity(max(4, (end - pos) / 32))
        while true {
            let token = next(into: &out)
            out.tokens.append(token)
            if token.kind == .eof { break }
        }
        return out
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

    @_optimize(speed) mutating func next(into out: inout Tokens) -> Token {
        var sawSpace = false
        while let c = peek() {
            if c == 32 || c == 9 || c == 13 {
                skipWithinLine { b, i in b[i] == 32 || b[i] == 9 || b[i] == 13 }
                sawSpace = true
            } else if c == UInt8(ascii: "\\"), peek(1) == 10 || (peek(1) == 13 && peek(2) == 10) {
                advance()
                if peek() == 13 { advance() }
                advance()
                sawSpace = true
            } else if c == UInt8(ascii: "#") {
                skipComment()
            } else if c == 10 && newlinesAreSpace {
                advance()
                sawSpace = true
            } else {
                break
            }
        }
        let start = here
        let offset = pos
        func make(_ kind: Token.Kind, end: Int, payload: Int = 0) -> Token {
            Token(kind, at: start, spaceBefore: sawSpace, offset: offset, end: end, payload: payload)
        }
        guard let c = peek() else { return make(.eof, end: pos) }

        switch c {
        case 10:
            advance()
            return make(.newline, end: pos)
        case UInt8(ascii: ";"):
            advance()
            return make(.semicolon, end: pos)
        case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
            advance()
            brackets.append(c)
            return make(c == UInt8(ascii: "{") ? .lbrace : c == UInt8(ascii: "(") ? .lparen : .lbracket, end: pos)
        case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
            advance()
            // Close the innermost matching opener (and anything left open inside it), so one
            // stray bracket does not change how the rest of the file's newlines are read.
            let opener =
                c == UInt8(ascii: "}")
                ? UInt8(ascii: "{") : c == UInt8(ascii: ")") ? UInt8(ascii: "(") : UInt8(ascii: "[")
            if let match = brackets.lastIndex(of: opener) { brackets.removeLast(brackets.count - match) }
            return make(c == UInt8(ascii: "}") ? .rbrace : c == UInt8(ascii: ")") ? .rparen : .rbracket, end: pos)
        case UInt8(ascii: ","):
            advance()
            return make(.comma, end: pos)
        case UInt8(ascii: ":"):
            advance()
            return make(.colon, end: pos)
        case UInt8(ascii: "|"):
            advance()
            return make(.pipe, end: pos)
        case UInt8(ascii: "'"):
            out.strings.append(lexRawString(start: start))
            return make(.rawString, end: pos, payload: out.strings.count - 1)
        case UInt8(ascii: "\""):
            let first = out.templateParts.count
            lexTemplate(start: start, into: &out.templateParts)
            out.templates.append(first..<out.templateParts.count)
            return make(.template, end: pos, payload: out.templates.count - 1)
        case UInt8(ascii: "$"):
            if peek(1) == UInt8(ascii: "(") {
                advance()  // `$(` outside a string is the same as `(`
                advance()
                brackets.append(UInt8(ascii: "("))
                return make(.lparen, end: pos)
            }
            if let v = lexVariable() {
                out.variables.append(v)
                return make(.variable, end: pos, payload: out.variables.count - 1)
            }
            lexWord()
            return make(.word, end: pos)
        default:
            lexWord()
            return make(.word, end: pos)
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

    /// Moves past a word; its text is its byte range.
    @_optimize(speed) private mutating func lexWord() {
        let start = pos
        let end = self.end
        skipWithinLine { b, i in
            let c = b[i]
            // A colon ends a word when what follows could not continue it: `{name: "x"}`.
            return Lexer.isWordByte(c)
                && !(c == UInt8(ascii: ":") && i > start && (i + 1 == end || !Lexer.isWordByte(b[i + 1])))
        }
    }

    /// Moves on while `continues(bytes, index)` holds, which it must not for a newline: only
    /// the column moves (by the characters' first bytes).
    private mutating func skipWithinLine(_ continues: (UnsafeBufferPointer<UInt8>, Int) -> Bool) {
        var i = pos
        var columns = 0
        let end = self.end
        bytes.withUnsafeBufferPointer { b in
            while i < end && continues(b, i) {
                if b[i] & 0xC0 != 0x80 { columns += 1 }
                i += 1
            }
        }
        pos = i
        column += columns
    }

    /// Moves to the newline (or end) that ends a `#` comment.
    @_optimize(speed) private mutating func skipComment() {
        skipWithinLine { b, i in b[i] != 10 }
    }

    /// `$name` then `.segment`s; nil (nothing consumed) when `$` is not followed by a name.
    @_optimize(speed) private mutating func lexVariable() -> (name: String, path: [String])? {
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

    /// The scratch buffer, emptied; the caller hands it back when done.
    private mutating func takeScratch() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &scratch)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    private mutating func lexRawString(start: SourceLocation) -> String {
        advance()  // '
        var out = takeScratch()
        defer { scratch = out }
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

    /// Appends the parts of the string that starts here to `parts`.
    @_optimize(speed) private mutating func lexTemplate(start: SourceLocation, into parts: inout [TemplatePart]) {
        advance()  // "
        var text = takeScratch()
        defer { scratch = text }
        while let c = peek() {
            switch c {
            case UInt8(ascii: "\""):
                advance()
                Lexer.flush(&text, into: &parts)
                return
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
                    Lexer.flush(&text, into: &parts)
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
                        return
                    }
                    _ = (innerLine, innerColumn)
                    parts.append(.subexpression(start: innerStart, end: pos, at: loc))
                    advance()  // )
                } else if let v = lexVariable() {
                    Lexer.flush(&text, into: &parts)
                    parts.append(.variable(name: v.name, path: v.path, at: loc))
                } else {
                    text.append(c)
                    advance()
                }
            case 10:
                text.append(c)
                advance()
            default:
                lexText(into: &text)
            }
        }
        diagnostics.append(Diagnostic("unterminated string", at: start, hint: "close it with \""))
        Lexer.flush(&text, into: &parts)
    }

    /// Moves past plain text in a double-quoted string (up to a quote, `\`, `$` or newline),
    /// appending it to `text`.
    @_optimize(speed) private mutating func lexText(into text: inout [UInt8]) {
        let runStart = pos
        skipWithinLine { b, i in
            let d = b[i]
            return d != UInt8(ascii: "\"") && d != UInt8(ascii: "\\") && d != UInt8(ascii: "$") && d != 10
        }
        text.append(contentsOf: bytes[runStart..<pos])
    }

    /// Ends a literal part of a string: `text`, if any, becomes a part.
    private static func flush(_ text: inout [UInt8], into parts: inout [TemplatePart]) {
        if !text.isEmpty {
            parts.append(.literal(String(decoding: text, as: UTF8.self)))
            text.removeAll(keepingCapacity: true)
        }
    }
}
