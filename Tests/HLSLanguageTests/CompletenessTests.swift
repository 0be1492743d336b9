import HLSLanguage
import XCTest

/// When typed or piped text is a whole statement, and when it may still go on.
final class CompletenessTests: XCTestCase {
    func testOpenBracketsQuotesContinuationsAndPipesNeedMore() {
        XCTAssertTrue(Completeness.needsMore("for x in [1] {\n"))
        XCTAssertTrue(Completeness.needsMore("let x = [1,\n"))
        XCTAssertTrue(Completeness.needsMore("echo \"open\n"))
        XCTAssertTrue(Completeness.needsMore("echo a \\\n"))
        XCTAssertTrue(Completeness.needsMore("[1] |\n"))
        XCTAssertFalse(Completeness.needsMore("echo a\n"))
        XCTAssertFalse(Completeness.needsMore("echo \"{\" # {\n"))
        XCTAssertTrue(Completeness.needsMore("[1] | # sort next\n"))
        XCTAssertTrue(Completeness.needsMore("echo a#b {\n"), "a # inside a word is no comment")
    }

    func testAClosedBlockMayBeFollowedByElifElseOrCatch() {
        XCTAssertTrue(Completeness.mayContinue("if true {\n  echo a\n}\n"))
        XCTAssertTrue(Completeness.mayContinue("try { x } # done\n"))
        XCTAssertFalse(Completeness.mayContinue("echo a\n"))
        XCTAssertTrue(Completeness.continuesPrevious("else {"))
        XCTAssertTrue(Completeness.continuesPrevious("  elif $x > 1 {"))
        XCTAssertTrue(Completeness.continuesPrevious("catch e {"))
        XCTAssertTrue(Completeness.continuesPrevious("else{"))
        XCTAssertFalse(Completeness.continuesPrevious("elsewhere"))
        XCTAssertFalse(Completeness.continuesPrevious("echo else"))
    }
}
