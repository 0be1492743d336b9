/// What the lexer hands the parser: the tokens, and the decoded values of the strings and
/// variables among them (`Token.payload` indexes these). A word's text stays in `bytes`,
/// the source's UTF-8, until the parser asks for it.
public struct Tokens: Sendable {
    public var tokens: [Token] = []
    public var strings: [String] = []
    /// The parts of every double-quoted string, one after another; `templates` has each
    /// string's range (one array for all, not one per string).
    public var templateParts: [TemplatePart] = []
    public var templates: [Range<Int>] = []
    public var variables: [(name: String, path: [String])] = []
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Drops the values before the given indexes of each side table (tokens that used them
    /// were dropped); the tokens left move their payloads by as much.
    mutating func forget(strings: Int, templates: Int, variables: Int) {
        self.strings.removeSubrange(0..<strings)
        let firstPart = templates < self.templates.count ? self.templates[templates].lowerBound : templateParts.count
        templateParts.removeSubrange(0..<firstPart)
        self.templates.removeSubrange(0..<templates)
        for i in self.templates.indices {
            self.templates[i] = (self.templates[i].lowerBound - firstPart)..<(self.templates[i].upperBound - firstPart)
        }
        self.variables.removeSubrange(0..<variables)
    }

    /// The parts of a `.template` token.
    func parts(of token: Token) -> ArraySlice<TemplatePart> { templateParts[templates[Int(token.payload)]] }

    /// The source text of `token` (a word's text).
    public func text(of token: Token) -> String {
        String(decoding: bytes[Int(token.offset)..<Int(token.end)], as: UTF8.self)
    }

    /// Whether `token` is the word `word`, compared byte by byte without building a `String`.
    func isWord(_ token: Token, _ word: StaticString) -> Bool {
        guard token.kind == .word, Int(token.end - token.offset) == word.utf8CodeUnitCount else { return false }
        let start = Int(token.offset)
        return word.withUTF8Buffer { expected in
            for i in 0..<expected.count where bytes[start + i] != expected[i] { return false }
            return true
        }
    }

    /// The one of `table`'s words that `token` spells: a word that is none of them is never
    /// turned into a `String` or hashed.
    func word(_ token: Token, in table: WordTable) -> String? {
        guard token.kind == .word else { return nil }
        return bytes.withUnsafeBufferPointer {
            table.word(UnsafeBufferPointer(rebasing: $0[Int(token.offset)..<Int(token.end)]))
        }
    }

    /// Whether `token` is a word that `Parser.isCommandName` accepts, read from its bytes.
    func isCommandName(_ token: Token) -> Bool {
        guard token.kind == .word else { return false }
        let ascii = bytes.withUnsafeBufferPointer {
            Parser.isASCIIName(
                UnsafeBufferPointer(rebasing: $0[Int(token.offset)..<Int(token.end)]), extra: UInt8(ascii: "-"))
        }
        return ascii ?? Parser.isCommandName(text(of: token))
    }

    /// The first byte of `token`'s text (0 for an empty range).
    func firstByte(_ token: Token) -> UInt8 {
        token.end > token.offset ? bytes[Int(token.offset)] : 0
    }
}
