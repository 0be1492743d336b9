import HLSCore
import HLSLanguage
import XCTest

/// `-o FORMAT` on any verb, flags named as they were typed, `OBJECT --help`.
final class OutputFlagTests: XCTestCase {
    var vmRegistry: HLS { HLS(registry: testRegistry(Recorder())) }

    func testEveryVerbTakesTheOutputFormatFlag() {
        XCTAssertEqual(output("[3, 1, 2] | sort -o json"), "[\n  1,\n  2,\n  3\n]\n")
        XCTAssertEqual(output("[{a: 1}] | where a == 1 --output yaml"), "- a: 1\n")
        XCTAssertEqual(output("vm show web -o json", vmRegistry), output("vm show web | to json --pretty", vmRegistry))
        XCTAssertEqual(output("let t = (vm show web --output=yaml)\necho ($t | describe)", vmRegistry), "string\n")
        let marked = MarkedSource("[1] | sort -o 1️⃣xml")
        let err = failure(marked.text, status: 2)
        XCTAssertTrue(
            err.hasPrefix(
                "test.hls:\(marked["1️⃣"]): error: sort: --output must be one of table, json, yaml, not 'xml'\n"),
            err)
    }

    func testPrintTakesTheFormatFromItsOwnFlag() {
        XCTAssertEqual(output("print {a: 1} -o json"), "{\n  \"a\": 1\n}\n")
    }

    func testAnUnknownFlagIsNamedAsTyped() {
        XCTAssertTrue(failure("def greet() { 1 }\ngreet -x", status: 2).contains("unknown flag '-x' for 'greet'"))
        assertDiagnostic("[1] | sort 1️⃣-x", "unknown flag '-x' for 'sort'")
        assertDiagnostic("[1] | sort 1️⃣--zz=1", "unknown flag '--zz' for 'sort'")
    }

    func testObjectDashDashHelpPrintsTheObjectsHelp() {
        let help = output("vm --help", vmRegistry)
        XCTAssertTrue(help.hasPrefix("vm — test virtual machines\n\nVerbs:\n"), help)
        XCTAssertEqual(help, output("help vm", vmRegistry))
        assertDiagnostic("1️⃣vm", "'vm' needs a verb", hint: "'vm' has: show, apply", hls: vmRegistry)
    }

    func testVerbHelpMentionsTheOutputFlag() {
        XCTAssertTrue(output("help sort").contains("-o, --output <table|json|yaml>"))
    }
}
