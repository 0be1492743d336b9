/// The words of the command being typed, up to the cursor, split the way the lexer would split
/// them closely enough for completion: whitespace outside quotes, and a new command after `|`,
/// `;`, `(`, `{` or a newline.
struct CompletionContext: Equatable {
    /// Complete words before the one under the cursor, in the current command.
    var words: [String]
    /// The partial word under the cursor ("" right after a space).
    var current: String
    /// Character offset of `current` in the line.
    var currentStart: Int
    /// Whether the cursor is inside an open quote.
    var inQuote: Bool

    init(line: String, cursor: Int) {
        let chars = Array(line.prefix(cursor))
        var words: [String] = []
        var word = ""
        var wordStart = 0
        var quote: Character? = nil
        for (i, c) in chars.enumerated() {
            if let q = quote {
                word.append(c)
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'":
                if word.isEmpty { wordStart = i }
                quote = c
                word.append(c)
            case " ", "\t":
                if !word.isEmpty { words.append(word) }
                word = ""
            case "|", ";", "(", "{", "\n":
                words = []
                word = ""
            case "[", ")", "}", "]", ",":
                if !word.isEmpty { words.append(word) }
                word = ""
            default:
                if word.isEmpty { wordStart = i }
                word.append(c)
            }
        }
        self.words = words
        current = word
        currentStart = word.isEmpty ? chars.count : wordStart
        inQuote = quote != nil
    }
}
