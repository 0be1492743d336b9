import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

@testable import HLSRepl

/// `hlsh __complete`'s reading of the outer shell's words, and its name cache on disk.
final class CommandLineCompleterTests: XCTestCase {
    let options = [
        CommandLineOption(["-c"], .string, "run COMMANDS"),
        CommandLineOption(["-o", "--output"], .choice(["table", "json"]), "format", runWide: true),
        CommandLineOption(["--dry-run"], "change nothing", runWide: true),
    ]

    func registry(provider: NameProvider) -> Registry {
        var r = Builtins.registry
        r.registerObject("vm", summary: "virtual machines")
        r.register(
            CommandSpec(
                ["vm", "start"], summary: "start a VM", positionals: [Parameter("name", .name("vm"), "the VM")],
                flags: [Flag("timeout", .duration, "how long")], implementation: .query { _ in .null }))
        r.registerProvider(provider)
        return r
    }

    /// One `hlsh __complete` process: a completer whose names are cached in `file` for `lab`.
    func process(_ registry: Registry, file: String, lab: String) -> CommandLineCompleter {
        let context = ExecutionContext(out: { _ in }, err: { _ in })
        let cache = NameCache(file: file, namespace: lab)
        let completer = Completer(registry: registry, context: context, deadline: .seconds(1), cache: cache)
        return CommandLineCompleter(completer: completer, options: options)
    }

    func testOwnOptionsTheirValuesAndTheRunWideOnesAmongAVerbsWords() throws {
        let r = registry(provider: NameProvider(kind: "vm") { _ in [NameCandidate("web")] })
        let c = process(r, file: try TemporaryDirectory().file("names.json"), lab: "")
        func texts(_ words: String...) -> [String] { c.complete(words).map(\.text) }
        XCTAssertEqual(texts("--"), ["--dry-run", "--output"])
        XCTAssertEqual(texts("-o", ""), ["json", "table"])
        XCTAssertEqual(texts("-c", ""), [], "no candidates for code")
        XCTAssertEqual(texts("--dry-run", "vm", "st"), ["start"])
        XCTAssertEqual(texts("vm", "start", "--"), ["--dry-run", "--help", "--output", "--timeout"])
        XCTAssertEqual(texts("vm", "start", "--output", "j"), ["json"])
        XCTAssertEqual(texts("vm", "start", "--dry-run", "-o", "json", "w"), ["web"])
        XCTAssertEqual(texts("completions", "bash", ""), [])
        XCTAssertEqual(texts("completions", "b"), ["bash"])
    }

    /// Each Tab is a new process: a fresh answer in the file is used without asking the
    /// provider again, for the same lab only, and until the provider's TTL.
    func testLiveNamesAreSharedBetweenProcessesThroughTheCacheFileUntilTheirTTL() throws {
        let calls = LockedCounter()
        let provider = NameProvider(kind: "vm", ttl: .milliseconds(500)) { _ in
            calls.increment()
            return [NameCandidate("web", detail: "stopped")]
        }
        let r = registry(provider: provider)
        let file = try TemporaryDirectory().file("cache/names.json")
        let first = process(r, file: file, lab: "lab-a").complete(["vm", "start", ""])
        XCTAssertEqual(first, [.init("web", detail: "stopped")])
        XCTAssertEqual(process(r, file: file, lab: "lab-a").complete(["vm", "start", "w"]), first)
        XCTAssertEqual(calls.value, 1, "the second process read the file")
        _ = process(r, file: file, lab: "lab-b").complete(["vm", "start", ""])
        XCTAssertEqual(calls.value, 2, "another lab's names are not this one's")
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertEqual(process(r, file: file, lab: "lab-a").complete(["vm", "start", ""]), first)
        XCTAssertEqual(calls.value, 3, "past its TTL the answer is fetched again")
    }
}
