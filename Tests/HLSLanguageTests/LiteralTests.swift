import HLSCore
import HLSLanguage
import XCTest

/// Every value type and every literal form, seen through `describe` and `echo`.
final class LiteralTests: XCTestCase {
    func type(_ expression: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        echo("\(expression) | describe", file: file, line: line)
    }

    func testEveryValueTypeHasAName() {
        XCTAssertEqual(type(#""text""#), "string")
        XCTAssertEqual(type("'raw'"), "string")
        XCTAssertEqual(type("42"), "int")
        XCTAssertEqual(type("-7"), "int")
        XCTAssertEqual(type("2.5"), "float")
        XCTAssertEqual(type("true"), "bool")
        XCTAssertEqual(type("false"), "bool")
        XCTAssertEqual(type("null"), "null")
        XCTAssertEqual(type("90s"), "duration")
        XCTAssertEqual(type("8G"), "size")
        XCTAssertEqual(type("[1, 2]"), "list")
        XCTAssertEqual(type("{a: 1}"), "record")
        XCTAssertEqual(type("[{a: 1}, {a: 2}]"), "table")
    }

    func testSecretsAreTheirOwnType() {
        let hls = HLS(environment: ["TOKEN": "s3cr3t"])
        XCTAssertEqual(hls.run("secret env TOKEN | describe").out, "secret\n")
    }

    func testDurationsOfEveryUnitAndSums() {
        XCTAssertEqual(echo("90s"), "1m30s")
        XCTAssertEqual(echo("5m"), "5m")
        XCTAssertEqual(echo("2h"), "2h")
        XCTAssertEqual(echo("1h30m"), "1h30m")
        XCTAssertEqual(echo("1d"), "1d")
        XCTAssertEqual(echo("1w"), "7d")
        XCTAssertEqual(echo("500ms"), "500ms")
        XCTAssertEqual(echo("1.5s"), "1.5s")
        XCTAssertEqual(echo("1h30m == 90m"), "true")
    }

    func testLowercaseMIsMinutesAndUppercaseMIsMebibytes() {
        XCTAssertEqual(type("5m"), "duration")
        XCTAssertEqual(type("5M"), "size")
        XCTAssertEqual(echo("5m"), "5m")
        XCTAssertEqual(echo("5M"), "5 MiB")
        XCTAssertEqual(echo("5M == 5 * 1024 * 1024"), "true")
    }

    func testBinaryAndDecimalSizes() {
        XCTAssertEqual(echo("8G"), "8 GiB")
        XCTAssertEqual(echo("8Gi"), "8 GiB")
        XCTAssertEqual(echo("100GiB"), "100 GiB")
        XCTAssertEqual(echo("8G == 8589934592"), "true")
        XCTAssertEqual(echo("8GB == 8000000000"), "true")
        XCTAssertEqual(echo("8GB < 8G"), "true")
        XCTAssertEqual(echo("512B"), "512 B")
        XCTAssertEqual(echo("1.5G"), "1.5 GiB")
    }

    func testNumbersMayHaveUnderscores() {
        XCTAssertEqual(echo("10_000 + 1"), "10001")
    }

    func testListsAndRecordsSpanLinesAndTakeBareWordsAsStrings() {
        let out = output(
            """
            let vm = {
                name: k3s-cp-01,
                disks: [50G, 100G],
                tags: [k3s, "control plane"]
            }
            echo $vm.name $vm.disks.1 $vm.tags.1
            """)
        XCTAssertEqual(out, "k3s-cp-01 100 GiB control plane\n")
    }

    func testRecordsKeepTheOrderTheyWereWrittenIn() {
        XCTAssertEqual(output("{zeta: 1, alpha: 2, mid: 3} | to json"), #"{"zeta":1,"alpha":2,"mid":3}"# + "\n")
    }

    func testCompactRecordSyntax() {
        XCTAssertEqual(output("{a:1} | to json"), #"{"a":1}"# + "\n")
    }

    func testParenthesesMakeACommandAValue() {
        XCTAssertEqual(echo("[1, 2, 3] | count"), "3")
        XCTAssertEqual(output("let n = ([1, 2] | count)\necho $n"), "2\n")
    }

    func testWordsInArgumentPositionAreStrings() {
        XCTAssertEqual(output("echo hello lab"), "hello lab\n")
    }

    func testJSONShowsSizesAsBytesAndDurationsAsSeconds() {
        XCTAssertEqual(
            output("{mem: 1G, t: 1m30s, half: 500ms} | to json"), #"{"mem":1073741824,"t":90,"half":0.5}"# + "\n")
        // The longest duration's seconds are Int64.max: exact, where a double rounds up to 2⁶³
        // (converting that trapped).
        XCTAssertEqual(
            output("{t: 106751991167300d15h30m7s} | to json"), #"{"t":9223372036854775807}"# + "\n")
        XCTAssertEqual(output("{t: -1m30s} | to json"), #"{"t":-90}"# + "\n")
    }

    func testNullPrintsNothingAndEqualsNull() {
        XCTAssertEqual(output("null"), "")
        XCTAssertEqual(echo("null == null"), "true")
    }
}
