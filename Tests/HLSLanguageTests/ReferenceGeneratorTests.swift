import HLSCore
import XCTest

@testable import HLSLanguage

/// The pieces of `hlsh docs`: roff and Markdown escaping, and a verb's section in both
/// documents, on the test registry.
final class ReferenceGeneratorTests: XCTestCase {
    let manual = ProgramManual(
        summary: "a test shell", synopsis: ["hlsh -c 'COMMANDS'"], description: ["It tests."],
        options: [.init("--dry-run", "Show what would change.")], environment: [.init("HLSH_LAB", "The inventory.")],
        files: [.init("./homelab.yaml", "The inventory.")], seeAlso: ["ssh_config(5)"])

    func testRoffEscapesHyphensBackslashesRequestsAndNonASCII() {
        XCTAssertEqual(Roff.text("--dry-run -o"), "\\-\\-dry\\-run \\-o")
        XCTAssertEqual(Roff.text(#"a\b"#), #"a\eb"#)
        XCTAssertEqual(Roff.text(".hidden and 'quoted'\n'line\nx. y"), "\\&.hidden and 'quoted'\n\\&'line\nx. y")
        XCTAssertEqual(Roff.text("a — b…"), "a \\[u2014] b\\[u2026]")
        XCTAssertEqual(Roff.text("🙂"), "\\[u1F642]")
        XCTAssertEqual(Roff.bold("vm apply"), "\\fBvm apply\\fR")
    }

    func testMarkdownProseEscapesOutsideCodeSpans() {
        XCTAssertEqual(ReferenceDocument.prose("*** in output, <name>, `a*b`"), #"\*\*\* in output, \<name>, `a*b`"#)
        XCTAssertEqual(ReferenceDocument.anchor("vm apply"), "vm-apply")
        XCTAssertEqual(ReferenceDocument.anchor("if, elif, else"), "if-elif-else")
    }

    func testAVerbsSectionHasItsArgumentsFlagsDefaultsColumnsAndExamples() {
        let markdown = ReferenceDocument.markdown(testRegistry(Recorder()), manual: manual)
        XCTAssertTrue(
            markdown.contains(
                """
                ### vm apply

                Converge a VM's memory.

                ```
                vm apply <name> [--memory <size>]
                ```

                Arguments:

                - `<name>` (vm): the VM

                Flags:

                - `--memory <size>`: the memory it should have (default: 8 GiB)

                Changes the lab: honours --dry-run (shows the plan, changes nothing) and is idempotent.


                """), markdown)
        XCTAssertTrue(
            markdown.contains(
                "Columns (with `-o json` or `-o yaml`, the keys of each record): `name`, `status`, `memory`."))
        XCTAssertTrue(markdown.contains("- `-o, --output <table|json|yaml>`: print the value"), markdown)
        XCTAssertTrue(
            markdown.contains(
                "Example — a list of records is a table:\n\n```hls\n[{a: 1}] | describe\n```\n\n```output\ntable\n```\n"
            ),
            markdown)
        XCTAssertTrue(markdown.contains("- `3`: with --dry-run --detailed-exitcode"), markdown)
        XCTAssertTrue(markdown.contains("- `HLSH_LAB`: The inventory."), markdown)

        let page = ManPage.roff(testRegistry(Recorder()), manual: manual)
        XCTAssertTrue(
            page.contains(
                """
                .TP
                \\fBvm apply <name> [\\-\\-memory <size>]\\fR
                Converge a VM's memory.
                Changes the lab: honours \\-\\-dry\\-run (shows the plan, changes nothing) and is idempotent.
                .RS
                .TP
                \\fB<name>\\fR
                the VM
                .TP
                \\fB\\-\\-memory <size>\\fR
                the memory it should have (default: 8 GiB)
                .RE

                """), page)
        XCTAssertTrue(page.contains(".SH EXIT STATUS\n.TP\n\\fB0\\fR\neverything ran\n"), page)
        XCTAssertTrue(
            page.contains(".PP\na list of records is a table:\n.RS 4\n.nf\n[{a: 1}] | describe\n.fi\n.RE\n"), page)
    }
}
