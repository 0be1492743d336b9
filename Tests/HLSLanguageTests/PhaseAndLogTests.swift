import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// `phase`, the `--resume` journal and the `--log` run log.
final class PhaseAndLogTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory("hlsh-phase")
    }

    /// An interpreter setup with its state (the journal) in the test's directory.
    func hls(resume: Bool = false, log: String? = nil, registry: Registry = Builtins.registry) -> HLS {
        var hls = HLS(registry: registry, environment: ["XDG_STATE_HOME": dir.file("state")])
        hls.options.resume = resume
        hls.options.logPath = log
        return hls
    }

    let marked = MarkedSource(
        """
        phase "1 provision" { echo one }
        phase "2 harden" {
            echo two
            if ($args | first) == "fail" { 1️⃣assert false "hardening failed" }
        }
        phase "3 flux" { echo three }

        """)
    var runbook: String { marked.text }

    func testPhasesRunInOrderAndReportTheirTiming() throws {
        let script = try dir.write("site.hls", runbook)
        let result = try hls().run(file: script)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "one\ntwo\nthree\n")
        let lines = result.err.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, result.err)
        XCTAssertEqual(lines[0], "▶ phase 1 provision")
        XCTAssertTrue(lines[1].hasPrefix("✓ phase 1 provision ("), lines[1])
        XCTAssertTrue(lines[1].hasSuffix(", no change)"), lines[1])
    }

    func testAFailedPhaseSaysSoAndStopsTheScript() throws {
        let script = try dir.write("site.hls", runbook)
        let result = try hls().run(file: script, arguments: ["fail"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.out, "one\ntwo\n")
        XCTAssertTrue(result.err.contains("✗ phase 2 harden failed after "), result.err)
        XCTAssertTrue(result.err.contains(" at \(script):\(marked["1️⃣"])\n"), "the step: \(result.err)")
        XCTAssertTrue(result.err.contains("error: assertion failed: hardening failed"), result.err)
    }

    /// A failed phase names the innermost command that failed (inside a procedure too), never one
    /// whose error a `try` handled before.
    func testAFailedPhaseNamesItsStep() throws {
        let nested = MarkedSource(
            """
            def check() { 3️⃣secret env HLSH_TEST_NOT_SET }
            phase "checked" { check }

            """)
        let script = try dir.write("nested.hls", nested.text)
        let failed = try hls().run(file: script)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.err.contains(" at \(script):\(nested["3️⃣"]) (secret env)\n"), failed.err)

        let handled = MarkedSource(
            """
            phase "handled" {
                try { secret env HLSH_TEST_NOT_SET }
                2️⃣assert false "later"
            }

            """)
        let other = try dir.write("handled.hls", handled.text)
        let later = try hls().run(file: other)
        XCTAssertEqual(later.status, 1)
        XCTAssertTrue(later.err.contains("✗ phase handled failed after "), later.err)
        XCTAssertTrue(later.err.contains(" at \(other):\(handled["2️⃣"])\n"), later.err)
    }

    func testResumeSkipsThePhasesTheLastRunCompleted() throws {
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls().run(file: script, arguments: ["fail"]).status, 1)

        let resumed = try hls(resume: true).run(file: script, arguments: ["ok"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertEqual(resumed.out, "two\nthree\n")
        XCTAssertTrue(resumed.err.contains("↷ phase 1 provision: skipped, completed in the last run"), resumed.err)
    }

    /// A rehearsal's journal never makes a run against another lab skip a phase: each phase is
    /// recorded with the run's target (the lab `lab use` put in use), and `--resume` skips only
    /// what a run against the same target completed.
    func testResumeSkipsOnlyWhatARunAgainstTheSameLabCompleted() throws {
        var registry = Builtins.registry
        registry.register(
            CommandSpec(
                ["target"], summary: "set the run's target",
                positionals: [Parameter("name", .string, "the target")],
                implementation: .builtin { inv in
                    inv.context.setTarget(inv.string("name")!)
                    return .null
                }))
        let script = try dir.write(
            "lab.hls", "target ($args | first)\n" + runbook.replacingOccurrences(of: "($args | first)", with: "\"ok\""))
        XCTAssertEqual(try hls(registry: registry).run(file: script, arguments: ["sim"]).status, 0)

        let other = try hls(resume: true, registry: registry).run(file: script, arguments: ["real"])
        XCTAssertEqual(other.status, 0, other.err)
        XCTAssertEqual(other.out, "one\ntwo\nthree\n", "every phase runs again against another lab")
        XCTAssertTrue(
            other.err.contains("▶ phase 1 provision (the last run completed it against another lab, sim: run again)"),
            other.err)
        let same = try hls(resume: true, registry: registry).run(file: script, arguments: ["real"])
        XCTAssertEqual(same.out, "", "the run against this lab completed them all: \(same.err)")
    }

    func testWithoutResumeEveryPhaseRunsAgain() throws {
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls().run(file: script, arguments: ["fail"]).status, 1)
        XCTAssertEqual(try hls().run(file: script, arguments: ["ok"]).out, "one\ntwo\nthree\n")
    }

    func testAFreshRunStartsANewJournal() throws {
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls().run(file: script, arguments: ["fail"]).status, 1)
        XCTAssertEqual(try hls().run(file: script, arguments: ["fail"]).status, 1)
        // Only phase 1 completed in the last run, so a resume starts at phase 2.
        XCTAssertEqual(try hls(resume: true).run(file: script, arguments: ["ok"]).out, "two\nthree\n")
    }

    func testTheJournalIsKeyedByScriptPathInTheXDGStateDirectory() throws {
        let a = try dir.write("a/site.hls", runbook)
        let b = try dir.write("b/site.hls", runbook)
        XCTAssertEqual(try hls().run(file: a, arguments: ["fail"]).status, 1)
        XCTAssertEqual(try hls().run(file: b, arguments: ["ok"]).status, 0)
        let journals = try FileManager.default.contentsOfDirectory(atPath: dir.file("state/hlsh/journal"))
        XCTAssertEqual(journals.count, 2, "\(journals)")
        XCTAssertTrue(journals.allSatisfy { $0.hasPrefix("site.hls-") && $0.hasSuffix(".json") }, "\(journals)")
        // b completed everything; a still resumes at phase 2.
        XCTAssertEqual(try hls(resume: true).run(file: a, arguments: ["ok"]).out, "two\nthree\n")
        XCTAssertEqual(try hls(resume: true).run(file: b, arguments: ["ok"]).out, "")
    }

    func testScriptsFromTheCommandLineKeepNoJournal() throws {
        XCTAssertEqual(hls(resume: true).run(#"phase "p" { echo p }"#).out, "p\n")
        XCTAssertEqual(hls(resume: true).run(#"phase "p" { echo p }"#).out, "p\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("state/hlsh/journal")))
    }

    func testADryRunLeavesTheLastRunsJournalAlone() throws {
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls().run(file: script, arguments: ["fail"]).status, 1)
        var dry = hls()
        dry.options.dryRun = true
        XCTAssertEqual(try dry.run(file: script, arguments: ["ok"]).out, "one\ntwo\nthree\n")
        XCTAssertEqual(try hls(resume: true).run(file: script, arguments: ["ok"]).out, "two\nthree\n")
    }

    func testADryRunCompletesNoPhase() throws {
        let script = try dir.write("site.hls", runbook)
        var dry = hls()
        dry.options.dryRun = true
        XCTAssertEqual(try dry.run(file: script, arguments: ["ok"]).status, 0)
        XCTAssertEqual(try hls(resume: true).run(file: script, arguments: ["ok"]).out, "one\ntwo\nthree\n")
    }

    // MARK: The run log

    func events(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    func testTheRunLogIsJSONLinesWithPhaseStartEndDurationAndChanges() throws {
        let recorder = Recorder()
        let log = dir.file("run.jsonl")
        let script = try dir.write(
            "site.hls", #"phase "vms" { vm apply web; vm apply db }"# + "\n" + #"phase "idle" { echo idle }"# + "\n")
        let result = try hls(log: log, registry: testRegistry(recorder)).run(file: script)
        XCTAssertEqual(result.status, 0, result.err)
        let events = try events(log)
        let names = events.map { $0["event"] as? String ?? "?" }
        XCTAssertEqual(
            names,
            [
                "phase_start", "command", "changed", "command", "changed", "phase_end", "phase_start", "command",
                "phase_end",
            ])
        for event in events {
            let time = try XCTUnwrap(event["time"] as? String)
            XCTAssertTrue(time.hasSuffix("Z") && time.contains("T"), time)
        }
        let end = events[5]
        XCTAssertEqual(end["phase"] as? String, "vms")
        XCTAssertEqual(end["status"] as? String, "ok")
        XCTAssertEqual(end["changes"] as? Int, 2)
        XCTAssertNotNil(end["duration"] as? Double ?? (end["duration"] as? Int).map(Double.init))
        XCTAssertEqual(events[8]["changes"] as? Int, 0)
        XCTAssertEqual(events[2]["target"] as? String, "web")
        XCTAssertEqual(events[2]["action"] as? String, "set memory")
        XCTAssertEqual(events[0]["at"] as? String, "\(script):1:1")
    }

    func testTheRunLogRecordsAFailedPhaseAndTheError() throws {
        let log = dir.file("run.jsonl")
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls(log: log).run(file: script, arguments: ["fail"]).status, 1)
        let events = try events(log)
        let end = try XCTUnwrap(events.last { $0["event"] as? String == "phase_end" })
        XCTAssertEqual(end["status"] as? String, "failed")
        XCTAssertEqual(end["error"] as? String, "assertion failed: hardening failed")
        let error = try XCTUnwrap(events.last)
        XCTAssertEqual(error["event"] as? String, "error")
        XCTAssertEqual(error["at"] as? String, "\(script):\(marked["1️⃣"])")
    }

    func testTheRunLogAppendsAcrossRunsAndRecordsSkippedPhases() throws {
        let log = dir.file("run.jsonl")
        let script = try dir.write("site.hls", runbook)
        XCTAssertEqual(try hls(log: log).run(file: script, arguments: ["fail"]).status, 1)
        XCTAssertEqual(try hls(resume: true, log: log).run(file: script, arguments: ["ok"]).status, 0)
        let skipped = try events(log).filter { $0["event"] as? String == "phase_skipped" }
        XCTAssertEqual(skipped.map { $0["phase"] as? String }, ["1 provision"])
    }

    func testRetriesAreLogged() throws {
        let log = dir.file("run.jsonl")
        let recorder = Recorder()
        XCTAssertEqual(hls(log: log, registry: testRegistry(recorder)).run("retry 3 --delay 1ms { flaky 2 }").status, 0)
        let retries = try events(log).filter { $0["event"] as? String == "retry" }
        XCTAssertEqual(retries.count, 1)
        XCTAssertEqual(retries.first?["attempt"] as? Int, 2)
    }
}
