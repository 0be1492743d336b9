import HLSCore
import XCTest

/// Sizes as users write them: every unit of the table, fractions, spaces, and the edge of what
/// 64 bits hold, which is an answer (`.tooBig`), never a trap.
final class ByteSizeTests: XCTestCase {
    func testEveryUnitScalesItsNumber() {
        XCTAssertEqual(ByteSize.parse("512"), 512)
        XCTAssertEqual(ByteSize.parse("100B"), 100)
        XCTAssertEqual(ByteSize.parse("8G"), 8 << 30)
        XCTAssertEqual(ByteSize.parse("8Gi"), 8 << 30)
        XCTAssertEqual(ByteSize.parse("8GiB"), 8 << 30)
        XCTAssertEqual(ByteSize.parse("8GB"), 8_000_000_000)
        XCTAssertEqual(ByteSize.parse("512M"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("2K"), 2048)
        XCTAssertEqual(ByteSize.parse("1T"), 1 << 40)
        XCTAssertEqual(ByteSize.parse("1PB"), 1_000_000_000_000_000)
        XCTAssertEqual(ByteSize.parse("8 G"), 8 << 30, "spaces are ignored")
    }

    func testAFractionRoundsToTheNearestByteAndAWholeNumberIsExact() {
        XCTAssertEqual(ByteSize.parse("1.5G"), 3 << 29)
        XCTAssertEqual(ByteSize.parse(".5K"), 512)
        XCTAssertEqual(ByteSize.parse("8.G"), 8 << 30)
        XCTAssertEqual(ByteSize.parse("0.0000001B"), 0)
        // Past 2⁵³ a double cannot hold every integer; a whole number of bytes stays exact.
        XCTAssertEqual(ByteSize.parse("9007199254740993B"), 9_007_199_254_740_993)
    }

    func testWhatIsNotASizeIsInvalid() {
        for text in ["", "G", ".", "1.5", "8.", "1.2.3G", "8g", "8Gb", "8GiBs", "1e5G", "8 X", "-8G", "8G2", "٣G"] {
            XCTAssertEqual(ByteSize.read(text), .invalid, text)
        }
    }

    func testASizeBeyondSixtyFourBitsIsTooBigNotATrap() {
        XCTAssertEqual(ByteSize.read("8191P"), .bytes(8191 << 50))
        XCTAssertEqual(ByteSize.read("8192P"), .tooBig)
        XCTAssertEqual(ByteSize.read("9999999999G"), .tooBig)
        XCTAssertEqual(ByteSize.read("99999999999999999999"), .tooBig)
        XCTAssertEqual(ByteSize.read("9223372036854775807"), .bytes(Int64.max))
        XCTAssertEqual(ByteSize.read("9223372036854775808"), .tooBig)
        XCTAssertEqual(ByteSize.read("8191.99999P"), .bytes(9_223_372_025_595_777_024))
        XCTAssertEqual(ByteSize.read("8192.0P"), .tooBig, "2⁶³ is one past the largest")
        XCTAssertEqual(ByteSize.read("1e400"), .invalid)
        XCTAssertNil(ByteSize.parse("9999999999G"))
    }
}
