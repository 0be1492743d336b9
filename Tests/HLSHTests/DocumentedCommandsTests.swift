import Foundation
import TestSupport
import XCTest

/// The guides show only what exists: every `hlsh …` line in the code blocks of README.md,
/// docs/architecture.md, docs/runbook.md and docs/security.md passes `hlsh -n` (parsed against
/// the registry, so an unknown object, verb or flag, or a missing script, is an error), and so does every ```hls
/// block; a `help TOPIC` they show answers; every relative link of those files and of the
/// decision records points at a file of the repository. (`text` blocks are transcripts: their
/// `hlsh homelab> …` lines are prompts, not commands.)
final class DocumentedCommandsTests: XCTestCase {
    static let guides = ["README.md", "docs/architecture.md", "docs/runbook.md", "docs/security.md"]

    func testEveryCommandTheGuidesShowIsReal() throws {
        let checker = try Checker()
        var commands = 0
        for guide in Self.guides {
            let markdown = try String(contentsOfFile: Self.repository + "/" + guide, encoding: .utf8)
            commands += Checker.commandLines(markdown).count + Checker.hlsBlocks(markdown).count
            XCTAssertEqual(try checker.problems(markdown, name: guide), [], guide)
        }
        XCTAssertGreaterThan(commands, 30, "the guides lost their commands")
    }

    func testEveryRelativeLinkOfTheDocsPointsAtAFile() throws {
        let records = try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/docs/adr/seed")
            .filter { $0.hasSuffix(".md") }.map { "docs/adr/seed/" + $0 }
        XCTAssertGreaterThanOrEqual(records.count, 9, "the seed's decisions")
        for document in Self.guides + ["docs/adr/README.md"] + records {
            let markdown = try String(contentsOfFile: Self.repository + "/" + document, encoding: .utf8)
            XCTAssertEqual(Checker.brokenLinks(markdown, name: document, in: Self.repository), [], document)
        }
    }

    /// The runbook's table of inventory fields names only keys the inventory loader reads: each
    /// part of each field (`proxmox.ca_file`, the `vms[]` row's keys) is a key of
    /// Sources/Inventory (which refuses any other).
    func testTheRunbooksInventoryFieldsAreTheLoaders() throws {
        let runbook = try String(contentsOfFile: Self.repository + "/docs/runbook.md", encoding: .utf8)
        let fields = Self.inventoryFields(runbook)
        XCTAssertGreaterThan(fields.count, 30, "the runbook's inventory table")
        XCTAssertEqual(try Self.unknownInventoryKeys(fields), [])
    }

    /// The runbook's failed phase is what hlsh prints: its example (the bootstrap on the
    /// simulated lab, from a HOME without the public key the inventory names) is run, and its
    /// standard error compared line by line, the time and the operating system's cause aside.
    func testTheRunbooksFailedPhaseIsWhatHlshPrints() throws {
        let runbook = try String(contentsOfFile: Self.repository + "/docs/runbook.md", encoding: .utf8)
        let section = try XCTUnwrap(runbook.range(of: "## 5. When a phase fails"), "the runbook's section")
        let shown = try XCTUnwrap(Markdown.blocks(String(runbook[section.upperBound...])).first, "its example")
        let home = try TemporaryDirectory("hlsh-failed-phase")
        let result = try BuiltBinary.run(
            ["--sim", "scripts/bootstrap.hls"],
            environment: SimServe.testTimings.merging(["HOME": home.path, "XDG_STATE_HOME": home.file("state")]) {
                $1
            }, currentDirectory: Self.repository)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(Self.comparable(shown.text), Self.comparable(result.stderr))
    }

