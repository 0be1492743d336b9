import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// Parse errors, pinned by markers in the source; how errors are rendered.
final class DiagnosticTests: XCTestCase {
    var vmRegistry: HLS { HLS(registry: testRegistry(Recorder())) }

    func testEveryParseErrorInAFileIsReportedAtOnce() {
        assertDiagnostics(
            """
            let x = 1️⃣
            echo ok
            2️⃣lett y = 2
            for 3️⃣in [1] { }
            echo (1 + 4️⃣)
            if true {
                echo }
            6️⃣wher x
            """,
            [
                ("1️⃣", "expected a value, found end of line", nil),
                ("2️⃣", "unknown command 'lett'", "did you mean 'let'?"),
                ("3️⃣", "expected a loop variable after 'for'", nil),
                ("4️⃣", "expected a value, found ')'", nil),
                ("6️⃣", "unknown command 'wher'", "did you mean 'where'?"),
            ])
    }

    func testUnknownVerbOfAnObjectSuggestsTheNearestVerb() {
        assertDiagnostic(
            "let x = 1\nvm 1️⃣shwo web", "unknown verb 'shwo' for 'vm'", hint: "did you mean 'vm show'?", hls: vmRegistry)
    }

    func testAnObjectWithoutAVerbListsItsVerbs() {
        assertDiagnostic("1️⃣vm", "'vm' needs a verb", hint: "'vm' has: show, apply, converged", hls: vmRegistry)
    }

    func testUnknownFlagSuggestsTheNearestFlag() {
        assertDiagnostic("[1] | sort 1️⃣--des", "unknown flag '--des' for 'sort'", hint: "did you mean '--desc'?")
        assertDiagnostic(
            "vm apply web 1️⃣--memroy 8G", "unknown flag '--memroy' for 'vm apply'", hint: "did you mean '--memory'?",
            hls: vmRegistry)
    }

    func testUnknownFlagWithNothingCloseShowsTheUsage() {
        assertDiagnostic(
            "[1] | sort 1️⃣--zzzzzz", "unknown flag '--zzzzzz' for 'sort'", hint: "usage: sort [<fields>…] [--desc]")
    }

    func testMissingArgumentsAndFlagValues() {
        assertDiagnostic("1️⃣vm show", "missing <name> for 'vm show'", hint: "usage: vm show <name>", hls: vmRegistry)
        assertDiagnostic("[1] | 1️⃣each", "missing <block> for 'each'", hint: "usage: each { … }")
        assertDiagnostic("wait 1 --until true 1️⃣--timeout", "'--timeout' needs a value (duration)")
    }

    func testTooManyArguments() {
        assertDiagnostic("[1] | first 1 1️⃣2", "too many arguments for 'first'", hint: "usage: first [<n>]")
    }

