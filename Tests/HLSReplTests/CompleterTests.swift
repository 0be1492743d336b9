import Foundation
import HLSCore
import HLSLanguage
import HLSRepl
import Synchronization
import TestSupport
import XCTest

final class CompleterTests: XCTestCase {
    /// A registry with builtins plus a small `vm` object whose names come from a provider.
    func registry(provider: NameProvider? = nil) -> Registry {
        var r = Builtins.registry
        r.registerObject("vm", summary: "virtual machines")
        let query = Implementation.query { _ in .null }
        r.register(CommandSpec(["vm", "list"], summary: "list VMs", implementation: query))
        r.register(
            CommandSpec(
                ["vm", "start"], summary: "start a VM", positionals: [Parameter("name", .name("vm"), "the VM")],
                flags: [Flag("timeout", .duration, "how long"), Flag("mode", .choice(["fast", "slow"]), "how")],
                implementation: query))
        r.register(CommandSpec(["vm", "wait"], summary: "wait for a VM", implementation: query))
        if let provider { r.registerProvider(provider) }
        return r
    }

    func completer(_ registry: Registry, deadline: Duration = .milliseconds(300), variables: [String] = []) -> Completer
    {
        let context = ExecutionContext(out: { _ in }, err: { _ in })
        return Completer(registry: registry, context: context, deadline: deadline) { (variables, ["twice"]) }
    }

    func texts(_ c: Completion) -> [String] { c.candidates.map(\.text) }

    func testAPartialObjectCompletesToTheObject() {
        let c = completer(registry()).complete(line: "v", cursor: 1)
        XCTAssertEqual(texts(c), ["vm"])
        XCTAssertEqual(c.wordStart, 0)
    }

    func testVerbsOfAnObjectAreOffered() {
        let c = completer(registry()).complete(line: "vm ", cursor: 3)
        XCTAssertEqual(texts(c), ["list", "start", "wait"])
        XCTAssertEqual(completer(registry()).complete(line: "vm st", cursor: 5).candidates.map(\.text), ["start"])
    }

    func testFlagsComeFromTheVerbsDeclaration() {
        let c = completer(registry()).complete(line: "vm start web --", cursor: 15)
        XCTAssertEqual(texts(c), ["--help", "--mode", "--output", "--timeout"])
    }

    func testAChoiceFlagCompletesItsValues() {
        let c = completer(registry()).complete(line: "vm start web --mode ", cursor: 20)
        XCTAssertEqual(texts(c), ["fast", "slow"])
    }

    /// The shared -o/--output every verb takes completes its formats (it offered nothing), and
    /// its value is not taken for a positional.
    func testTheSharedOutputFlagCompletesItsFormats() {
        for line in ["vm list -o ", "vm list --output ", "vm start web -o "] {
            XCTAssertEqual(
                texts(completer(registry()).complete(line: line, cursor: line.count)), ["json", "table", "yaml"])
        }
        let provider = NameProvider(kind: "vm") { _ in [NameCandidate("web"), NameCandidate("db")] }
        let after = "vm start -o json "
        let c = completer(registry(provider: provider)).complete(line: after, cursor: after.count)
        XCTAssertEqual(texts(c), ["db", "web"], "json is -o's value, so the VM's name comes next")
    }

    func testCommandsAfterAPipeCompleteAsCommands() {
        let c = completer(registry()).complete(line: "vm list | whe", cursor: 13)
        XCTAssertEqual(texts(c), ["where"])
        XCTAssertEqual(c.wordStart, 10)
    }

    func testVariablesAndDefsComplete() {
        let comp = completer(registry(), variables: ["vms", "vmid", "other"])
        XCTAssertEqual(texts(comp.complete(line: "echo $vm", cursor: 8)), ["$vmid", "$vms"])
        XCTAssertEqual(texts(comp.complete(line: "tw", cursor: 2)), ["twice"])
    }

    func testLiveNamesAreFilteredByTheVerb() {
        let provider = NameProvider(kind: "vm") { query in
            XCTAssertEqual(query.command, "vm start")
            return [NameCandidate("k3s-cp-01", detail: "stopped"), NameCandidate("k3s-wk-01", detail: "stopped")]
        }
        let c = completer(registry(provider: provider)).complete(line: "vm start k3s-c", cursor: 14)
        XCTAssertEqual(texts(c), ["k3s-cp-01"])
        XCTAssertEqual(c.candidates.first?.detail, "stopped")
    }

    /// A provider slower than the deadline does not hold the Tab: the first press returns
    /// without it (nothing cached yet), and once the slow call finishes its answer is cached.
    func testASlowProviderIsCutOffAndItsLateAnswerIsCached() throws {
        let calls = LockedCounter()
        let provider = NameProvider(kind: "vm", ttl: .seconds(60)) { _ in
            calls.increment()
            Thread.sleep(forTimeInterval: 1.5)
            return [NameCandidate("slow-vm")]
        }
        let comp = completer(registry(provider: provider), deadline: .milliseconds(200))
        let started = Date()
        let first = comp.complete(line: "vm start ", cursor: 9)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.2, "the Tab must not wait for the slow provider")
        XCTAssertEqual(texts(first), [])
        // A second Tab while the fetch runs does not start another fetch.
        _ = comp.complete(line: "vm start ", cursor: 9)
        let deadline = Date().addingTimeInterval(10)
        var later: [String] = []
        while Date() < deadline {
            later = texts(comp.complete(line: "vm start ", cursor: 9))
            if !later.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertEqual(later, ["slow-vm"])
        XCTAssertEqual(calls.value, 1)
    }

