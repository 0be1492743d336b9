import HLSCore
import HLSLanguage
import XCTest

final class ProcedureTests: XCTestCase {
    /// A def written another way (bash's `foo x`, no name) is shown its form.
    func testAMisshapenDefIsShownTheForm() {
        assertDiagnostic(
            "def foo 1️⃣x { echo }", "expected '{' to begin the body of 'foo', found 'x'",
            hint: "parameters go in parentheses: def foo(a, b = 1, --force) { … }")
        assertDiagnostic(
            "def 1️⃣(x) { }", "expected a procedure name after 'def'",
            hint: "def NAME(a, b = 1, --force) { … }: a name, the parameters in parentheses, then the body")
    }

    func testAProcedureIsCalledLikeACommand() {
        XCTAssertEqual(output(#"def twice(s) { echo "$s$s" }; twice ab"#), "abab\n")
    }

    func testAProcedureIsAValueInParentheses() {
        XCTAssertEqual(
            output(#"def twice(s) { return "$s$s" }; let x = (twice ab); echo $x ((twice cd) + "!")"#), "abab cdcd!\n")
    }

    func testTheLastValueIsTheResultWithoutReturn() {
        XCTAssertEqual(output("def add(a, b) { $a + $b }; echo (add 2 3)"), "5\n")
    }

    func testDefaultsAreUsedWhenAnArgumentIsLeftOut() {
        XCTAssertEqual(output("def add(a, b = 1) { $a + $b }; echo (add 2) (add 2 5)"), "3 7\n")
    }

    func testParametersCanBeGivenByName() {
        XCTAssertEqual(output("def add(a, b = 1) { $a - $b }; echo (add --b 10 2) (add 2 --b=5)"), "-8 -3\n")
    }

    func testSwitchesAreFalseUnlessGiven() {
        let out = output(
            """
            def deploy(name, --force) { if $force { "forced $name" } else { "careful $name" } }
            echo (deploy web)
            echo (deploy web --force)
            """)
        XCTAssertEqual(out, "careful web\nforced web\n")
    }

    func testRecursion() {
        XCTAssertEqual(
            output("def fact(n) { if $n <= 1 { return 1 }; return $n * (fact ($n - 1)) }; echo (fact 10)"), "3628800\n")
    }

    func testRunawayRecursionIsAnErrorNotACrash() {
        let err = failure("def down(n) { down ($n + 1) }\ndown 0")
        XCTAssertTrue(err.contains("too deeply nested"), err)
    }

    func testReturnEndsTheProcedureEarly() {
        XCTAssertEqual(output("def f() { return 1; echo unreachable }; echo (f)"), "1\n")
    }

    func testProceduresMayBeCalledBeforeTheyAreWritten() {
        XCTAssertEqual(output("echo (later)\ndef later() { 7 }"), "7\n")
    }

    func testProceduresReadPipedInputAsIn() {
        XCTAssertEqual(output("def total() { $in | each { $it * 2 } }; [1, 2] | total | to json"), "[2,4]\n")
    }

    func testMissingAndExtraArgumentsAreUsageErrors() {
        var err = failure("def add(a, b) { $a + $b }; add 1", status: 2)
        XCTAssertTrue(err.contains("missing <b> for 'add'"), err)
        XCTAssertTrue(err.contains("hint: usage: add <a> <b>"), err)
        err = failure("def one(a) { $a }; one 1 2", status: 2)
        XCTAssertTrue(err.contains("too many arguments for 'one'"), err)
        err = failure("def one(a) { $a }; one 1 --nope", status: 2)
        XCTAssertTrue(err.contains("unknown flag '--nope' for 'one'"), err)
    }

    func testHelpOfAProcedureShowsItsSignature() {
        XCTAssertEqual(
            output("def deploy(name, wait = 5m, --force) { }\ndeploy --help"),
            "usage: deploy <name> [<wait>] [--force]\n")
    }

    func testAProcedureCannotTakeTheNameOfACommand() {
        assertDiagnostic("def 1️⃣where() { }", "'where' is already a command")
    }

    func testUnknownCommandsSuggestProcedures() {
        assertDiagnostic("def deploy() { }\n1️⃣depoly", "unknown command 'depoly'", hint: "did you mean 'deploy'?")
    }

    func testReturnOutsideAProcedureEndsTheScript() {
        XCTAssertEqual(output("echo a\nreturn\necho b"), "a\n")
    }
}
