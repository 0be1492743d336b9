import XCTest

@testable import HLSLanguage

/// The progress line fits the terminal: it counts columns, not bytes or characters, and keeps
/// the elapsed time when it has to cut.
final class ProgressTests: XCTestCase {
    func testALineThatFitsIsLeftAlone() {
        XCTAssertEqual(Progress.fitted("⠋ waiting for vm web", then: " (3s)", width: 80), "⠋ waiting for vm web (3s)")
        XCTAssertEqual(Progress.fitted("⠋ waiting", then: " (3s)", width: nil), "⠋ waiting (3s)")
    }

    func testALongLabelIsCutBeforeTheLastColumnKeepingTheElapsedTime() {
        let line = Progress.fitted("⠋ waiting for vm k3s-cp-01 to be running", then: " (12s)", width: 24)
        XCTAssertEqual(line, "⠋ waiting for vm… (12s)")
        XCTAssertEqual(Render.displayWidth(line), 23)
    }

    func testWideCharactersCountTwoColumns() {
        // Nine bytes per character would cut far too early; one column per character too late.
        let line = Progress.fitted("⠋ 節点節点節点節点節点", then: " (1s)", width: 16)
        XCTAssertEqual(line, "⠋ 節点節… (1s)")
        XCTAssertLessThanOrEqual(Render.displayWidth(line), 15)
    }

    func testATinyTerminalStillGetsALineNoWiderThanItself() {
        XCTAssertEqual(Render.displayWidth(Progress.fitted("⠋ waiting", then: " (12s)", width: 5)), 4)
    }
}