    /// `kube get [-n NS] KIND NAME`: a short flag's value completes (`-n `), a short flag with a
    /// value is not a positional, and a provider sees the words typed before the name, its
    /// answers cached per those words.
    func testShortFlagValuesAndNamesThatDependOnTheWordsBefore() {
        var r = Builtins.registry
        r.registerObject("kube", summary: "Kubernetes")
        r.register(
            CommandSpec(
                ["kube", "get"], summary: "get",
                positionals: [
                    Parameter("kind", .name("kind"), "a type"),
                    Parameter("name", .name("object"), "one", optional: true),
                ],
                flags: [Flag("namespace", short: "n", .name("ns"), "the namespace"), Flag("all", short: "A", "all")],
                implementation: .query { _ in .null }))
        r.registerProvider(NameProvider(kind: "ns") { _ in [NameCandidate("apps"), NameCandidate("default")] })
        r.registerProvider(NameProvider(kind: "kind") { _ in [NameCandidate("pods"), NameCandidate("configmaps")] })
        let asked = LockedList()
        r.registerProvider(
            NameProvider(
                kind: "object", ttl: .seconds(60), scope: { $0.joined(separator: " ") },
                fetch: { query in
                    asked.append(query.words.joined(separator: " "))
                    let kind = query.words.first { !$0.hasPrefix("-") && $0 != "apps" } ?? ""
                    let namespace = query.words.contains("apps") ? "apps" : "default"
                    return [NameCandidate("\(kind)-in-\(namespace)")]
                }))
        let comp = completer(r)
        XCTAssertEqual(texts(comp.complete(line: "kube get -n ", cursor: 12)), ["apps", "default"])
        XCTAssertEqual(texts(comp.complete(line: "kube get -n apps ", cursor: 17)), ["configmaps", "pods"])
        XCTAssertEqual(texts(comp.complete(line: "kube get -A ", cursor: 12)), ["configmaps", "pods"])
        XCTAssertEqual(texts(comp.complete(line: "kube get -n apps pods ", cursor: 22)), ["pods-in-apps"])
        XCTAssertEqual(texts(comp.complete(line: "kube get pods ", cursor: 14)), ["pods-in-default"])
        XCTAssertEqual(texts(comp.complete(line: "kube get configmaps c", cursor: 21)), ["configmaps-in-default"])
        XCTAssertEqual(texts(comp.complete(line: "kube get pods p", cursor: 15)), ["pods-in-default"])
        XCTAssertEqual(asked.values, ["-n apps pods", "pods", "configmaps"], "one fetch per scope, then the cache")
    }

    func testPathsCompleteForSourceAndPathArguments() throws {
        let dir = try TemporaryDirectory()
        try dir.write("runbooks/bootstrap.hls", "echo hi\n")
        try dir.write("runbooks/day2.hls", "echo hi\n")
        let comp = completer(registry())
        let line = "source \(dir.path)/runbooks/b"
        XCTAssertEqual(texts(comp.complete(line: line, cursor: line.count)), ["\(dir.path)/runbooks/bootstrap.hls"])
        let dirLine = "source \(dir.path)/run"
        let c = comp.complete(line: dirLine, cursor: dirLine.count)
        XCTAssertEqual(texts(c), ["\(dir.path)/runbooks/"])
        XCTAssertEqual(c.candidates.first?.isFinal, false, "no space after a directory")
    }

    func testAQuotedFilePathClosesItsQuoteAndADirectoryKeepsItOpen() throws {
        let dir = try TemporaryDirectory()
        try dir.write("scripts/homelab.yaml", "name: x\n")
        let comp = completer(registry())
        let line = "source \"\(dir.path)/scripts/home"
        let file = comp.complete(line: line, cursor: line.count)
        XCTAssertEqual(texts(file), ["\"\(dir.path)/scripts/homelab.yaml\""])
        XCTAssertEqual(file.candidates.first?.isFinal, true, "a space after the closed quote")
        let dirLine = "source '\(dir.path)/scr"
        let directory = comp.complete(line: dirLine, cursor: dirLine.count)
        XCTAssertEqual(texts(directory), ["'\(dir.path)/scripts/"])
        XCTAssertEqual(directory.candidates.first?.isFinal, false)
    }

    func testHelpCompletesTopicsObjectsVerbsAndKeywords() {
        let comp = completer(registry())
        XCTAssertEqual(texts(comp.complete(line: "help v", cursor: 6)), ["vm"])
        XCTAssertEqual(texts(comp.complete(line: "help vm ", cursor: 8)), ["list", "start", "wait"])
        XCTAssertEqual(texts(comp.complete(line: "help vm st", cursor: 10)), ["start"])
        XCTAssertEqual(texts(comp.complete(line: "help el", cursor: 7)), ["elif", "else"])
        let all = texts(comp.complete(line: "help ", cursor: 5))
        for topic in ["vm", "echo", "if", "for", "wait"] { XCTAssertTrue(all.contains(topic), "\(topic) in \(all)") }
        XCTAssertEqual(texts(comp.complete(line: "help vm list ", cursor: 13)), [])
    }

    func testCommonPrefixOfSeveralCandidates() {
        let c = Completion(wordStart: 0, word: "k", candidates: [.init("k3s-cp-01"), .init("k3s-wk-01")])
        XCTAssertEqual(c.commonPrefix, "k3s-")
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class LockedList: Sendable {
    private let items = Mutex<[String]>([])
    func append(_ item: String) { items.withLock { $0.append(item) } }
    var values: [String] { items.withLock { $0 } }
}
