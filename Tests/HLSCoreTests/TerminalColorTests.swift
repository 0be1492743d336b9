import Foundation
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

    /// `hlsh -n` describes its terminal from these variables alone: set, they must give what the
    /// whole environment gives, and nothing else of the environment comes with them.
    func testTheTerminalVariablesDescribeATerminalAsTheWholeEnvironmentDoes() {
        let names = ["COLUMNS", "FORCE_COLOR", "NO_COLOR", "TERM"]
        let saved = names.map { name in getenv(name).map { String(cString: $0) } }
        defer {
            for (name, value) in zip(names, saved) {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        for (force, noColor, term) in [("1", "", "xterm"), ("", "1", "xterm"), ("", "", "dumb"), ("0", "", "")] {
            setenv("COLUMNS", "97", 1)
            setenv("FORCE_COLOR", force, 1)
            setenv("NO_COLOR", noColor, 1)
            setenv("TERM", term, 1)
            let whole = ProcessInfo.processInfo.environment
            XCTAssertEqual(Set(Terminal.environmentVariables.keys), Set(names))
            for fd: Int32 in [1, 2] {
                XCTAssertEqual(
                    Terminal.detect(fd: fd, environment: Terminal.environmentVariables),
                    Terminal.detect(fd: fd, environment: whole), "FORCE_COLOR=\(force) NO_COLOR=\(noColor) TERM=\(term)"
                )
            }
        }
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
