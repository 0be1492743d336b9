import HLSCore
import HLSLanguage
import TestSupport
import XCTest

final class InterpolationTests: XCTestCase {
    func testDoubleQuotesInterpolateVariablesAndFieldPaths() {
        XCTAssertEqual(
            output(#"let vm = {name: "k3s-cp-01", disks: [50G, 100G]}; echo "$vm.name has $vm.disks.1.""#),
            "k3s-cp-01 has 100 GiB.\n")
    }

    func testDollarParenInterpolatesAPipeline() {
        XCTAssertEqual(
            output(#"echo "sum: $(1 + 2), kept: $([1, 5, 10] | where $it > 3 | count)""#), "sum: 3, kept: 2\n")
    }

    func testDollarParenCallsProcedures() {
        XCTAssertEqual(output(#"def twice(s) { "$s$s" }; echo "<$(twice ab)>""#), "<abab>\n")
    }

    func testSingleQuotesDoNotInterpolate() {
        XCTAssertEqual(output(#"let x = 1; echo '$x and $(x)'"#), "$x and $(x)\n")
    }

    func testEscapes() {
        XCTAssertEqual(output(#"echo "a\tb\\c \"q\" \$x""#), "a\tb\\c \"q\" $x\n")
        XCTAssertEqual(output(#"echo "two\nlines""#), "two\nlines\n")
    }

    func testALoneDollarIsText() {
        XCTAssertEqual(output(#"echo "costs 5$ or $ 6""#), "costs 5$ or $ 6\n")
    }

    func testInterpolatedValuesPrintAsInEcho() {
        XCTAssertEqual(output(#"echo "$(90s) $(8G) $([1, "a b"]) $(null)|""#), #"1m30s 8 GiB [1, "a b"] |"# + "\n")
    }

    func testSecretsPrintAsStarsEverywhere() {
        let hls = HLS(environment: ["TOKEN": "s3cr3t"])
        let result = hls.run(
            """
            let t = (secret env TOKEN)
            echo $t
            print $t
            $t
            {token: $t} | to json
            {token: $t} | to yaml
            [{token: $t}]
            """)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertFalse(result.out.contains("s3cr3t"), result.out)
        XCTAssertEqual(result.out, "***\n***\n***\n" + #"{"token":"***"}"# + "\ntoken: '***'\ntoken\n***\n")
    }

    func testAStringInterpolatedFromASecretIsASecret() {
        let hls = HLS(environment: ["TOKEN": "s3cr3t"])
        let result = hls.run(
            """
            let t = (secret env TOKEN)
            let header = "Authorization: Bearer $t"
            echo $header
            echo ($header | describe)
            """)
        XCTAssertEqual(result.status, 0, result.err)
        // It shows as written, with `***` in the secret's place.
        XCTAssertEqual(result.out, "Authorization: Bearer ***\nsecret\n")
    }

    func testSecretsNeverReachTheRunLog() throws {
        let dir = try TemporaryDirectory()
        var hls = HLS(environment: ["TOKEN": "s3cr3t"])
        hls.options.logPath = dir.file("run.jsonl")
        let result = hls.run(
            #"let t = (secret env TOKEN); phase "use $t" { echo "$t" }; assert false "failed with $t""#)
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.err.contains("s3cr3t"), result.err)
        let log = try String(contentsOfFile: dir.file("run.jsonl"), encoding: .utf8)
        XCTAssertFalse(log.contains("s3cr3t"), log)
        XCTAssertTrue(log.contains("***"), log)
    }

    func testSecretFromAFileDropsTheTrailingNewline() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("token", "abc\n")
        XCTAssertEqual(output("secret file \(path) | describe"), "secret\n")
        XCTAssertEqual(output("echo ((secret file \(path)) == (secret file \(path)))"), "true\n")
    }

    func testAMissingSecretIsAnErrorWithAHint() {
        let err = failure("secret env HLSH_TEST_UNSET_VARIABLE")
        XCTAssertTrue(err.contains("environment variable HLSH_TEST_UNSET_VARIABLE is not set"), err)
        XCTAssertTrue(err.contains("hint: export HLSH_TEST_UNSET_VARIABLE="), err)
    }
}
