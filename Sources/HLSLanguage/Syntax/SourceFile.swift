import HLSCore

/// A script's text with its name, kept so diagnostics can quote the offending line.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// Every line's bytes without its newline, in order: `lines()[n - 1]` is `line(n)`, for many
    /// lines of one file.
    public func lines() -> [ArraySlice<UInt8>] {
        bytes.split(separator: 10, omittingEmptySubsequences: false)
    }

    /// The text of 1-based line `n`, without its newline.
    public func line(_ n: Int) -> String? {
        var current = 1
        var start = 0
        var i = 0
        while i < bytes.count {
            if current == n { break }
            if bytes[i] == 10 {
                current += 1
                start = i + 1
            }
            i += 1
        }
        guard current == n, start <= bytes.count else { return nil }
        var end = start
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
