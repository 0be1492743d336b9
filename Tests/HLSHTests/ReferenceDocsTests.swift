import Foundation
import TestSupport
import XCTest

/// `hlsh docs` writes `docs/reference.md` and the man page `docs/hlsh.1` from the registry: the
/// checked-in copies are current, `--check` names a stale one, and the man page renders without
/// a warning from man or groff.
final class ReferenceDocsTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let docs = repository + "/docs"
    static let regenerate = "regenerate them with: swift build && .build/debug/hlsh docs"

    func testTheCheckedInReferenceAndManPageAreCurrent() throws {
        let result = try BuiltBinary.run(["docs", "--check", Self.docs])
        XCTAssertEqual(
            result.status, 0, "docs/reference.md or docs/hlsh.1 is stale; \(Self.regenerate)\n\(result.stderr)")
        XCTAssertEqual(result.stdout, "")
    }

    func testDocsWritesBothFilesAndCheckNamesTheStaleOne() throws {
        let dir = try TemporaryDirectory("hlsh-docs")
        let written = try BuiltBinary.run(["docs", dir.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertEqual(written.stderr, "wrote \(dir.file("reference.md"))\nwrote \(dir.file("hlsh.1"))\n")
        XCTAssertEqual(try BuiltBinary.run(["docs", "--check", dir.path]).status, 0)
        // The generated files are the checked-in ones.
        for name in ["reference.md", "hlsh.1"] {
            XCTAssertEqual(
                try String(contentsOfFile: dir.file(name), encoding: .utf8),
                try String(contentsOfFile: Self.docs + "/" + name, encoding: .utf8), "docs/\(name); \(Self.regenerate)")
        }

        try dir.write("hlsh.1", try String(contentsOfFile: dir.file("hlsh.1"), encoding: .utf8) + ".\\\" edited\n")
        let stale = try BuiltBinary.run(["docs", "--check", dir.path])
        XCTAssertEqual(stale.status, 1)
        XCTAssertEqual(
            stale.stderr,
            "hlsh: \(dir.file("hlsh.1")) is stale (it differs from what the registry generates); "
                + "run: hlsh docs \(dir.path)\n")

        try FileManager.default.removeItem(atPath: dir.file("reference.md"))
        let missing = try BuiltBinary.run(["docs", "--check", dir.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("\(dir.file("reference.md")) is missing"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("\(dir.file("hlsh.1")) is stale"), missing.stderr)
    }

    func testDocsRefusesWhatItDoesNotTake() throws {
        let result = try BuiltBinary.run(["docs", "--chek"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "hlsh: docs: unknown option '--chek'\n  usage: hlsh docs [--check] [DIR]\n")
        let help = try BuiltBinary.run(["docs", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.hasPrefix("usage: hlsh docs [--check] [DIR]\n"), help.stdout)
    }

    /// `man -l` as a user runs it (all warnings on, 80 columns), and groff's own check.
    func testTheManPageRendersWithoutWarnings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/man") else {
            throw XCTSkip("man is not installed (scripts/test installs man-db and groff)")
        }
        let page = Self.docs + "/hlsh.1"
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["MANROFFSEQ"] = ""
        environment["MANWIDTH"] = "80"
        environment["MANPAGER"] = "cat"
        let man = try runProcess("/usr/bin/man", ["--warnings=all", "-l", page], environment: environment)
        XCTAssertEqual(man.status, 0, man.stderr)
        XCTAssertEqual(man.stderr, "", "man --warnings=all -l docs/hlsh.1 warns")
        XCTAssertTrue(man.stdout.contains("EXIT STATUS"), man.stdout)
        XCTAssertTrue(man.stdout.contains("vm apply"), man.stdout)
        // An escape written into text that Roff.text escapes again shows as itself.
        XCTAssertFalse(man.stdout.contains("\\-"), "a doubly escaped hyphen in docs/hlsh.1")

        let groff = try runProcess("/usr/bin/groff", ["-man", "-ww", "-z", page])
        XCTAssertEqual(groff.status, 0, groff.stderr)
        XCTAssertEqual(groff.stderr + groff.stdout, "", "groff -man -ww -z docs/hlsh.1 warns")
    }

    /// Every environment variable the client reads (outside the simulator) is in the man page's
    /// ENVIRONMENT section.
    func testEveryEnvironmentVariableTheClientReadsIsInTheManPage() throws {
        let page = try String(contentsOfFile: Self.docs + "/hlsh.1", encoding: .utf8)
        let section =
            try XCTUnwrap(page.components(separatedBy: ".SH ENVIRONMENT\n").dropFirst().first)
            .components(separatedBy: "\n.SH ").first ?? ""
        // Each variable is the bold tag of a `.TP` paragraph: `.TP`, then `\fBNAME\fR`.
        let lines = section.split(separator: "\n")
        let documented = Set(
            zip(lines, lines.dropFirst()).filter { $0.0 == ".TP" }.map {
                $0.1.replacingOccurrences(of: "\\fB", with: "").replacingOccurrences(of: "\\fR", with: "")
            })
        // Not the user's to set: PATH finds programs; hlsh sets KUBERNETES_EXEC_INFO for a
        // kubeconfig's exec plugin and HLSH_K3S_TOKEN for the k3s script on a node.
        let notUsers: Set<String> = ["PATH", "KUBERNETES_EXEC_INFO", "HLSH_K3S_TOKEN"]
        let read = try Self.environmentVariablesRead().subtracting(notUsers)
        XCTAssertGreaterThan(read.count, 20)
        XCTAssertEqual(read.subtracting(documented).sorted(), [], "variables the man page does not describe")
    }

    /// `environment["NAME"]`, `env["NAME"]` and `static let x = "NAME"` in Sources, but LabSim.
    static func environmentVariablesRead() throws -> Set<String> {
        let sources = repository + "/Sources"
        let expression = try NSRegularExpression(
            pattern: #"(?:environment|env)\["([A-Z][A-Z0-9_]+)"\]|static let \w+ = "([A-Z][A-Z0-9_]+)""#)
        var names: Set<String> = []
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix("LabSim/") {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for group in 1...2 {
                    if let range = Range(match.range(at: group), in: text) { names.insert(String(text[range])) }
                }
            }
        }
        return names
    }
}