    func testBareWordsInExpressionsAreExplained() {
        assertDiagnostic(
            "if 1️⃣hello == 1 { }", "bare word 'hello' in an expression",
            hint: #"quote text ("hello") or use a variable ($hello)"#)
        assertDiagnostic(
            "echo (1 + 1️⃣count)", "bare word 'count' in an expression",
            hint: "to use a command's value, wrap it: (count …)")
        // After `let x =` comes a pipeline, so a bare word there is a command.
        assertDiagnostic("let x = 1️⃣hello", "unknown command 'hello'")
    }

    func testUnclosedBracketsAreReportedWhereTheyOpen() {
        assertDiagnostics(
            "let x = 1️⃣[1, 2\necho after", [("1️⃣", "this '[' is never closed", "close it with ']'")])
        assertDiagnostics("if true 1️⃣{\n  echo x\n", [("1️⃣", "this '{' is never closed", nil)])
        assertDiagnostics(
            "if true { echo 1️⃣(1 + 2️⃣}\necho after",
            [("1️⃣", "this '(' is never closed", nil), ("2️⃣", "expected a value, found '}'", nil)])
    }

    func testAStrayClosingBracketIsOneError() {
        assertDiagnostics("echo a\n1️⃣}\necho b", [("1️⃣", "unexpected '}'", nil)])
    }

    func testKeywordsOutOfPlace() {
        assertDiagnostic("1️⃣else { }", "'else' without the statement it belongs to")
        assertDiagnostic("1️⃣catch e { }", "'catch' without the statement it belongs to")
        assertDiagnostic("parallel 1️⃣x", "expected 'for' after 'parallel'")
    }

    func testMissingPartsOfBlockStatements() {
        assertDiagnostic("while 1️⃣{ }", "expected a condition after 'while'")
        assertDiagnostic("if 1️⃣{ }", "expected a condition after 'if'")
        assertDiagnostic("retry 1️⃣{ }", "expected the number of attempts after 'retry'")
        assertDiagnostic("phase 1️⃣{ }", "expected a name after 'phase'")
        assertDiagnostic("for x 1️⃣[1] { }", "expected 'in' after 'for x'")
        assertDiagnostic("def f(1️⃣1) { }", "'1' is not a valid parameter name")
    }

    func testPipeErrors() {
        assertDiagnostic("echo a | 1️⃣| count", "expected a command after '|', found '|'")
        assertDiagnostic("[1] | 1️⃣5", "expected a command after '|'")
    }

    func testErrorsInsideInterpolationsPointIntoTheString() {
        assertDiagnostic(#"echo "total: $(1 + 1️⃣)""#, "expected a value, found end of input")
        assertDiagnostic(#"echo "x: $(1️⃣nope)""#, "unknown command 'nope'")
    }

    func testErrorsOnLaterLinesOfAMultiLineString() {
        assertDiagnostic("echo \"line one\nline two $(1️⃣bogus)\"", "unknown command 'bogus'")
    }

    func testColumnsCountCharactersSoCaretsLineUpAfterUnicode() {
        assertDiagnostic("echo \"héllo ✓\" | 1️⃣5", "expected a command after '|'")
    }

    /// Found while fuzzing the parser (issue 17, long inputs after its slow units): `echo ((((…`,
    /// `[[[[…`, `if true {` on thousands of lines or strings interpolated thousands deep
    /// overflowed the stack (`hlsh -n` crashed). Nesting past 128 is one error where it goes too
    /// deep; the rest of the file is skipped, and nothing is reported about the brackets left open.
    func testNestingDeeperThanTheLimitIsOneErrorNotACrash() {
        let deep = [
            "echo " + String(repeating: "(", count: 10_000),
            "echo " + String(repeating: "[", count: 10_000) + "\necho after",
            String(repeating: "if true {\n", count: 10_000),
            "echo " + (0..<1_000).reduce("x") { inner, _ in "\"$(echo \(inner))\"" },
            "echo " + String(repeating: "{a: ", count: 10_000),
        ]
        for text in deep {
            let messages = HLS().diagnostics(text).map(\.message)
            XCTAssertEqual(messages.count, 1, String(text.prefix(20)))
            XCTAssertEqual(messages.first, "nested more than 128 deep", String(text.prefix(20)))
        }
        let fine = "echo " + String(repeating: "(", count: 120) + "1" + String(repeating: ")", count: 120)
        XCTAssertEqual(HLS().diagnostics(fine), [])
    }

    /// After nesting too deep, `abandon()` reads the rest of the input past the parser's token
    /// window (512 tokens) and skips it: statements after the deep one, many windows of them and
    /// each one an error if it were parsed (a stray `)` or `}`, an unknown command), give no
    /// further error and no crash; so does the rest after a string interpolation parsed by a
    /// parser of its own that went too deep.
    func testAfterNestingTooDeepTheRestIsReadAndSkippedNotMisparsed() {
        let rest = String(repeating: "echo after )\n}\nwher $x > 1\nlet = 2\n", count: 2_000)
        let deep = [
            "echo " + String(repeating: "(", count: 200) + "\n" + rest,
            "if true {\n" + String(repeating: "[", count: 1_000) + "\n" + rest,
            "echo " + (0..<200).reduce("x") { inner, _ in "\"$(echo \(inner))\"" } + "\n" + rest,
        ]
        for text in deep {
            let diagnostics = HLS().diagnostics(text)
            XCTAssertEqual(diagnostics.map(\.message), ["nested more than 128 deep"], String(text.prefix(20)))
            XCTAssertEqual(diagnostics.first?.location.line, text.hasPrefix("if") ? 2 : 1, String(text.prefix(20)))
        }
        // The same tail on its own is all errors: it is the skipping that keeps them out.
        XCTAssertGreaterThan(HLS().diagnostics(rest).count, 2_000)
    }

    /// Each bracket left open is reported once, however many there are: checking every earlier
    /// diagnostic for each made `echo --x=$((((…` (10,000 of them) take 38 s (found while fuzzing
    /// the parser, issue 17; now a set of the places reported).
    func testEveryBracketLeftOpenIsReportedOnce() {
        let messages = HLS().diagnostics("echo --x=$" + String(repeating: "(", count: 10_000)).map(\.message)
        XCTAssertEqual(messages.count, 10_001)
        XCTAssertEqual(Set(messages.dropFirst()), ["this '(' is never closed"])
    }

    // MARK: Rendering

    func testARenderedErrorHasTheLineACaretAndAHint() {
        let marked = MarkedSource("let nodes = 3\necho ready\n1️⃣wher $nodes > 1")
        let result = HLS().run(marked.text, name: "site.hls")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(
            result.err,
            """
            site.hls:\(marked["1️⃣"]): error: unknown command 'wher'
                wher $nodes > 1
                ^
              hint: did you mean 'where'?

            """)
    }

    /// Each error of a file quotes its own line, from the file split into lines once for all of
    /// them (`SourceFile.lines()`): looking each up from the top of the file made `hlsh -n`
    /// quadratic in its errors (found while fuzzing the parser, issue 17).
    func testEveryErrorQuotesItsOwnLineFromOneSplitOfTheFile() {
        let file = SourceFile(name: "f.hls", text: "one\r\ntwo\n\nfour")
        XCTAssertEqual(file.lines().map { String(decoding: $0, as: UTF8.self) }, ["one\r", "two", "", "four"])
        XCTAssertEqual((1...5).map { file.line($0) }, ["one\r", "two", "", "four", nil])
        var error = HLSError(.syntax, "e4", at: .source(SourceLocation(file: "f.hls", line: 4, column: 2)))
        error.others = [2, 9].map {
            HLSError(.syntax, "e\($0)", at: .source(SourceLocation(file: "f.hls", line: $0, column: 1)))
        }
        XCTAssertEqual(
            DiagnosticRenderer.render(error, source: { $0 == "f.hls" ? file : nil }, color: false),
            """
            f.hls:4:2: error: e4
                four
                 ^
            f.hls:2:1: error: e2
                two
                ^
            f.hls:9:1: error: e9
            3 errors

            """)
    }

    func testSeveralErrorsAreCounted() {
        let result = HLS().run("let = 1\nlet = 2")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.err.hasSuffix("\n2 errors\n"), result.err)
    }

    func testARuntimeErrorPointsAtTheFailingCommand() {
        let marked = MarkedSource("let vms = [1, 2]\n[3] | each { 1️⃣assert $it < 3 \"too big: $it\" }")
        let result = HLS().run(marked.text)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.err,
            """
            test.hls:\(marked["1️⃣"]): error: assertion failed: too big: 3
                [3] | each { assert $it < 3 "too big: $it" }
                             ^

            """)
    }

    func testCaretsAlignUnderTabsAndWideCharacters() {
        let marked = MarkedSource("\techo \"日本\" 1️⃣$nope")
        let result = HLS().run(marked.text)
        XCTAssertEqual(result.status, 1)
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[1], "     echo \"日本\" $nope")
        XCTAssertEqual(lines[2], "                 ^")
    }

