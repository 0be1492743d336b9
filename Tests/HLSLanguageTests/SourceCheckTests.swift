import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// `hlsh -n` checks the files a script sources with a literal path, as `source` finds them.
final class SourceCheckTests: XCTestCase {
    /// Checks `main` as `hlsh -n` does; returns the exit status and standard error.
    func check(_ path: String) throws -> (status: Int32, err: String) {
        let err = CapturedText()
        let hls = HLS()
        let context = hls.context(out: CapturedText(), err: err)
        let runner = ScriptRunner(interpreter: Interpreter(registry: hls.registry, context: context), color: false)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return (runner.check(SourceFile(name: path, text: text)), err.value)
    }

    func testAnErrorInASourcedFileIsReportedAtItsOwnFileLineAndColumn() throws {
        let dir = try TemporaryDirectory()
        try dir.write("lib/common.hls", "def greet(who) { echo \"hello $who\" }\n\nlet = 3\n")
        let main = try dir.write("scripts/main.hls", "source \"../lib/common.hls\"\ngreet lab\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 2, err)
        XCTAssertTrue(
            err.hasPrefix("\(dir.path)/scripts/../lib/common.hls:3:5: error: expected a variable name after 'let'\n"),
            err)
        XCTAssertTrue(err.contains("    let = 3\n        ^\n"), "the sourced line is quoted: \(err)")
    }

    func testErrorsInNestedSourcesAndUnknownCommandsThereAreReported() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.hls", "source \"b.hls\"\n")
        try dir.write("b.hls", "echo fine\nsrot\n")
        let main = try dir.write("main.hls", "source \"a.hls\"\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 2, err)
        XCTAssertTrue(err.hasPrefix("\(dir.path)/b.hls:2:1: error: unknown command 'srot'\n"), err)
    }

    func testASourceCycleIsCheckedOnceAndEnds() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.hls", "source \"./b.hls\"\ndef fa() { 1 }\n")
        try dir.write("b.hls", "source \"./a.hls\"\nsource \"./b.hls\"\ndef fb() { 2 }\nlet = 1\n")
        let main = try dir.write("main.hls", "source \"a.hls\"\nfa\nfb\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 2, err)
        // One error, though b.hls is reached three ways.
        XCTAssertEqual(err.components(separatedBy: "error:").count - 1, 1, err)
        XCTAssertTrue(err.contains("b.hls:4:5: error: expected a variable name after 'let'"), err)
    }

    func testAFileSourcedTwiceIsReportedOnce() throws {
        let dir = try TemporaryDirectory()
        try dir.write("lib.hls", "echo (1 +)\n")
        try dir.write("a.hls", "source \"lib.hls\"\n")
        try dir.write("b.hls", "source \"lib.hls\"\n")
        let main = try dir.write("main.hls", "source \"a.hls\"\nsource \"b.hls\"\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 2, err)
        XCTAssertEqual(err.components(separatedBy: "error:").count - 1, 1, err)
    }

    func testAScriptWhoseSourcedFileDoesNotParseRunsNothing() throws {
        let dir = try TemporaryDirectory()
        try dir.write("lib.hls", "echo (1 +)\n")
        let main = try dir.write("main.hls", "echo first\nsource \"lib.hls\"\n")
        let result = try HLS().run(file: main)
        XCTAssertEqual(result.status, 2, result.err)
        XCTAssertEqual(result.out, "")
        XCTAssertTrue(
            result.err.hasPrefix("\(dir.path)/lib.hls:1:10: error: expected a value, found ')'\n"), result.err)
    }

    func testAMissingLiteralSourceIsAnErrorOfTheCheck() throws {
        let dir = try TemporaryDirectory()
        let main = try dir.write("main.hls", "echo hi\nsource \"nope.hls\"\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 1, "understood, but the file is not there (ADR 0054)")
        XCTAssertTrue(err.hasPrefix("\(main):2:8: error: cannot read \(dir.path)/nope.hls"), err)
    }

    func testACleanTreeOfSourcesPasses() throws {
        let dir = try TemporaryDirectory()
        try dir.write("lib.hls", "def greet(who) { helper $who }\n")
        // A sourced file may call a `def` of the script that sources it.
        let main = try dir.write("main.hls", "source \"lib.hls\"\ndef helper(x) { echo $x }\ngreet lab\n")
        let (status, err) = try check(main)
        XCTAssertEqual(status, 0, err)
    }
}
