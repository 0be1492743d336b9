/// A short list of short ASCII words (keywords, operators), each packed into one integer, so
/// a token is checked against all of them with an integer comparison or two apiece.
struct WordTable: Sendable {
    let words: [String]
    private let keys: [UInt64]
    private let counts: [Int]
    /// Bit `n` set when a word has `n` bytes, and bit `b` of `firstBytes` when one begins with
    /// byte `b` (< 128): most words of a script are in no table, and these turn them away
    /// before their key is made.
    private let lengths: UInt16
    private let firstBytes: (low: UInt64, high: UInt64)

    init(_ words: [String]) {
        precondition(words.allSatisfy { !$0.isEmpty && $0.utf8.count <= 8 && $0.utf8.allSatisfy { $0 < 0x80 } })
        self.words = words
        self.counts = words.map(\.utf8.count)
        self.keys = words.map { word in
            Array(word.utf8).withUnsafeBufferPointer { WordTable.key($0) }
        }
        lengths = counts.reduce(0) { $0 | UInt16(1) << UInt16($1) }
        firstBytes = words.reduce((0, 0)) { masks, word in
            let b = word.utf8.first!
            return b < 64 ? (masks.0 | 1 << UInt64(b), masks.1) : (masks.0, masks.1 | 1 << UInt64(b - 64))
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
        guard bytes.count <= 8, lengths & (1 << UInt16(bytes.count)) != 0 else { return nil }
        let b = bytes[0]
        guard b < 128, (b < 64 ? firstBytes.low >> UInt64(b) : firstBytes.high >> UInt64(b - 64)) & 1 != 0 else {
            return nil
        }
        let key = WordTable.key(bytes)
        for i in keys.indices where keys[i] == key && counts[i] == bytes.count { return words[i] }
        return nil
    }
}
