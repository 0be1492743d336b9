import HLSCore
import HLSLanguage
import XCTest

final class ScopeTests: XCTestCase {
    func testLetInABlockShadowsAndEndsWithTheBlock() {
        XCTAssertEqual(output("let x = 1\nif true { let x = 2; echo $x }\necho $x"), "2\n1\n")
    }

    func testSetReassignsTheNearestBinding() {
        XCTAssertEqual(output("let x = 1\nif true { set x = 2 }\necho $x"), "2\n")
        XCTAssertEqual(output("let n = 0\nfor i in [1, 2, 3] { set n = $n + $i }\necho $n"), "6\n")
    }

    func testLetMayRebindInTheSameScope() {
        XCTAssertEqual(output("let x = 1\nlet x = $x + 1\necho $x"), "2\n")
    }

    func testSetOfAnUndeclaredNameIsAnError() {
        let err = failure("set y = 1")
        XCTAssertTrue(err.contains("cannot set $y: it was never declared"), err)
        XCTAssertTrue(err.contains("hint: declare it first with 'let y = …'"), err)
    }

    func testLoopVariablesAndBlockBindingsDoNotLeak() {
        let err = failure("for i in [1] { let inner = 1 }\necho $i")
        XCTAssertTrue(err.contains("unknown variable $i"), err)
        XCTAssertTrue(failure("if true { let inner = 1 }\necho $inner").contains("unknown variable $inner"))
    }

    func testProceduresSeeTheScopeTheyWereWrittenInNotTheCaller() {
        let out = output(
            """
            let greeting = "hello"
            def greet(who) { "$greeting $who" }
            def caller() { let greeting = "bye"; greet lab }
            echo (caller)
            """)
        XCTAssertEqual(out, "hello lab\n")
    }

    func testBlocksGivenToEachCloseOverTheirScope() {
        XCTAssertEqual(output("let k = 10\n[1, 2] | each { $it * $k } | to json"), "[10,20]\n")
    }

    func testUnknownVariablesSuggestTheNearestName() {
        let err = failure("let nodes = 3\necho $ndoes")
        XCTAssertTrue(err.contains("unknown variable $ndoes"), err)
        XCTAssertTrue(err.contains("hint: did you mean $nodes?"), err)
    }

    func testLetWithoutDollarAndBareAssignmentAreExplained() {
        assertDiagnostic("let 1️⃣$x = 1", "write 'let x = …' without the '$'")
        assertDiagnostic("1️⃣x = 1", "to bind a variable write 'let x = …'")
    }

    func testEnvironmentIsARecord() {
        XCTAssertEqual(HLS(environment: ["LAB": "home"]).run("echo $env.LAB").out, "home\n")
    }
}
