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

    func testAnIntegerLiteralTooBigToHoldIsAnError() {
        assertDiagnostic(
            "echo (1 + 1️⃣99999999999999999999)", "integer 99999999999999999999 is too big",
            hint: "integers go from -9223372036854775808 to 9223372036854775807")
        assertDiagnostic("echo 1️⃣-99999999999999999999", "integer -99999999999999999999 is too big")
    }
}
