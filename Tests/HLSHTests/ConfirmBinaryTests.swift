import Foundation
import TestSupport
import XCTest

/// `confirm` through the built binary: it asks on the terminal (standard input), refuses when
/// standard input is a pipe, and `-y` answers for the whole run.
final class ConfirmBinaryTests: XCTestCase {
    let code = #"if (confirm "Destroy every VM?") { echo went } else { echo kept }"#

    func testItAsksOnTheTerminalAndReadsTheAnswer() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed (scripts/test installs it)")
        }
        let state = try TemporaryDirectory("hlsh-confirm")
        for (answer, expected) in [("y", "went"), ("no", "kept")] {
            let t = try TmuxTerminal(
                command: ["/bin/sh", "-c", "\(BuiltBinary.hlsh) -c '\(code)'; echo exit=$?; sleep 30"],
                environment: ["HOME": state.path, "XDG_STATE_HOME": state.file("state"), "NO_COLOR": "1"],
                directory: state.path)
            defer { t.close() }
            try t.waitFor("the question") { $0.contains("Destroy every VM? [y/N] ") }
            try t.type(answer)
            try t.press("Enter")
            try t.waitFor("the answer's branch and the exit status") {
                $0.contains("\n\(expected)\nexit=0")
            }
        }
    }

    func testWithoutATerminalItRefusesUnlessYes() throws {
        let refused = try BuiltBinary.run(["-c", code], stdin: "y\n")
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertTrue(refused.stderr.contains(#"confirm: no terminal to ask "Destroy every VM?""#), refused.stderr)

        let yes = try BuiltBinary.run(["-y", "-c", code])
        XCTAssertEqual(yes.status, 0, yes.stderr)
        XCTAssertEqual(yes.stdout, "went\n")
    }
}
