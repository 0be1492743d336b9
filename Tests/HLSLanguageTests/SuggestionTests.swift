import HLSCore
import HLSLanguage
import XCTest

/// "Did you mean": every candidate as close as the closest, prefixes of the word first.
final class SuggestionTests: XCTestCase {
    func testEveryCandidateAtTheBestDistanceIsOfferedPrefixesFirst() {
        XCTAssertEqual(Suggest.all("ech", in: ["each", "echo", "exit", "sort"]), ["echo", "each"])
        XCTAssertEqual(Suggest.all("shwo", in: ["show", "apply"]), ["show"])
        XCTAssertEqual(Suggest.all("zzzz", in: ["show", "apply"]), [])
        XCTAssertEqual(
            Suggest.didYouMean("ech", in: ["each", "echo"]), "did you mean one of these? 'echo', 'each'")
        XCTAssertEqual(Suggest.didYouMean("shwo", in: ["show"]), "did you mean 'show'?")
        XCTAssertNil(Suggest.didYouMean("zzzz", in: ["show"]))
    }

    func testAnUnknownCommandOffersEveryCloseCommand() {
        assertDiagnostic("1️⃣ech hi", "unknown command 'ech'", hint: "did you mean one of these? 'echo', 'each'")
    }

    func testAKeywordWhereAValueIsExpectedSaysWhatIsAllowed() {
        assertDiagnostic(
            "let x = 1️⃣for", "'for' is a statement, not a command",
            hint: "'for' begins a line (or follows ';' or '{')")
        let diagnostics = HLS().diagnostics("echo (while true { })")
        XCTAssertFalse(diagnostics.contains { $0.hint?.contains("did you mean 'while'") == true }, "\(diagnostics)")
    }

    func testIfGivesAValueInsideParentheses() {
        XCTAssertEqual(output("echo (if true {1} else {2})"), "1\n")
        XCTAssertEqual(
            output(
                "let n = 5\nlet size = (if $n > 3 { \"big\" } elif $n > 1 { \"mid\" } else { \"small\" })\necho $size"),
            "big\n")
        XCTAssertEqual(output("echo (if false { 1 } | to json)"), "null\n")
        XCTAssertEqual(output("let x = if true { \"yes\" } else { \"no\" }\necho $x"), "yes\n")
    }
}