    /// A token typed on a line that fails (pasted where it did not belong) shows as `***` in the
    /// quoted line, with the caret still under the place, in the message, and in the run log.
    func testASecretOnAFailingLineIsMaskedInTheErrorAndTheRunLog() throws {
        let token = "ghp_382646b8ec0123456789abcdef0123456789"
        let dir = try TemporaryDirectory()
        var hls = HLS()
        hls.options.logPath = dir.file("run.jsonl")
        let quoted = hls.run("echo \"\(token)\" $nope")
        XCTAssertEqual(quoted.status, 1)
        let lines = quoted.err.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[1], "    echo \"***\" $nope", quoted.err)
        XCTAssertEqual(lines[2], "               ^", quoted.err)
        let pve = "root@pam!hlsh=c36c1176-3e88-4a55-9d1c-0123456789ab"
        let asserted = hls.run("assert false \"cannot use \(pve) or --password hunter2\"")
        XCTAssertEqual(asserted.status, 1)
        XCTAssertTrue(asserted.err.contains("cannot use root@pam!hlsh=*** or --password ***"), asserted.err)
        let log = try String(contentsOfFile: dir.file("run.jsonl"), encoding: .utf8)
        XCTAssertTrue(log.contains("root@pam!hlsh=***"), log)
        for secret in [token, "c36c1176-3e88-4a55-9d1c-0123456789ab", "hunter2"] {
            XCTAssertFalse(quoted.err.contains(secret) || asserted.err.contains(secret), secret)
            XCTAssertFalse(log.contains(secret), "\(secret) in the run log: \(log)")
        }
    }

    func testRenderingInColour() {
        let error = HLSError(
            .failed, "boom", at: .source(SourceLocation(file: "f.hls", line: 1, column: 3)), hint: "try again")
        let text = DiagnosticRenderer.render(
            error, source: { _ in SourceFile(name: "f.hls", text: "a b c") }, color: true)
        XCTAssertTrue(text.contains("\u{1B}[1;31merror:\u{1B}[0m"), text)
        XCTAssertTrue(text.contains("  \u{1B}[36mhint:\u{1B}[0m try again"), text)
        XCTAssertFalse(DiagnosticRenderer.render(error, source: { _ in nil }, color: false).contains("\u{1B}"))
    }

    func testSuggestionsNeedToBeClose() {
        XCTAssertEqual(Suggest.nearest("shwo", in: ["show", "apply"]), "show")
        XCTAssertEqual(Suggest.nearest("srt", in: ["sort", "select"]), "sort")
        XCTAssertNil(Suggest.nearest("zzzz", in: ["show", "apply"]))
        XCTAssertEqual(Suggest.distance("kitten", "sitting"), 3)
    }
}

extension DiagnosticTests {
    func testASwapOfTwoLettersIsOneEdit() {
        XCTAssertEqual(Suggest.distance("srot", "sort"), 1)
        XCTAssertEqual(Suggest.nearest("srot", in: ["from", "sort"]), "sort")
        // As close as each other: both, the one `fro` begins first.
        XCTAssertEqual(Suggest.all("fro", in: ["from", "for"]), ["from", "for"])
        assertDiagnostic("[3, 1] | 1️⃣srot", "unknown command 'srot'", hint: "did you mean 'sort'?")
    }
}
