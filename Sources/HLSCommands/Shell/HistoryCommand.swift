import HLSCore
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `history`: the interactive shell's saved lines (libedit's history file, which the shell
/// rewrites after every line; lines that carried secrets were never written).
enum HistoryCommand {
    static let spec = CommandSpec(
        ["history"], summary: "The interactive shell's history, oldest first",
        flags: [Flag("last", .int, "only the last N lines")],
        columns: ["n", "line"],
        examples: [Example("history --last 20", "the last twenty lines typed")],
        implementation: .query { inv in
            let path = inv.context.statePaths.historyFile
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .list([]) }
            var lines = text.split(separator: "\n").dropFirst(text.hasPrefix("_HiStOrY_V2_") ? 1 : 0).map {
                unvis(String($0))
            }
            if let last = inv.int("last") { lines = Array(lines.suffix(max(0, last))) }
            let first = max(
                0, (text.split(separator: "\n").count - (text.hasPrefix("_HiStOrY_V2_") ? 1 : 0)) - lines.count)
            return .list(
                lines.enumerated().map { i, line in
                    .record(Record([("n", .int(first + i + 1)), ("line", .string(line))]))
                })
        })

    /// Undoes libedit's `strvis` encoding of history lines (`\040` for a space, `\\` for `\`).
    static func unvis(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        func isOctal(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[(i + 1)...(i + 3)].allSatisfy(isOctal) {
                let value = bytes[(i + 1)...(i + 3)].reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                out.append(UInt8(truncatingIfNeeded: value))
                i += 4
            } else if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\"))
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
