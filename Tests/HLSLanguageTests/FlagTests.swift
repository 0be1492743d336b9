import HLSCore
import HLSLanguage
import XCTest

/// `--name value`, `--name=value`, short flags and switches.
final class FlagTests: XCTestCase {
    func testAFlagTakesTheNextWordOrTheTextAfterAnEqualsSign() {
        XCTAssertEqual(output("[1, 3, 2] | sort --desc | to json"), "[3,2,1]\n")
        XCTAssertEqual(output("[1, 3, 2] | sort -r | to json"), "[3,2,1]\n")
        XCTAssertEqual(output("[1, 3, 2] | sort --desc=false | to json"), "[1,2,3]\n")
        XCTAssertEqual(output("wait 1 --until $it == 1 --timeout=1s --every=1ms"), "1\n")
    }

    func testAnEqualsSignValueMayBeAVariableOrAnInterpolation() {
        XCTAssertEqual(output("let t = {limit: 1s}\nwait 1 --until $it == 1 --timeout=$t.limit --every=$(1ms)"), "1\n")
        XCTAssertEqual(output(#"def greet(--who) { "hi $who" }; echo (greet --who="the lab")"#), "hi the lab\n")
    }

    func testAnUnknownVariableInAnEqualsSignValueIsPlacedInIt() {
        let marked = MarkedSource("wait 1 --until true --timeout=1️⃣$limit")
        let err = failure(marked.text)
        XCTAssertTrue(err.hasPrefix("test.hls:\(marked["1️⃣"]): error: unknown variable $limit\n"), err)
    }

    func testAFlagOfTheWrongTypeSaysWhatItExpects() {
        let marked = MarkedSource("wait 1 --until true --timeout 1️⃣soon")
        let err = failure(marked.text, status: 2)
        XCTAssertTrue(
            err.hasPrefix(
                "test.hls:\(marked["1️⃣"]): error: wait: --timeout expects a duration such as 90s, 5m or 1h30m, got string soon\n"
            ),
            err)
    }

    func testAChoiceSuggestsTheNearestWord() {
        let err = failure("{a: 1} | to jsno", status: 2)
        XCTAssertTrue(err.contains("to: <format> must be one of json, yaml, table, not 'jsno'"), err)
        XCTAssertTrue(err.contains("hint: did you mean 'json'?"), err)
    }

    func testPrettyAndCompactExcludeEachOther() {
        XCTAssertTrue(
            failure("{a: 1} | to json --pretty --compact", status: 2).contains(
                "--pretty and --compact exclude each other"))
    }

    func testAFlagWithoutItsValue() {
        assertDiagnostic("wait 1 --until true 1️⃣--every", "'--every' needs a value (duration)")
    }
}
