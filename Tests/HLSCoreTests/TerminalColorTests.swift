import HLSCore
import XCTest

final class TerminalColorTests: XCTestCase {
    func testForceColorWinsOverNoColorAndPipes() {
        XCTAssertTrue(Terminal.colorWanted(isTTY: false, environment: ["FORCE_COLOR": "1", "NO_COLOR": "1"]))
    }

    func testForceColorZeroMeansNoColor() {
        XCTAssertFalse(Terminal.colorWanted(isTTY: true, environment: ["FORCE_COLOR": "0"]))
    }

    func testNonEmptyNoColorDisablesColorOnATerminal() {
        XCTAssertFalse(Terminal.colorWanted(isTTY: true, environment: ["NO_COLOR": "1"]))
    }

    func testEmptyNoColorIsIgnored() {
        XCTAssertTrue(Terminal.colorWanted(isTTY: true, environment: ["NO_COLOR": ""]))
    }

    func testDumbTerminalGetsNoColor() {
        XCTAssertFalse(Terminal.colorWanted(isTTY: true, environment: ["TERM": "dumb"]))
    }

    func testColorFollowsIsattyOtherwise() {
        XCTAssertTrue(Terminal.colorWanted(isTTY: true, environment: ["TERM": "xterm-256color"]))
        XCTAssertFalse(Terminal.colorWanted(isTTY: false, environment: ["TERM": "xterm-256color"]))
    }

    func testPaintWrapsInSGRCodesOnlyForAColourTerminal() {
        let colour = Terminal(isTTY: true, color: true, width: nil)
        XCTAssertEqual(TerminalColor.red.paint("failed", on: colour), "\u{1B}[31mfailed\u{1B}[0m")
        XCTAssertEqual(TerminalColor.header.paint("state", on: colour), "\u{1B}[1;32mstate\u{1B}[0m")
        XCTAssertEqual(TerminalColor.green.paint("ok", on: .plain), "ok")
        XCTAssertEqual(TerminalColor.yellow.paint("", on: colour), "")
    }

    func testColumnsEnvironmentGivesWidthWhenNotATerminal() {
        let t = Terminal.detect(fd: -1, environment: ["COLUMNS": "77"])
        XCTAssertFalse(t.isTTY)
        XCTAssertEqual(t.width, 77)
    }
}
