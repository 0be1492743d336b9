import Foundation

/// What the documentation tests read of a Markdown file.
public enum Markdown {
    /// A fenced code block: its info string (`hls`, `sh`, `text`, or empty), the line number of
    /// its first line of code, and its text.
    public struct Block: Sendable {
        public var info: String
        public var line: Int
        public var text: String
    }

    /// The fenced (```) blocks of a Markdown text, in order; a fence may be indented (a block
    /// inside a list item).
    public static func blocks(_ markdown: String) -> [Block] {
        var blocks: [Block] = []
        var current: (info: String, line: Int, lines: [String])? = nil
        for (n, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let info = fence(line) {
                if let c = current {
                    blocks.append(Block(info: c.info, line: c.line, text: c.lines.map { $0 + "\n" }.joined()))
                    current = nil
                } else {
                    current = (info, n + 2, [])
                }
            } else if current != nil {
                current!.lines.append(String(line))
            }
        }
        return blocks
    }

    /// The info string of a fence line (```` ```hls ````, possibly indented), or nil.
    static func fence(_ line: Substring) -> String? {
        let text = line.drop { $0 == " " }
        guard text.hasPrefix("```") else { return nil }
        return String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces)
    }

    /// The targets of the inline links (`[text](target)`) outside code blocks, with their
    /// line numbers.
    public static func links(_ markdown: String) -> [(line: Int, target: String)] {
        var links: [(Int, String)] = []
        var inBlock = false
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        for (n, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if fence(line) != nil { inBlock.toggle() }
            guard !inBlock else { continue }
            let text = String(line)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { links.append((n + 1, String(text[range]))) }
            }
        }
        return links
    }
}
