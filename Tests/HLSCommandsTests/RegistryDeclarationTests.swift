import Foundation
import HLSCommands
import HLSLanguage
import TestSupport
import XCTest

/// Every verb's declaration is sound: names that can be told apart, short flags that do not
/// clash (with each other, the shared `-o`, or hlsh's run-wide flags), defaults of the declared
/// kind, choices that contain their default.
final class RegistryDeclarationTests: XCTestCase {
    func testEveryVerbDeclaresDistinctNamesAndDefaultsOfItsKind() throws {
        let reserved = Self.runWideFlagNames()
        XCTAssertTrue(reserved.isSuperset(of: ["dry-run", "o", "output", "y", "yes", "resume"]), "\(reserved)")
        let registry = Commands.registry()
        XCTAssertGreaterThan(registry.specs.count, 40)
        for spec in registry.specs {
            let allowed = Self.sharedWithRunWideFlags[spec.name] ?? []
            XCTAssertEqual(spec.declarationProblems(reserved: reserved.subtracting(allowed)), [])
        }
    }

    /// Help text reads as prose: a declaration's `\`-continued lines joined by a merge or an
    /// edit must not leave a run of spaces (or a tab) inside a sentence.
    func testNoHelpTextHasARunOfSpaces() {
        for spec in Commands.registry().specs {
            let texts =
                [spec.summary, spec.discussion ?? ""] + spec.flags.map(\.help) + spec.positionals.map(\.help)
                + spec.examples.map(\.summary)
            for text in texts where text.contains("  ") || text.contains("\t") {
                XCTFail("\(spec.name): a run of spaces in its help: \(text)")
            }
        }
    }

    /// `help`'s first page names every verb of every object after its summary (derived from the
    /// registry, so a verb added later is there), wrapped within 100 columns.
    func testTheHelpPageNamesEveryVerbOfEveryObject() {
        let registry = Commands.registry()
        let lines = HelpText.render(topic: [], registry: registry).components(separatedBy: "\n")
        for line in lines { XCTAssertLessThanOrEqual(line.count, 100, line) }
        for (object, summary) in registry.objects {
            guard let at = lines.firstIndex(where: { $0.hasPrefix("  \(object) ") }) else {
                XCTFail("\(object) is not on help's first page")
                continue
            }
            // The entry's first line and its continuation lines (indented under the summary).
            let entry: [String] = [lines[at]] + lines[(at + 1)...].prefix { $0.hasPrefix("     ") }
            let verbs = registry.verbs(of: object).map { $0.path[1] }
            XCTAssertEqual(
                entry.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " "),
                "\(object) \(summary): \(verbs.joined(separator: ", "))")
        }
    }

    func testTheChecksFindAClashAndADefaultOfTheWrongKind() {
        let spec = CommandSpec(
            ["t"], summary: "test",
            positionals: [Parameter("n", .int, "count", default: .string("ten"))],
            flags: [
                Flag("limit", short: "l", .int, "at once", default: .string("10")),
                Flag("level", short: "l", .choice(["a", "b"]), "which", default: .string("c")),
                Flag("limit", .int, "again"),
                Flag("dry-run", "a run-wide flag"),
            ], implementation: .query { _ in .null })
        XCTAssertEqual(
            Set(spec.declarationProblems(reserved: ["dry-run"])),
            [
                "'t': the name 'limit' is declared more than once",
                "'t': the short flag '-l' is declared more than once",
                "'t': its flag 'dry-run' is also a run-wide flag of hlsh",
                "'t': --limit is declared int but defaults to a string",
                "'t': --level defaults to 'c', which is not one of a, b",
                "'t': <n> is declared int but defaults to a string",
            ])
        XCTAssertTrue(spec.declares("limit"))
        XCTAssertFalse(spec.declares("limt"))
    }

    /// Every verb takes the shared `-o/--output FORMAT`, so a verb of its own `--output FILE`
    /// (as `node kubeconfig` once had) is a declaration problem, not a silent exception.
    func testAVerbDeclaringItsOwnOutputFlagIsAProblem() {
        let spec = CommandSpec(
            ["t"], summary: "test", flags: [Flag("output", short: "o", .string, "a file")],
            implementation: .query { _ in .null })
        XCTAssertEqual(
            Set(spec.declarationProblems()),
            [
                "'t': the name 'output' is declared more than once",
                "'t': the short flag '-o' is declared more than once",
            ])
    }

    /// Verb flags that share a name with a run-wide flag of hlsh, each for a stated reason.
    static let sharedWithRunWideFlags: [String: Set<String>] = [
        // The same meaning: hlsh's `-y` sets assumeYes, which `vm destroy` honours as its own `--yes`.
        "vm destroy": ["yes", "y"],
        // `-n NAMESPACE` as kubectl has it: hlsh's own `-n` (check the script only) is read only
        // before the first word, never among a command's words (it is not run-wide in `LaunchFlags`), so
        // `hlsh kube get po -n apps` gives it to the verb.
        "kube get": ["n"], "kube delete": ["n"], "kube wait": ["n"], "kube events": ["n"],
        "cert list": ["n"], "cert show": ["n"], "cert renew": ["n"], "cert wait": ["n"], "cert issuers": ["n"],
        "cert expiring": ["n"], "cert why": ["n"],
        // `kube logs -c CONTAINER` likewise: hlsh's `-c CODE` is read only before the first word.
        "kube logs": ["n", "c"],
        "volume list": ["n"], "volume show": ["n"], "volume wait": ["n"],
        // `flux … -n NAMESPACE` as the flux CLI has it, for the same reason.
        "flux get": ["n"], "flux reconcile": ["n"], "flux suspend": ["n"], "flux resume": ["n"], "flux wait": ["n"],
        "flux tree": ["n"], "flux diff": ["n"],
    ]

    /// `-o`/`--output FORMAT` is every verb's and hlsh's own: a verb that declared its own
    /// `--output` (as `node kubeconfig --output FILE` once did) would take the verb's meaning in
    /// the shell but hlsh's from bash (`hlsh node kubeconfig --output F`).
    func testNoVerbDeclaresAFlagNamedAsAGlobalOne() throws {
        let global = Self.runWideFlagNames().union(["output", "o"])
        for spec in Commands.registry().specs {
            let allowed = Self.sharedWithRunWideFlags[spec.name] ?? []
            for flag in spec.flags {
                let names = Set([flag.name] + (flag.short.map { [String($0)] } ?? []))
                let clashing = names.intersection(global).subtracting(allowed)
                XCTAssertEqual(clashing, [], "'\(spec.name)' --\(flag.name) clashes with a global flag")
            }
        }
    }

    /// The long and short names of hlsh's own options, from their one declaration
    /// (`LaunchFlags`), so the list is not written twice.
    static func runWideFlagNames() -> Set<String> {
        Set(LaunchFlags.all.flatMap { flag in [flag.long, flag.short.map { String($0) }].compactMap { $0 } })
    }
}