    /// `text` with the elapsed time and a `cause:` line's text replaced by placeholders.
    static func comparable(_ text: String) -> String {
        let time = try! NSRegularExpression(pattern: #"after [0-9.]+(ms|s)\b"#)
        let cause = try! NSRegularExpression(pattern: #"(?m)^(\s+cause:) .*$"#)
        var out = time.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "after TIME")
        out = cause.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1 …")
        return out
    }

    func testAMisspeltInventoryFieldIsCaught() throws {
        let table =
            "### The inventory\n\n| field | what |\n|---|---|\n| `proxmox.ca_path` | x |\n"
            + "| `vms[]` | `name`, `hosts` |\n\n"
        XCTAssertEqual(try Self.unknownInventoryKeys(Self.inventoryFields(table)), ["ca_path", "hosts"])
    }

    /// The keys of the rows of the table under "### The inventory": the first cell's names, and
    /// for `vms[]` the second cell's.
    static func inventoryFields(_ markdown: String) -> [String] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "### The inventory") else { return [] }
        let rows = lines[start...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        let code = try! NSRegularExpression(pattern: "`([a-z_.\\[\\]]+)`")
        return rows.flatMap { row -> [String] in
            let cells = row.split(separator: "|").map(String.init)
            let names = cells.prefix(cells.first?.contains("vms[]") == true ? 2 : 1).joined()
            return code.matches(in: names, range: NSRange(names.startIndex..., in: names)).compactMap {
                Range($0.range(at: 1), in: names).map { String(names[$0]) }
            }
        }
    }

    /// The parts of `fields` that are not a quoted key anywhere in Sources/Inventory.
    static func unknownInventoryKeys(_ fields: [String]) throws -> [String] {
        let folder = repository + "/Sources/Inventory"
        let source = try FileManager.default.contentsOfDirectory(atPath: folder).map {
            try String(contentsOfFile: folder + "/" + $0, encoding: .utf8)
        }.joined()
        let parts = fields.flatMap { $0.replacingOccurrences(of: "[]", with: "").split(separator: ".") }
        return parts.map(String.init).filter { !source.contains("\"\($0)\"") }
    }

    /// The checks themselves: a misspelt verb (also in a block indented under a list item), a
    /// misspelt flag, an unknown help topic, a script that does not exist and a link to nothing
    /// are each reported with their line.
    func testTheChecksCatchMisspeltVerbsAHelpTopicAndABrokenLink() throws {
        let markdown = """
            # guide
            See [the runbook](docs/runbook.md) and [nothing](docs/nothing.md#top).

            ```sh
            hlsh vm list                   # fine
            hlsh vm lisst
            hlsh --sim scripts/missing.hls
            hlsh -c 'help vm lisst'
            ```

            ```hls
            flux wait apps --timeot 5m
            ```

            ```text
            hlsh homelab> vm st
            ```

            1. In a list:

               ```sh
               hlsh flux gett ks -A
               ```
            """
        let problems = try Checker().problems(markdown, name: "guide.md")
        XCTAssertEqual(problems.count, 5, problems.joined(separator: "\n"))
        XCTAssertTrue(problems.contains { $0.hasPrefix("guide.md:6: ") && $0.contains("unknown verb 'lisst'") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("guide.md:7: ") && $0.contains("cannot read") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("guide.md:8: ") && $0.contains("no command or object") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("guide.md:12: ") && $0.contains("unknown flag '--timeot'") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("guide.md:22: ") && $0.contains("unknown verb 'gett'") })
        XCTAssertEqual(
            Checker.brokenLinks(markdown, name: "guide.md", in: Self.repository),
            ["guide.md:2: docs/nothing.md does not exist"])
    }

    static var repository: String { SimulatedLabBinaryTests.repository }

    /// Runs the documented commands through the binary, from a scratch directory whose
    /// `scripts` is the repository's (so `--log FILE` and the like write nothing into it).
    struct Checker {
        let scratch: TemporaryDirectory

        init() throws {
            scratch = try TemporaryDirectory("hlsh-docs")
            try FileManager.default.createSymbolicLink(
                atPath: scratch.file("scripts"), withDestinationPath: DocumentedCommandsTests.repository + "/scripts")
        }

