/// A short list of short ASCII words (keywords, operators), each packed into one integer, so
/// a token is checked against all of them with an integer comparison or two apiece.
struct WordTable: Sendable {
    let words: [String]
    private let keys: [UInt64]
    private let counts: [Int]

    init(_ words: [String]) {
        precondition(words.allSatisfy { $0.utf8.count <= 8 && $0.utf8.allSatisfy { $0 < 0x80 } })
        self.words = words
        self.counts = words.map(\.utf8.count)
        self.keys = words.map { word in
            Array(word.utf8).withUnsafeBufferPointer { WordTable.key($0) }
        }
    }

    /// Up to 8 bytes, the first in the lowest byte.
    private static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        for (i, b) in bytes.enumerated() { key |= UInt64(b) << (8 * UInt64(i)) }
        return key
    }

    /// The word whose bytes are `bytes`, if it is in the table.
    func word(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count <= 8 else { return nil }
        let key = WordTable.key(bytes)
        for i in keys.indices where keys[i] == key && counts[i] == bytes.count { return words[i] }
        return nil
    }
}
