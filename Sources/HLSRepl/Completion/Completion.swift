/// What a Tab press offers: the candidates for the word under the cursor, and where that word
/// starts (a character offset into the line), so the editor can replace it.
public struct Completion: Sendable, Equatable {
    public struct Candidate: Sendable, Equatable {
        /// The full text that replaces the word.
        public var text: String
        /// A short note for listings (`stopped`, `<duration>`, a verb's summary).
        public var detail: String?
        /// Whether a space should follow when it is the only candidate (not after `dir/`).
        public var isFinal: Bool

        public init(_ text: String, detail: String? = nil, isFinal: Bool = true) {
            self.text = text
            self.detail = detail
            self.isFinal = isFinal
        }
    }

    public var wordStart: Int
    public var word: String
    public var candidates: [Candidate]

    public init(wordStart: Int, word: String, candidates: [Candidate]) {
        self.wordStart = wordStart
        self.word = word
        self.candidates = candidates
    }

    /// The longest text every candidate begins with.
    public var commonPrefix: String {
        guard var prefix = candidates.first?.text else { return "" }
        for c in candidates.dropFirst() {
            while !c.text.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
