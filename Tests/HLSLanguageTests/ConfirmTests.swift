import HLSCore
import HLSLanguage
import XCTest

/// `confirm`: the gate before a destructive step — asks on a terminal, --yes answers for a whole
/// run, a dry run goes on to show its plan, and without a terminal it refuses.
final class ConfirmTests: XCTestCase {
    let code = #"if (confirm "Destroy every VM?") { echo go } else { echo kept }"#

    /// A terminal that answers `answer` and records the prompts it was shown.
    func terminal(_ answer: String?) -> (HLS, Locked<[String]>) {
        let prompts = Locked<[String]>([])
        var hls = HLS()
        hls.ask = { prompt in
            prompts.set(prompts.value + [prompt])
            return answer
        }
        return (hls, prompts)
    }

    func testYOrYesFromTheTerminalIsTrueAnythingElseFalse() {
        for (answer, expected) in [
            ("y", "go"), ("YES", "go"), (" yes ", "go"), ("", "kept"), ("n", "kept"), ("yess", "kept"),
        ] {
            let (hls, prompts) = terminal(answer)
            XCTAssertEqual(output(code, hls), expected + "\n", "answer '\(answer)'")
            XCTAssertEqual(prompts.value, ["Destroy every VM? [y/N] "])
        }
        // End of input on the terminal (Ctrl-D) is no.
        XCTAssertEqual(output(code, terminal(nil).0), "kept\n")
    }

    func testWithoutATerminalItRefusesAndNamesTheWayOut() {
        let result = HLS().run(code)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.out, "")
        XCTAssertTrue(result.err.contains(#"error: confirm: no terminal to ask "Destroy every VM?""#), result.err)
        XCTAssertTrue(
            result.err.contains("hint: run it from a terminal, or answer yes with hlsh --yes (-y)"), result.err)
    }

    func testYesAndDryRunAnswerWithoutAsking() {
        var yes = terminal("n").0
        yes.options.assumeYes = true
        let answered = yes.run(code)
        XCTAssertEqual(answered.out, "go\n")
        XCTAssertTrue(answered.err.contains("Destroy every VM? [y/N] yes (--yes)"), answered.err)

        var dry = terminal("n").0
        dry.options.dryRun = true
        let planned = dry.run(code)
        XCTAssertEqual(planned.out, "go\n")
        XCTAssertTrue(planned.err.contains("not asked in a dry run"), planned.err)
    }
}
