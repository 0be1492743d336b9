import HLSCore
import HLSLanguage
import XCTest

/// Integers are 64-bit: going past the range is an error at the operator, never a wrap-around.
final class OverflowTests: XCTestCase {
    func testArithmeticPastTheRangeIsAnErrorNamingThePlace() {
        let max = "9223372036854775807"
        let err = failure("echo (\(max) + 1)")
        XCTAssertTrue(err.hasPrefix("test.hls:1:27: error: integer overflow: \(max) + 1 is out of range\n"), err)
        XCTAssertTrue(failure("echo (-\(max) - 2)").contains("integer overflow: -\(max) - 2"))
        XCTAssertTrue(failure("echo (\(max) * 2)").contains("integer overflow: \(max) * 2"))
        XCTAssertTrue(
            failure("let x = -\(max) - 1\necho (- $x)").contains(
                "test.hls:2:7: error: integer overflow: -(-9223372036854775808)"))
        XCTAssertTrue(failure("let x = -\(max) - 1\necho ($x / -1)").contains("integer overflow"))
        XCTAssertTrue(failure("let x = -\(max) - 1\necho ($x % -1)").contains("integer overflow"))
        XCTAssertEqual(echo("\(max) - 1 + 1"), max)
    }

    func testSizesPastTheRangeAreAnError() {
        XCTAssertTrue(failure("echo (8000000T + 8000000T)").contains("overflow"))
    }

    /// `9999999999G` is more bytes than 64 bits hold: a parse error at the literal (it used to
    /// trap while the script was parsed, `hlsh -n` included), and the same words at run time
    /// when such a word reaches a size parameter as a string.
    func testASizeLiteralTooBigToHoldIsAnError() {
        assertDiagnostic(
            "echo (1G + 1️⃣9999999999G)", "size 9999999999G is too big",
            hint: "sizes go up to 9223372036854775807 bytes (8191P, just under 8 EiB)")
        assertDiagnostic("echo 1️⃣8192P", "size 8192P is too big")
        XCTAssertEqual(echo("8191P"), "8191 PiB")
        let err = failure(
            "let m = '9999999999G'\nvm apply a --memory $m", status: 2, HLS(registry: testRegistry(Recorder())))
        XCTAssertTrue(err.hasPrefix("test.hls:2:21: error: vm apply: size 9999999999G is too big\n"), err)
    }

    func testAnIntegerLiteralTooBigToHoldIsAnError() {
        assertDiagnostic(
            "echo (1 + 1️⃣99999999999999999999)", "integer 99999999999999999999 is too big",
            hint: "integers go from -9223372036854775808 to 9223372036854775807")
        assertDiagnostic("echo 1️⃣-99999999999999999999", "integer -99999999999999999999 is too big")
    }

    /// Durations hold up to Int64.max seconds (about 292 billion years); past it a literal is a
    /// parse error at the literal and arithmetic an error at the operator, never a trap.
    func testADurationLiteralTooLongToHoldIsAnError() {
        assertDiagnostic(
            "echo (1s + 1️⃣99999999999999999h)", "duration 99999999999999999h is too long",
            hint: "durations go up to 106751991167300d15h30m7s, about 292 billion years")
        assertDiagnostic("echo (1️⃣9999999999999999999999w)", "duration 9999999999999999999999w is too long")
        let err = failure("sleep 99999999999999999h", status: 2)
        XCTAssertTrue(err.hasPrefix("test.hls:1:7: error: "), err)
        XCTAssertTrue(err.contains("duration 99999999999999999h is too long"), err)
    }

    func testDurationArithmeticPastTheRangeIsAnErrorNamingThePlace() {
        let err = failure("echo (1h * 99999999999999999)")
        XCTAssertTrue(
            err.hasPrefix("test.hls:1:10: error: duration overflow: 1h * 99999999999999999 is out of range\n"), err)
        let long = "10000000000000w"  // about 1.9e11 years: near the end of the range
        XCTAssertTrue(failure("echo (2 * \(long))").contains("duration overflow: 2 * 70000000000000d"))
        XCTAssertTrue(failure("echo (\(long) * 1.6)").contains("duration overflow"), "a float factor too")
        XCTAssertTrue(failure("echo (\(long) / 0.5)").contains("duration overflow"))
        XCTAssertTrue(failure("let d = \(long)\necho ($d + $d)").contains("test.hls:2:10: error: duration overflow"))
        XCTAssertTrue(failure("echo (-\(long) - \(long))").contains("duration overflow"))
        XCTAssertEqual(echo("\(long) / \(long)"), "1")
        XCTAssertEqual(echo("2h * 3"), "6h")
    }
}
