import Foundation

/// The fenced code blocks of a Markdown text (```INFO … ```): their info string, the line of
/// their first text line (1-based) and their text, each line ending in a newline.
public func fencedBlocks(_ markdown: String) -> [(info: String, line: Int, text: String)] {
    var blocks: [(String, Int, String)] = []
    var current: (info: String, line: Int, lines: [String])? = nil
    for (n, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if line.hasPrefix("```") {
            if let c = current {
                blocks.append((c.info, c.line, c.lines.map { $0 + "\n" }.joined()))
                current = nil
            } else {
                current = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), n + 2, [])
            }
        } else if current != nil {
            current!.lines.append(String(line))
        }
    }
    return blocks
}
