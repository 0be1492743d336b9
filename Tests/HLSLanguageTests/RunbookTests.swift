import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

final class RunbookTests: XCTestCase {
    // MARK: try / catch

    func testCatchBindsTheErrorRecord() {
        let marked = MarkedSource(
            """
            try {
                1️⃣assert false "disk missing"
            } catch e {
                echo $e.message
                echo $e.kind $e.place
                $e | select hint cause | to json
            }
            """)
        XCTAssertEqual(
            output(marked.text),
            "assertion failed: disk missing\nfailed test.hls:\(marked["1️⃣"])\n" + #"{"hint":null,"cause":null}"# + "\n")
    }

    func testTryWithoutCatchSwallowsTheError() {
        XCTAssertEqual(output("try { assert false }\necho after"), "after\n")
    }

    func testCatchMayBeOnTheNextLine() {
        XCTAssertEqual(
            output("try { assert false \"x\" }\ncatch err { echo caught $err.message }"), "caught assertion failed: x\n"
        )
    }

    func testTryAndCatchMaySetOuterVariables() {
        XCTAssertEqual(output("let v = (1)\ntry { set v = 2 } catch { set v = 3 }\necho $v"), "2\n")
    }

    // MARK: retry

    func testRetryRunsUntilTheBlockSucceeds() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run("retry 5 --delay 1ms { flaky 3 }\necho done")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "3\ndone\n", "a top-level block prints its statements' values")
        XCTAssertEqual(recorder.call("flaky"), 4, "three calls, then the one made here")
        XCTAssertTrue(result.err.contains("↻ retry 2/5 in 1ms after: flaky: call 1 failed"), result.err)
        XCTAssertTrue(result.err.contains("↻ retry 3/5"), result.err)
    }

    func testRetryGivesUpWithTheLastError() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run("retry 2 --delay 1ms { flaky 10 }")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("error: flaky: call 2 failed"), result.err)
    }

    func testRetryNeedsAPositiveCountAndADurationDelay() {
        XCTAssertTrue(failure("retry 0 { }").contains("retry needs a positive number of attempts"))
        XCTAssertTrue(failure("retry 2 --delay 5 { assert false }").contains("retry --delay needs a duration"))
    }

    func testRetryWaitsItsDelayBetweenAttempts() {
        let start = ContinuousClock.now
        let result = HLS().run("let n = 0\nretry 3 --delay 50ms { set n = $n + 1; assert $n == 3 }")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(100))
    }

    // MARK: parallel for

    func testParallelForCollectsEveryError() {
        let marked = MarkedSource("1️⃣parallel for x in [1, 2, 3, 4] { 2️⃣assert $x % 2 == 1 \"even $x\" }")
        let result = HLS().run(marked.text)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.err.hasPrefix("test.hls:\(marked["1️⃣"]): error: 2 of 4 parallel iterations failed:\n"), result.err)
        XCTAssertTrue(
            result.err.contains("  2: test.hls:\(marked["2️⃣"]): error: assertion failed: even 2\n"), result.err)
        XCTAssertTrue(
            result.err.contains("  4: test.hls:\(marked["2️⃣"]): error: assertion failed: even 4\n"), result.err)
    }

    func testParallelForRunsEveryItemEvenWhenSomeFail() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "parallel for x in [1, 2, 3, 4, 5, 6] --limit 2 { if $x == 1 { assert false }; vm apply \"vm$x\" }")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(recorder.applied.count, 5)
    }

    func testParallelForRespectsItsLimit() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "parallel for x in [1, 2, 3, 4, 5, 6, 7, 8] --limit 3 { probe $x }")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertLessThanOrEqual(recorder.mostAtOnce, 3)
        XCTAssertGreaterThanOrEqual(recorder.mostAtOnce, 1)
    }

    func testParallelForWithLimitOneIsSequential() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run("parallel for x in [1, 2, 3] --limit 1 { probe $x }")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(recorder.mostAtOnce, 1)
    }

    func testParallelBodiesUpdatingAnOuterVariableLoseNoUpdate() {
        let code = """
            let n = 0
            let seen = []
            let items = ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] | each { [$it, $it + 10, $it + 20] })
            parallel for group in $items --limit 8 {
                for x in $group {
                    set n = $n + 1
                    set seen = $seen + [$x]
                }
            }
            echo $n ($seen | count) ($seen | sort | last)
            """
        XCTAssertEqual(output(code), "30 30 30\n")
    }
    func testBreakCannotStopAParallelFor() {
        XCTAssertTrue(failure("parallel for x in [1] { break }").contains("'break' cannot stop a parallel for"))
    }

    func testParallelLimitMustBePositive() {
        XCTAssertTrue(failure("parallel for x in [1] --limit 0 { }").contains("--limit needs a positive number"))
    }

    // MARK: assert

    func testAssertPassesOrFailsWithItsMessage() {
        XCTAssertEqual(output("assert 1 < 2 \"math works\"\necho ok"), "ok\n")
        let marked = MarkedSource("let n = 1\n1️⃣assert $n == 2 \"expected two nodes, got $n\"")
        let err = failure(marked.text)
        XCTAssertTrue(
            err.hasPrefix("test.hls:\(marked["1️⃣"]): error: assertion failed: expected two nodes, got 1\n"), err)
        XCTAssertTrue(failure("assert false").contains("assertion failed: condition is false"))
    }

    // MARK: source

    func testSourceIsRelativeToTheScriptsDirectory() throws {
        let dir = try TemporaryDirectory()
        try dir.write("lib/common.hls", "def greet(who) { echo \"hello $who\" }\nlet version = 3\n")
        let script = try dir.write("scripts/main.hls", "source \"../lib/common.hls\"\ngreet lab\necho $version\n")
        let result = try HLS().run(file: script)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "hello lab\n3\n")
    }

    func testAMissingSourcedFileIsReportedBeforeAnythingRuns() throws {
        let dir = try TemporaryDirectory()
        let script = try dir.write("main.hls", "echo first\nsource \"nope.hls\"\n")
        let result = try HLS().run(file: script)
        XCTAssertEqual(result.status, 1, "understood, but the file is not there (ADR 0054)")
        XCTAssertEqual(result.out, "")
        XCTAssertTrue(result.err.contains("cannot read \(dir.path)/nope.hls"), result.err)
        XCTAssertTrue(result.err.contains("cause: No such file or directory"), result.err)
    }

    func testASourcedFileWithErrorsStopsTheRun() throws {
        let dir = try TemporaryDirectory()
        try dir.write("bad.hls", "let = 1\n")
        let script = try dir.write("main.hls", "let f = \"bad.hls\"\nsource $f\n")
        let result = try HLS().run(file: script)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(
            result.err.contains("\(dir.path)/bad.hls:1:5: error: expected a variable name after 'let'"), result.err)
    }

    func testAFileThatSourcesItselfIsAnErrorNotACrash() throws {
        let dir = try TemporaryDirectory()
        let script = try dir.write("loop.hls", "let me = \"loop.hls\"\nsource $me\n")
        let result = try HLS().run(file: script)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("too deeply nested"), result.err)
    }

    // MARK: wait

    func testWaitReturnsOnceTheConditionHolds() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "let v = (wait (flaky 1) --until $it >= 3 --timeout 10s --every 5ms)\necho $v")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "3\n")
    }

    func testWaitTriesOnceMoreAtItsDeadlineEvenWhenTheIntervalIsLonger() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "wait (flaky 1) --until $it >= 2 --timeout 200ms --every 1h")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "2\n")
    }

    func testWaitUntilSeesRecordFieldsAsBareNames() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "wait (vm show web) --until status == \"running\" --timeout 1s --every 5ms | get name")
        XCTAssertEqual(result.out, "web\n", result.err)
    }

    func testWaitTimesOutWithTheLastValue() {
        let marked = MarkedSource("1️⃣wait 1 --until $it == 2 --timeout 50ms --every 10ms")
        let start = ContinuousClock.now
        let err = failure(marked.text)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
        XCTAssertTrue(err.hasPrefix("test.hls:\(marked["1️⃣"]): error: wait: condition still false after 50ms\n"), err)
        XCTAssertTrue(err.contains("cause: last value: 1"), err)
        XCTAssertTrue(err.contains("hint: raise --timeout"), err)
    }

    func testWaitKeepsTryingThroughErrorsAndReportsTheLast() {
        let recorder = Recorder()
        let result = HLS(registry: testRegistry(recorder)).run(
            "wait (flaky 100) --until true --timeout 30ms --every 5ms")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("cause: flaky: call"), result.err)
    }

    func testWaitNeedsUntil() {
        XCTAssertTrue(failure("wait 1", status: 2).contains("wait: --until is required"))
    }

    // MARK: exit codes

    func testFailureIsExitOneAndSyntaxErrorIsExitTwo() {
        XCTAssertEqual(HLS().run("assert false").status, 1)
        XCTAssertEqual(HLS().run("let = 1").status, 2)
        XCTAssertEqual(HLS().run("echo ok").status, 0)
    }

    func testNothingRunsWhenAnyLineFailsToParse() {
        let result = HLS().run("echo first\nlet = 1")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.out, "")
    }

    /// Runs `code` on another thread and cancels it (as Ctrl-C does) once it has printed
    /// `start`, so the cancel always lands while the code runs, however loaded the machine.
    func runInterrupted(_ code: String) -> RunResult? {
        let cancellation = Cancellation()
        let hls = HLS(cancellation: cancellation)
        let out = CapturedText()
        let result = Locked<RunResult?>(nil)
        let finished = expectation(description: "the run ends")
        Thread.detachNewThread {
            result.set(hls.run("echo start\n" + code, out: out))
            finished.fulfill()
        }
        let deadline = Date().addingTimeInterval(30)
        while !out.value.hasPrefix("start\n") && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.05)
        cancellation.cancel()
        wait(for: [finished], timeout: 30)
        return result.value
    }

    func testCtrlCInterruptsWithExit130() {
        let result = runInterrupted("sleep 60s\necho never")
        XCTAssertEqual(result?.status, 130)
        XCTAssertEqual(result?.out, "start\n")
        XCTAssertTrue(result?.err.contains("interrupted: sleep") == true, result?.err ?? "")
    }

    func testAnInterruptIsNotCaughtOrRetried() {
        let result = runInterrupted("retry 3 --delay 1ms { try { sleep 60s } catch { echo caught } }")
        XCTAssertEqual(result?.status, 130)
        XCTAssertEqual(result?.out, "start\n")
        XCTAssertFalse(result?.err.contains("↻") == true, result?.err ?? "")
    }

    func testAnInterruptEndsAWait() {
        let result = runInterrupted("wait 1 --until false --timeout 1h --every 10ms")
        XCTAssertEqual(result?.status, 130)
    }

    func testAnInterruptStopsEveryParallelIteration() {
        let result = runInterrupted("parallel for x in [1, 2, 3] { sleep 60s }")
        XCTAssertEqual(result?.status, 130)
    }
}
