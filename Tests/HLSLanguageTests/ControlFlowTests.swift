import HLSCore
import HLSLanguage
import XCTest

final class ControlFlowTests: XCTestCase {
    func testIfElifElse() {
        let code = """
            def size(n) {
                if $n < 10 { "small" }
                elif $n < 100 { "medium" }
                else { "large" }
            }
            echo (size 1) (size 50) (size 500)
            """
        XCTAssertEqual(output(code), "small medium large\n")
    }

    func testElseMayFollowTheBraceOnTheSameLine() {
        XCTAssertEqual(output("if false { echo a } elif true { echo b } else { echo c }"), "b\n")
    }

    func testElseIfIsExplained() {
        assertDiagnostic("if true { } else 1️⃣if false { }", "write 'elif', not 'else if'")
    }

    func testConditionsMustBeBools() {
        let err = failure(#"if "yes" { echo x }"#)
        XCTAssertTrue(err.contains("a condition must be true or false, got string yes"), err)
    }

    func testNullIsFalse() {
        XCTAssertEqual(output("if null { echo a } else { echo b }"), "b\n")
    }

    func testForOverListsTablesAndRecords() {
        XCTAssertEqual(output("for x in [1, 2] { echo $x }"), "1\n2\n")
        XCTAssertEqual(output("for vm in [{n: a}, {n: b}] { echo $vm.n }"), "a\nb\n")
        XCTAssertEqual(output("for f in {a: 1, b: 2} { echo $f.key $f.value }"), "a 1\nb 2\n")
        XCTAssertEqual(output("for x in null { echo $x }\necho done"), "done\n")
    }

    func testForOverAScalarIsAnError() {
        XCTAssertTrue(failure("for x in 5 { }").contains("cannot loop over an int"))
    }

    func testWhile() {
        XCTAssertEqual(output("let i = 0\nwhile $i < 3 { set i = $i + 1; echo $i }"), "1\n2\n3\n")
    }

    func testBreakAndContinue() {
        XCTAssertEqual(
            output("for x in [1, 2, 3, 4, 5] { if $x == 2 { continue }; if $x == 4 { break }; echo $x }"), "1\n3\n")
        XCTAssertEqual(output("let i = 0\nwhile true { set i = $i + 1; if $i == 3 { break } }\necho $i"), "3\n")
    }

    func testBreakOutsideALoopIsAnError() {
        XCTAssertTrue(failure("break").contains("'break' outside a loop"))
        XCTAssertTrue(failure("continue").contains("'continue' outside a loop"))
    }

    func testStatementsEndAtSemicolonsAndNewlines() {
        XCTAssertEqual(output("echo a; echo b\necho c"), "a\nb\nc\n")
    }

    func testCommentsAreIgnored() {
        XCTAssertEqual(output("# a comment\necho a # trailing\n  # indented"), "a\n")
    }

    func testBackslashContinuesALongCommand() {
        XCTAssertEqual(output("echo one \\\n    two \\\n    three"), "one two three\n")
    }

    func testAPipelineMayContinueAfterABarAtTheEndOfALine() {
        XCTAssertEqual(output("[3, 1, 2] |\n    sort |\n    to json"), "[1,2,3]\n")
    }

    func testExitEndsTheScriptWithItsStatus() {
        let result = HLS().run("echo before\nexit 7\necho after")
        XCTAssertEqual(result.status, 7)
        XCTAssertEqual(result.out, "before\n")
        XCTAssertEqual(HLS().run("exit").status, 0)
        XCTAssertEqual(HLS().run("def f() { exit 3 }\nf\necho after").status, 3)
    }

    func testExitStatusMustBeAByte() {
        XCTAssertTrue(failure("exit 256").contains("exit needs a status from 0 to 255"))
    }

    func testEveryStatementValueIsPrintedAtTopLevel() {
        XCTAssertEqual(output("1 + 1\n\"text\"\n[1, 2]"), "2\ntext\n1\n2\n")
    }
}
