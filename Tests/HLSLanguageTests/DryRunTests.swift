import HLSCore
import HLSLanguage
import XCTest

/// `--dry-run` is enforced by the executor: a mutation's plan is shown, never applied.
final class DryRunTests: XCTestCase {
    func hls(_ recorder: Recorder, dryRun: Bool, detailed: Bool = false) -> HLS {
        var hls = HLS(registry: testRegistry(recorder))
        hls.options.dryRun = dryRun
        hls.options.detailedExitCode = detailed
        return hls
    }

    func testWithoutDryRunAMutationApplies() {
        let recorder = Recorder()
        let result = hls(recorder, dryRun: false).run(
            "vm apply web --memory 16G | select target action status | to json")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(recorder.applied, ["web memory 16 GiB"])
        XCTAssertEqual(result.out, #"[{"target":"web","action":"set memory","status":"applied"}]"# + "\n")
        XCTAssertEqual(result.context.appliedChanges, 1)
        XCTAssertEqual(result.context.pendingChanges, 0)
    }

    func testUnderDryRunApplyNeverRunsAndPendingChangesAreCounted() {
        let recorder = Recorder()
        let result = hls(recorder, dryRun: true).run("vm apply web\nvm apply db | select target status | to json")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(recorder.applied, [])
        XCTAssertEqual(result.context.pendingChanges, 2)
        XCTAssertEqual(result.context.appliedChanges, 0)
        XCTAssertTrue(result.out.contains("web     set memory"), result.out)
        XCTAssertTrue(result.out.hasSuffix(#"[{"target":"db","status":"planned"}]"# + "\n"), result.out)
    }

    /// A wait after a planned change checks once and goes on (ADR 0043): what it waits for
    /// could only come about from the change a dry run does not apply.
    func testUnderDryRunAWaitAfterAPlannedChangeChecksOnceAndGoesOn() {
        let clock = ContinuousClock()
        let start = clock.now
        let result = hls(Recorder(), dryRun: true, detailed: true).run(
            "vm apply web\nwait 1 --until $it == 2 --timeout 30s --every 10ms | to json\necho after")
        XCTAssertEqual(result.status, 3, result.err)
        XCTAssertLessThan(clock.now - start, .seconds(10), "the wait blocked")
        XCTAssertTrue(result.out.hasSuffix("[]\nafter\n"), result.out)
        XCTAssertTrue(
            result.err.contains(
                "note: wait not run in a dry run: it would wait for the condition at test.hls:2:1 after the change planned earlier; now: last value: 1"
            ), result.err)
        // A condition that holds already is the wait's value, as in a real run.
        let held = hls(Recorder(), dryRun: true).run("vm apply web\nwait 2 --until $it == 2 --timeout 30s | to json")
        XCTAssertEqual(held.out.split(separator: "\n").last, "2", held.out)
    }

    /// The note counts the changes as phase summaries do: "the change", "the 2 changes".
    func testTheWaitNoteCountsThePlannedChanges() {
        let result = hls(Recorder(), dryRun: true).run(
            "vm apply web\nvm apply db\nwait 1 --until $it == 2 --timeout 30s --every 10ms")
        XCTAssertTrue(
            result.err.contains("it would wait for the condition at test.hls:3:1 after the 2 changes planned earlier;"),
            result.err)
        XCTAssertFalse(result.err.contains("change(s)"), result.err)
    }

    /// A wait whose value is made from a verb the dry run did not run says so, not the empty
    /// value's count ("last value: 0"), which would read as the lab's state.
    func testAWaitOnAVerbNotRunSaysWhereItsValueComesFrom() {
        let result = hls(Recorder(), dryRun: true).run(
            "vm apply web\nwait (vm unbuilt | count) --until $it == 2 --timeout 30s --every 10ms")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(
            result.err.contains(
                "note: wait not run in a dry run: it would wait for the condition at test.hls:2:1 after the change "
                    + "planned earlier; now: its value comes from vm unbuilt (test.hls:2:7), which this dry run did not run"
            ), result.err)
        XCTAssertFalse(result.err.contains("last value"), result.err)
    }

    /// A loop that meets the same verb not run on each pass says so once: the notes of its later
    /// passes would repeat it word for word.
    func testTheSameNoteIsNotRepeatedByALoop() {
        let result = hls(Recorder(), dryRun: true).run("for n in [1, 2, 3] {\n  vm unbuilt\n}\nvm unbuilt")
        XCTAssertEqual(result.status, 0, result.err)
        let notes = result.err.split(separator: "\n").filter { $0.contains("note: vm unbuilt not run in a dry run") }
        XCTAssertEqual(
            notes,
            [
                "test.hls:2:3: note: vm unbuilt not run in a dry run: the cluster is only planned",
                "test.hls:4:1: note: vm unbuilt not run in a dry run: the cluster is only planned",
            ], result.err)
    }

    /// Before any planned change a dry run's wait is a real one: on a converged lab its answer
    /// is the truth, not a guess.
    func testUnderDryRunAWaitBeforeAnyPlannedChangeWaitsForReal() {
        let real = hls(Recorder(), dryRun: true).run("wait 1 --until $it == 2 --timeout 50ms --every 10ms")
        XCTAssertEqual(real.status, 1, "the wait times out: \(real.out)")
        XCTAssertTrue(real.err.contains("wait: condition still false after"), real.err)
        let converged = hls(Recorder(), dryRun: true, detailed: true).run("vm converged\nwait 2 --until $it == 2")
        XCTAssertEqual(converged.status, 0, converged.err)
        XCTAssertEqual(converged.out, "2\n")
    }

    func testDetailedExitCodeIsThreeWhenChangesArePending() {
        let recorder = Recorder()
        XCTAssertEqual(hls(recorder, dryRun: true, detailed: true).run("vm apply web").status, 3)
        XCTAssertEqual(recorder.applied, [])
    }

    func testDetailedExitCodeIsZeroWhenNothingWouldChange() {
        let recorder = Recorder()
        XCTAssertEqual(hls(recorder, dryRun: true, detailed: true).run("vm converged").status, 0)
    }

    func testDetailedExitCodeNeedsDryRun() {
        let recorder = Recorder()
        XCTAssertEqual(hls(recorder, dryRun: false, detailed: true).run("vm apply web").status, 0)
        XCTAssertEqual(recorder.applied.count, 1)
    }

    func testAFailureUnderDryRunIsStillExitOne() {
        let recorder = Recorder()
        XCTAssertEqual(hls(recorder, dryRun: true, detailed: true).run("vm apply web\necho $missing").status, 1)
    }

    /// A dry run applied nothing, so an assert about the applied state notes it and goes on.
    func testAnAssertUnderDryRunIsANoteNotAFailure() {
        let recorder = Recorder()
        let result = hls(recorder, dryRun: true, detailed: true).run("vm apply web\nassert false \"web is up\"")
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(
            result.err.contains("note: assertion not met in a dry run (nothing was applied): web is up"), result.err)
        XCTAssertEqual(hls(recorder, dryRun: false).run("assert false \"web is up\"").status, 1)
    }

    func testPhasesCountPlannedChanges() {
        let recorder = Recorder()
        let result = hls(recorder, dryRun: true).run(#"phase "vms" { vm apply web; vm apply db }"#)
        XCTAssertTrue(result.err.contains("✓ phase vms ("), result.err)
        XCTAssertTrue(result.err.contains(", 2 changes planned)"), result.err)
        let none = hls(recorder, dryRun: true).run(#"phase "converged" { vm converged }"#)
        XCTAssertTrue(none.err.contains(", no change planned)"), none.err)
        let one = hls(recorder, dryRun: false).run(#"phase "vms" { vm apply web }"#)
        XCTAssertTrue(one.err.contains(", 1 change)"), one.err)
    }

    func testMutationsSayInTheirHelpThatTheyHonourDryRun() {
        let recorder = Recorder()
        let out = hls(recorder, dryRun: false).run("help vm apply").out
        XCTAssertTrue(out.contains("honours --dry-run"), out)
    }
}
