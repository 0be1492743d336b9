import HLSCore
import HLSLanguage
import XCTest

final class OperatorTests: XCTestCase {
    func testIntegerArithmetic() {
        XCTAssertEqual(echo("1 + 2 * 3"), "7")
        XCTAssertEqual(echo("(1 + 2) * 3"), "9")
        XCTAssertEqual(echo("7 % 3"), "1")
        XCTAssertEqual(echo("8 / 2"), "4")
        XCTAssertEqual(echo("7 / 2"), "3.5")
        XCTAssertEqual(echo("10 - 2 - 3"), "5")
        XCTAssertEqual(echo("- 3 + 1"), "-2")
    }

    func testFloatArithmeticMixesWithInts() {
        XCTAssertEqual(echo("1.5 + 1"), "2.5")
        XCTAssertEqual(echo("2 * 0.25"), "0.5")
    }

    func testDurationArithmetic() {
        XCTAssertEqual(echo("1h + 30m"), "1h30m")
        XCTAssertEqual(echo("2 * 5m"), "10m")
        XCTAssertEqual(echo("5m * 2"), "10m")
        XCTAssertEqual(echo("1h - 15m"), "45m")
        XCTAssertEqual(echo("1h / 4"), "15m")
        XCTAssertEqual(echo("1h / 30m"), "2")
        XCTAssertEqual(echo("1h / 40m"), "1.5")
        XCTAssertEqual(echo("1w / 7"), "1d")
        XCTAssertEqual(echo("1.5 * 1h"), "1h30m")
    }

    func testSizeArithmetic() {
        XCTAssertEqual(echo("8G + 512M"), "8.5 GiB")
        XCTAssertEqual(echo("1G / 2"), "512 MiB")
        XCTAssertEqual(echo("3 * 4G"), "12 GiB")
        XCTAssertEqual(echo("16G - 8G"), "8 GiB")
        XCTAssertEqual(echo("16G / 4G"), "4")
        XCTAssertEqual(echo("6G / 4G"), "1.5")
    }

    func testStringConcatenation() {
        XCTAssertEqual(echo(#""k3s-" + "cp""#), "k3s-cp")
        XCTAssertEqual(echo(#""node-" + 1"#), "node-1")
        XCTAssertEqual(echo(#""wait " + 5m"#), "wait 5m")
    }

    func testListsAndRecordsCombineWithPlus() {
        XCTAssertEqual(output("[1] + [2, 3] | to json"), "[1,2,3]\n")
        XCTAssertEqual(output("{a: 1, b: 2} + {b: 3} | to json"), #"{"a":1,"b":3}"# + "\n")
    }

    func testComparisons() {
        XCTAssertEqual(echo("1 == 1"), "true")
        XCTAssertEqual(echo("1 != 1"), "false")
        XCTAssertEqual(echo("1 < 2"), "true")
        XCTAssertEqual(echo("2 <= 2"), "true")
        XCTAssertEqual(echo("3 > 4"), "false")
        XCTAssertEqual(echo("4 >= 4"), "true")
        XCTAssertEqual(echo("1 == 1.0"), "true")
        XCTAssertEqual(echo("90s == 1m30s"), "true")
        XCTAssertEqual(echo("16G > 8G"), "true")
        XCTAssertEqual(echo(#""abc" < "abd""#), "true")
        XCTAssertEqual(echo(#""a" == 1"#), "false")
    }

    func testRegexMatch() {
        XCTAssertEqual(echo(#""k3s-cp-01" =~ "^k3s-(cp|wk)-[0-9]+$""#), "true")
        XCTAssertEqual(echo(#""pve1" =~ "^k3s""#), "false")
        XCTAssertEqual(echo(#""pve1" !~ "^k3s""#), "true")
    }

    func testMembershipWithIn() {
        XCTAssertEqual(echo("2 in [1, 2, 3]"), "true")
        XCTAssertEqual(echo(#""cp" in "k3s-cp-01""#), "true")
        XCTAssertEqual(echo(#""a" in {a: 1}"#), "true")
    }

    func testBooleanLogicShortCircuits() {
        XCTAssertEqual(echo("true and not false"), "true")
        XCTAssertEqual(echo("false or true and false"), "false")
        XCTAssertEqual(echo("not (1 > 2)"), "true")
        // The right side is never evaluated, so its unknown variable is no error.
        XCTAssertEqual(echo("false and $missing"), "false")
        XCTAssertEqual(echo("true or $missing"), "true")
    }

    func testTypeErrorsNameTheOperatorAndBothTypes() {
        let marked = MarkedSource("echo (1h 1️⃣+ 1G)")
        let err = failure(marked.text)
        XCTAssertTrue(err.hasPrefix("test.hls:\(marked["1️⃣"]): error: cannot apply '+' to duration and size\n"), err)
        XCTAssertTrue(failure("echo (1 + [1])").contains("cannot apply '+' to int and list"))
        XCTAssertTrue(failure(#"echo ("a" * 2)"#).contains("cannot apply '*' to string and int"))
        XCTAssertTrue(failure("echo (8G < 5m)").contains("cannot apply '<' to size and duration"))
        XCTAssertTrue(failure(#"echo (1 =~ "x")"#).contains("'=~' matches a string against a regex string"))
        XCTAssertTrue(failure("echo (1 and true)").contains("'and' needs bools, got int"))
        XCTAssertTrue(failure("echo (not 1)").contains("'not' needs a bool, got int"))
        XCTAssertTrue(failure(#"echo (- "x")"#).contains("cannot negate a string"))
    }

    func testDivisionByZeroIsAnError() {
        XCTAssertTrue(failure("echo (1 / 0)").contains("division by zero"))
        XCTAssertTrue(failure("echo (1h / 0)").contains("division by zero"))
    }

    func testInvalidRegexIsAnError() {
        XCTAssertTrue(failure(#"echo ("a" =~ "(")"#).contains("invalid regex"))
    }

    func testComparisonsDoNotChain() {
        assertDiagnostic("echo (1 < 2 1️⃣< 3)", "comparisons do not chain")
    }

    func testNullOrdersAsNoSoMissingFieldsAreSkipped() {
        XCTAssertEqual(echo("null > 1"), "false")
        XCTAssertEqual(echo("null < 1"), "false")
    }
}
