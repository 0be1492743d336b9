import HLSCore
import HLSLanguage
import XCTest

/// hlsh's own command line, read by the one table of its options (`LaunchFlags`).
final class LaunchOptionsTests: XCTestCase {
    func parse(_ argv: [String]) throws -> LaunchOptions {
        try LaunchOptions(parsing: argv)
    }

    /// The usage error `argv` gives: its message and hint.
    func problem(_ argv: [String], file: StaticString = #filePath, line: UInt = #line) -> (String, String?) {
        do throws(HLSError) {
            let options = try LaunchOptions(parsing: argv)
            XCTFail("\(argv) parsed as \(options)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.exitStatus, .usage, file: file, line: line)
            return (error.message, error.hint)
        }
        return ("", nil)
    }

    func testOptionsEndAtTheFirstWordThatIsNotOne() throws {
        let o = try parse(["--dry-run", "-y", "vm", "apply", "--all", "-c", "x"])
        XCTAssertTrue(o.run.dryRun)
        XCTAssertTrue(o.run.assumeYes)
        XCTAssertNil(o.commands)
        XCTAssertEqual(o.rest, ["vm", "apply", "--all", "-c", "x"])

        let script = try parse(["--resume", "--log", "run.jsonl", "site.hls", "-n", "fail"])
        XCTAssertTrue(script.run.resume)
        XCTAssertFalse(script.syntaxOnly)
        XCTAssertEqual(script.run.logPath, "run.jsonl")
        XCTAssertEqual(script.rest, ["site.hls", "-n", "fail"])

        XCTAssertEqual(try parse(["-"]).rest, ["-"])
        XCTAssertEqual(try parse([]).rest, [])
    }

    func testDoubleDashEndsTheOptions() throws {
        let o = try parse(["-y", "--", "-c", "echo"])
        XCTAssertTrue(o.run.assumeYes)
        XCTAssertNil(o.commands)
        XCTAssertEqual(o.rest, ["-c", "echo"])
    }

    func testValuesAsTheNextWordOrAfterAnEqualsSign() throws {
        let o = try parse(["-o", "json", "--log=events.jsonl", "-c", "echo hi", "a", "b"])
        XCTAssertEqual(o.run.output, .json)
        XCTAssertEqual(o.run.logPath, "events.jsonl")
        XCTAssertEqual(o.commands, "echo hi")
        XCTAssertEqual(o.rest, ["a", "b"])
        XCTAssertEqual(try parse(["--output", "yaml"]).run.output, .yaml)
        XCTAssertEqual(try parse(["--output=yaml"]).run.output, .yaml)
        XCTAssertEqual(try parse([]).run.output, .table)
        // The last one counts, as ArgumentParser had it.
        XCTAssertEqual(try parse(["-o", "json", "-o", "yaml"]).run.output, .yaml)
    }

    func testShortFlagsCombineAndAValuedOneComesLast() throws {
        let o = try parse(["-yn", "x.hls"])
        XCTAssertTrue(o.run.assumeYes)
        XCTAssertTrue(o.syntaxOnly)
        XCTAssertEqual(o.rest, ["x.hls"])
        let c = try parse(["-nc", "echo"])
        XCTAssertTrue(c.syntaxOnly)
        XCTAssertEqual(c.commands, "echo")
        XCTAssertEqual(
            problem(["-cn", "echo"]).0, "option '-c' takes a value, so it must come last in '-cn'")
        XCTAssertEqual(problem(["-cecho"]).0, "option '-c' takes a value, so it must come last in '-cecho'")
    }

    func testHelpAndVersion() throws {
        XCTAssertTrue(try parse(["--help"]).help)
        XCTAssertTrue(try parse(["-h"]).help)
        XCTAssertTrue(try parse(["--version"]).version)
        XCTAssertTrue(try parse(["-c", "echo", "--version"]).version)
        XCTAssertEqual(try parse(["--version", "extra"]).rest, ["extra"])
    }

    func testAnUnknownOptionIsNamedWithTheNearestOne() {
        XCTAssertEqual(problem(["--dry-rn"]).0, "unknown option '--dry-rn'")
        XCTAssertEqual(problem(["--dry-rn"]).1, "did you mean '--dry-run'?")
        XCTAssertEqual(problem(["--Output", "json"]).1, "did you mean '--output'?")
        XCTAssertEqual(problem(["-dry-run"]).0, "unknown option '-d' in '-dry-run'")
        XCTAssertEqual(problem(["-dry-run"]).1, "did you mean '--dry-run'?")
        XCTAssertEqual(problem(["--c", "echo"]).1, "did you mean '-c'?")
        XCTAssertEqual(problem(["-x"]).0, "unknown option '-x'")
        XCTAssertEqual(problem(["-x"]).1, "run 'hlsh --help' for hlsh's options")
        // Unknown even after a known one: the words are hlsh's until the first that is not an option.
        XCTAssertEqual(problem(["-y", "--bogus", "vm"]).0, "unknown option '--bogus'")
    }

    func testAValueIsRequiredAndChecked() {
        XCTAssertEqual(problem(["-c"]).0, "option '-c' needs a value: -c <COMMANDS>")
        XCTAssertEqual(problem(["-c", "--version"]).0, "option '-c' needs a value: -c <COMMANDS>")
        XCTAssertEqual(problem(["--log"]).0, "option '--log' needs a value: --log <FILE>")
        XCTAssertEqual(problem(["-o"]).0, "option '-o' needs a value: -o <table|json|yaml>")
        XCTAssertEqual(problem(["-o", "xml", "-c", "x"]).0, "option '-o' must be one of table, json, yaml, not 'xml'")
        XCTAssertEqual(problem(["--output=jsno"]).1, "did you mean 'json'?")
        XCTAssertEqual(problem(["--dry-run=yes"]).0, "option '--dry-run' takes no value, but was given 'yes'")
    }

    func testRunWideOptionsAmongACommandsWords() throws {
        var o = try parse(["vm", "apply", "--all", "--dry-run", "-o", "json", "--log=l.jsonl", "-y", "--yes-not"])
        var words = o.rest
        try o.extractRunWide(from: &words)
        XCTAssertEqual(words, ["vm", "apply", "--all", "--yes-not"])
        XCTAssertTrue(o.run.dryRun)
        XCTAssertTrue(o.run.assumeYes)
        XCTAssertEqual(o.run.output, .json)
        XCTAssertEqual(o.run.logPath, "l.jsonl")

        // hlsh's own -n, -c, --help and --version are only read before the first word.
        var kube = ["kube", "get", "po", "-n", "apps", "--help", "-c", "x", "--version"]
        try o.extractRunWide(from: &kube)
        XCTAssertEqual(kube, ["kube", "get", "po", "-n", "apps", "--help", "-c", "x", "--version"])
        XCTAssertFalse(o.syntaxOnly)

        var bad = ["vm", "list", "--output", "xml"]
        XCTAssertThrowsError(try o.extractRunWide(from: &bad)) { error in
            XCTAssertEqual(
                (error as? HLSError)?.message, "option '--output' must be one of table, json, yaml, not 'xml'")
        }
        var missing = ["vm", "list", "--log"]
        XCTAssertThrowsError(try o.extractRunWide(from: &missing)) { error in
            XCTAssertEqual((error as? HLSError)?.message, "option '--log' needs a value: --log <FILE>")
        }
    }

    /// The table is sound: every option reachable by a name, no name twice, and the help lists
    /// each of them.
    func testTheTableDrivesTheHelp() {
        let names = LaunchFlags.all.flatMap(\.names)
        XCTAssertEqual(names.count, Set(names).count, "\(names)")
        XCTAssertTrue(Set(names).isSuperset(of: ["--dry-run", "-o", "--output", "-y", "--yes", "-c", "-n", "-h"]))
        let help = LaunchHelp.text
        for flag in LaunchFlags.all {
            XCTAssertTrue(help.contains(flag.synopsis), "\(flag.synopsis) missing from\n\(help)")
        }
        XCTAssertTrue(help.contains("-o, --output <table|json|yaml>"), help)
        XCTAssertTrue(
            help.contains("  3    with --dry-run --detailed-exitcode: a real run would change something\n"), help)
        for line in help.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 100, String(line))
        }
    }
}