        /// Every problem of one Markdown file, as `NAME:LINE: what`.
        func problems(_ markdown: String, name: String) throws -> [String] {
            let lines = Self.commandLines(markdown)
            let words = try Self.shellWords(lines.map(\.text))
            var problems: [String] = []
            for (line, arguments) in zip(lines, words) where !arguments.isEmpty {
                // hlsh's own -n goes first: a later one may be a verb's (`cert why X -n NAMESPACE`).
                problems += try run(["-n"] + arguments, at: "\(name):\(line.line)")
                if Self.isHelp(arguments) { problems += try run(arguments, at: "\(name):\(line.line)") }
            }
            for block in Self.hlsBlocks(markdown) {
                problems += try run(["-n", "-c", block.text], at: "\(name):\(block.line)")
            }
            return problems
        }

        func run(_ arguments: [String], at place: String) throws -> [String] {
            let result = try BuiltBinary.run(
                arguments, environment: ["HOME": scratch.path, "XDG_STATE_HOME": scratch.file("state")],
                currentDirectory: scratch.path)
            guard result.status != 0 else { return [] }
            return ["\(place): hlsh \(arguments.joined(separator: " ")): \(result.stderr)"]
        }

        /// `help …` run as given (`hlsh help vm` or `hlsh -c 'help vm'`): its topic must exist,
        /// which parsing alone does not check.
        static func isHelp(_ arguments: [String]) -> Bool {
            if let c = arguments.firstIndex(of: "-c"), c + 1 < arguments.count {
                return arguments[c + 1].hasPrefix("help ")
            }
            return arguments.first { !$0.hasPrefix("-") } == "help"
        }

        /// The lines that run hlsh from the outer shell, outside transcripts (`text` blocks).
        static func commandLines(_ markdown: String) -> [(line: Int, text: String)] {
            Markdown.blocks(markdown).filter { $0.info != "text" && $0.info != "hls" }.flatMap { block in
                block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
                    let text = $0.element.trimmingCharacters(in: .whitespaces)
                    return text == "hlsh" || text.hasPrefix("hlsh ")
                        ? (block.line + $0.offset, String(text.dropFirst(4))) : nil
                }
            }
        }

        static func hlsBlocks(_ markdown: String) -> [Markdown.Block] {
            Markdown.blocks(markdown).filter { $0.info == "hls" }
        }

        /// Each line split into words as a POSIX shell would (quotes, escapes, `# comments`; no
        /// expansion), up to its first operator (`|`, `>`, `;`, `&&`): Python's shlex, which runs
        /// nothing.
        static func shellWords(_ lines: [String]) throws -> [[String]] {
            let split = """
                import json, shlex, sys
                out = []
                for line in json.load(sys.stdin):
                    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
                    lex.whitespace_split = True
                    words = []
                    for word in lex:
                        if word and all(c in "();<>|&" for c in word): break
                        words.append(word)
                    out.append(words)
                print(json.dumps(out))
                """
            let input = String(decoding: try JSONSerialization.data(withJSONObject: lines), as: UTF8.self)
            let result = try runProcess("/usr/bin/python3", ["-c", split], stdin: input)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String]] ?? []
        }

        /// Relative link targets (not `http:`, `mailto:` or `#anchor`) that name no file or folder,
        /// resolved from the document's folder.
        static func brokenLinks(_ markdown: String, name: String, in repository: String) -> [String] {
            let folder = (repository + "/" + name as NSString).deletingLastPathComponent
            return Markdown.links(markdown).compactMap { link in
                let target = String(link.target.split(separator: "#", omittingEmptySubsequences: false)[0])
                if target.isEmpty || target.contains("://") || target.hasPrefix("mailto:") { return nil }
                let path = (folder + "/" + target as NSString).standardizingPath
                return FileManager.default.fileExists(atPath: path)
                    ? nil : "\(name):\(link.line): \(target) does not exist"
            }
        }
    }
}
