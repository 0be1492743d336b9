import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// `help if`, `help let`: every keyword of the language has a short help with an example,
/// and every example runs and prints what the help says.
final class KeywordHelpTests: XCTestCase {
    func testEveryKeywordHasHelp() {
        for keyword in Parser.keywords {
            let result = HLS().run("help \(keyword)")
            XCTAssertEqual(result.status, 0, "help \(keyword): \(result.err)")
            XCTAssertTrue(result.out.contains("Example:\n"), "help \(keyword):\n\(result.out)")
        }
        XCTAssertTrue(output("help let").hasPrefix("let — "), output("help let"))
        XCTAssertTrue(output("help else").hasPrefix("if, elif, else — "), output("help else"))
    }

    func testEveryKeywordExampleRunsAndPrintsItsOutput() throws {
        // The `source` example reads lib/common.hls beside the script; the help says what it holds.
        let dir = try TemporaryDirectory()
        try dir.write("lib/common.hls", KeywordHelp.sourcedLibrary)
        XCTAssertFalse(KeywordHelp.entries.isEmpty)
        for entry in KeywordHelp.entries {
            let result = HLS().run(entry.example, name: dir.file("example.hls"))
            XCTAssertEqual(result.status, 0, "example of \(entry.keywords): \(result.err)")
            XCTAssertEqual(result.out, entry.output, "output of the example of \(entry.keywords)")
        }
    }
}
