import Foundation
import HLSLanguage
import TestSupport
import XCTest

/// The `--log` events the docs list are exactly those the run log writes (`RunLog.Event`):
/// docs/language.md's table under "The run log" and docs/runbook.md's `--log FILE` paragraph.
final class RunLogDocumentationTests: XCTestCase {
    static let events = Set(RunLog.Event.allCases.map(\.rawValue))

    static func document(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The first cell's `name` of each row of the first table after `heading`.
    static func tableEvents(_ markdown: String, after heading: String) -> Set<String> {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == heading }) else { return [] }
        let rows = lines[start...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return Set(rows.compactMap { row in row.split(separator: "`").dropFirst().first.map(String.init) })
    }

    /// The backquoted snake_case words of the paragraph (list item) that starts with `opening`.
    static func paragraphEvents(_ markdown: String, startingWith opening: String) -> Set<String> {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(opening) }) else { return [] }
        let paragraph = [lines[start]] + lines[(start + 1)...].prefix { $0.hasPrefix("  ") }
        let words = paragraph.joined(separator: " ").split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }
        return Set(words.map { String($0.element) }.filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
    }

    func testTheLanguageReferenceListsEveryEventOfTheRunLog() throws {
        let listed = Self.tableEvents(try Self.document("docs/language.md"), after: "## The run log")
        XCTAssertEqual(listed.subtracting(Self.events), [], "listed but never written")
        XCTAssertEqual(Self.events.subtracting(listed), [], "written but not listed")
    }

    func testTheRunbookListsEveryEventOfTheRunLog() throws {
        let listed = Self.paragraphEvents(try Self.document("docs/runbook.md"), startingWith: "- **`--log FILE`**")
        XCTAssertEqual(listed.subtracting(Self.events), [], "listed but never written")
        XCTAssertEqual(Self.events.subtracting(listed), [], "written but not listed")
    }

    func testTheExtractorsFindWhatTheyAreGiven() {
        let table = "## The run log\n\ntext\n\n| event | fields |\n|---|---|\n| `a_b` | x |\n| `c` | `d` |\n\nafter\n"
        XCTAssertEqual(Self.tableEvents(table, after: "## The run log"), ["a_b", "c"])
        let bullet = "- **`--log FILE`** writes `a_b` and `c` (see `Other`),\n  and `d`.\n- next `e`\n"
        XCTAssertEqual(Self.paragraphEvents(bullet, startingWith: "- **`--log FILE`**"), ["a_b", "c", "d"])
    }
}
