import Foundation
import HLSCore
import Synchronization
import XCTest

final class PollTests: XCTestCase {
    private let place = Place.source(SourceLocation(file: "x.hls", line: 3, column: 1))

    func testReturnsTheValueAsSoonAsTheConditionHolds() throws {
        var checks = 0
        let start = ContinuousClock.now
        let ready = try Poll(
            "the answer", timeout: .seconds(60), every: .milliseconds(10), cancellation: Cancellation()
        )
        .until { () throws(HLSError) -> Poll.Check<Int> in
            checks += 1
            return checks < 3 ? .pending("only \(checks)") : .ready(42)
        }
        XCTAssertEqual(ready.value, 42)
        XCTAssertEqual(checks, 3)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        XCTAssertGreaterThanOrEqual(ready.waited, .milliseconds(20))

        // A condition that holds at once never pauses, however long the interval.
        let first = ContinuousClock.now
        let immediate = try Poll("it", timeout: .seconds(60), every: .seconds(60), cancellation: Cancellation())
            .until { () throws(HLSError) -> Poll.Check<String> in .ready("now") }
        XCTAssertEqual(immediate.value, "now")
        XCTAssertLessThan(ContinuousClock.now - first, .seconds(5))
    }

    /// With `firstPause`, a wait that is usually short sees its end at once: the pauses start
    /// there and double up to `every`, which a long wait is then polled at; the last is cut to
    /// the time left. Followed on a clock of its own (moved on by each pause), not by timing.
    func testAFirstPauseStartsShortAndDoublesUpToTheInterval() throws {
        var poll = Poll("the task", timeout: .milliseconds(2_000), every: .milliseconds(400), cancellation: .never)
        poll.firstPause = .milliseconds(25)
        let schedule = Self.followed(&poll)
        var checks = 0
        XCTAssertThrowsError(
            try poll.until { () throws(HLSError) -> Poll.Check<Void> in
                checks += 1
                return .pending("running")
            }
        ) { XCTAssertEqual(($0 as? HLSError)?.kind, .timeout) }
        XCTAssertEqual(
            schedule.pauses, [25, 50, 100, 200, 400, 400, 400, 400, 25].map { .milliseconds($0) },
            "each pause doubles the last up to `every`; the last is what is left of the 2 s")
        XCTAssertEqual(checks, 10, "a check after each pause, the last at the deadline")

        // Without it, every pause is `every`; a first pause longer than `every` is cut to it.
        var plain = Poll("the task", timeout: .milliseconds(1_000), every: .milliseconds(400), cancellation: .never)
        let plainSchedule = Self.followed(&plain)
        _ = try? plain.until { () throws(HLSError) -> Poll.Check<Void> in .pending("running") }
        XCTAssertEqual(plainSchedule.pauses, [400, 400, 200].map { .milliseconds($0) })
        var long = Poll("the task", timeout: .milliseconds(1_000), every: .milliseconds(400), cancellation: .never)
        long.firstPause = .seconds(5)
        let longSchedule = Self.followed(&long)
        _ = try? long.until { () throws(HLSError) -> Poll.Check<Void> in .pending("running") }
        XCTAssertEqual(longSchedule.pauses, [400, 400, 200].map { .milliseconds($0) })
    }

    /// With `steadyFor`, the pauses stay at `firstPause` until the wait has lasted that long,
    /// then double up to `every`.
    func testPausesStayAtTheFirstPauseForTheSteadyTimeThenDouble() throws {
        var poll = Poll("the sshd", timeout: .milliseconds(1_000), every: .milliseconds(400), cancellation: .never)
        poll.firstPause = .milliseconds(50)
        poll.steadyFor = .milliseconds(200)
        let schedule = Self.followed(&poll)
        _ = try? poll.until { () throws(HLSError) -> Poll.Check<Void> in .pending("no answer") }
        XCTAssertEqual(
            schedule.pauses, [50, 50, 50, 50, 50, 100, 200, 400, 50].map { .milliseconds($0) },
            "50 ms pauses until 200 ms have passed, then doubling; the last is what is left of the 1 s")
    }

    /// The time a wait took is read from its clock: the pauses it made until the check that held.
    func testTheTimeWaitedIsThePausesUntilTheConditionHeld() throws {
        var poll = Poll("the task", timeout: .seconds(60), every: .seconds(1), cancellation: .never)
        poll.firstPause = .milliseconds(100)
        let schedule = Self.followed(&poll)
        var checks = 0
        let ready = try poll.until { () throws(HLSError) -> Poll.Check<Int> in
            checks += 1
            return checks == 4 ? .ready(checks) : .pending("booting")
        }
        XCTAssertEqual(ready.value, 4)
        XCTAssertEqual(schedule.pauses, [100, 200, 400].map { .milliseconds($0) })
        XCTAssertEqual(ready.waited, .milliseconds(700))
    }

    /// The pauses `poll` makes, on a clock of the test's own that each pause moves on.
    final class Schedule {
        var now = Duration.zero
        var pauses: [Duration] = []
    }

    static func followed(_ poll: inout Poll) -> Schedule {
        let schedule = Schedule()
        poll.pause = { (length: Duration) throws(HLSError) in
            schedule.pauses.append(length)
            schedule.now += length
        }
        poll.elapsed = { schedule.now }
        return schedule
    }

    func testATimeoutIsATypedErrorNamingWhatWasAwaitedAndTheLastState() {
        var seen: [String] = []
        var poll = Poll(
            "k3s-cp-01 (running)", timeout: .milliseconds(50), every: .milliseconds(10), cancellation: Cancellation(),
            at: place, hint: "raise --timeout")
        XCTAssertThrowsError(
            try poll.until(report: { seen.append($0) }) { () throws(HLSError) -> Poll.Check<Void> in
                .pending("stopped \(seen.count)")
            }
        ) { error in
            let e = error as? HLSError
            XCTAssertEqual(e?.kind, .timeout)
            XCTAssertEqual(e?.message, "timed out after 50ms waiting for k3s-cp-01 (running)")
            XCTAssertEqual(e?.place, self.place)
            XCTAssertEqual(e?.hint, "raise --timeout")
            XCTAssertEqual(e?.cause, "stopped \(seen.count - 1)", "the cause is the last state seen")
        }
        XCTAssertGreaterThanOrEqual(seen.count, 2, "every pending check is reported")

        poll.timeoutMessage = "vm wait: k3s-cp-01 is not ready (running) after 50ms"
        XCTAssertThrowsError(
            try poll.until { () throws(HLSError) -> Poll.Check<Void> in .pending("stopped") }
        ) { error in
            XCTAssertEqual((error as? HLSError)?.message, "vm wait: k3s-cp-01 is not ready (running) after 50ms")
        }
    }

    func testCancellingEndsTheWaitDuringAPause() {
        let token = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { token.cancel() }
        let start = ContinuousClock.now
        XCTAssertThrowsError(
            try Poll("the task", timeout: .seconds(60), every: .seconds(30), cancellation: token, at: place)
                .until { () throws(HLSError) -> Poll.Check<Void> in .pending("running") }
        ) { error in
            XCTAssertEqual((error as? HLSError)?.kind, .interrupted)
            XCTAssertEqual((error as? HLSError)?.message, "interrupted: waiting for the task")
            XCTAssertEqual((error as? HLSError)?.place, self.place)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }

    /// Ctrl-C ends a watch or a request in the transport's words (`GET URL: interrupted`), in
    /// an event-fed pause or in a check's request: the wait says instead what it was waiting
    /// for, at the place it was asked for.
    func testAnInterruptionFromBelowIsTheWaitsOwnNamingWhatWasAwaited() {
        let cut = HLSError(.interrupted, "interrupted", at: .request(method: "GET", url: "https://k8s/watch"))
        for inPause in [true, false] {
            let token = Cancellation()
            var poll = Poll(
                "HelmRelease/monitoring/loki (Ready)", timeout: .seconds(60), every: .seconds(5), cancellation: token,
                at: place)
            poll.pause = { (_: Duration) throws(HLSError) in
                token.cancel()
                throw cut
            }
            XCTAssertThrowsError(
                try poll.until { () throws(HLSError) -> Poll.Check<Void> in
                    if !inPause {
                        token.cancel()
                        throw cut
                    }
                    return .pending("Progressing")
                }
            ) { error in
                XCTAssertEqual((error as? HLSError)?.kind, .interrupted)
                XCTAssertEqual(
                    (error as? HLSError)?.message, "interrupted: waiting for HelmRelease/monitoring/loki (Ready)")
                XCTAssertEqual((error as? HLSError)?.place, self.place, "pause: \(inPause)")
            }
        }
    }

    /// A transport error that merely reads "interrupted" (no Ctrl-C: the token is not cancelled)
    /// is passed on as it is.
    func testAnInterruptedErrorWithoutACancelledTokenPassesThrough() {
        let cut = HLSError(.interrupted, "interrupted", at: .request(method: "GET", url: "https://k8s/watch"))
        XCTAssertThrowsError(
            try Poll("it", timeout: .seconds(60), every: .seconds(5), cancellation: Cancellation(), at: place)
                .until { () throws(HLSError) -> Poll.Check<Void> in throw cut }
        ) { error in
            XCTAssertEqual((error as? HLSError)?.place, .request(method: "GET", url: "https://k8s/watch"))
        }
    }

    func testAnErrorFromTheCheckEndsTheWait() {
        XCTAssertThrowsError(
            try Poll("it", timeout: .seconds(60), every: .milliseconds(1), cancellation: Cancellation())
                .until { () throws(HLSError) -> Poll.Check<Void> in throw HLSError(.failed, "task failed") }
        ) { error in
            XCTAssertEqual((error as? HLSError)?.message, "task failed")
        }
    }

    /// A wait fed by events blocks on its stream instead of sleeping: the pause gets the time to
    /// wait at most (the interval, cut to what is left), and the next check follows an event.
    func testAnEventDrivenPauseReplacesTheSleep() throws {
        var pauses: [Duration] = []
        var events = 0
        var poll = Poll("the pod (Ready)", timeout: .seconds(60), every: .seconds(30), cancellation: Cancellation())
        poll.pause = { (longest: Duration) throws(HLSError) in
            pauses.append(longest)
            events += 1
        }
        let start = ContinuousClock.now
        let ready = try poll.until { () throws(HLSError) -> Poll.Check<Int> in
            events == 2 ? .ready(events) : .pending("Pending")
        }
        XCTAssertEqual(ready.value, 2)
        XCTAssertEqual(pauses.count, 2)
        XCTAssertTrue(pauses.allSatisfy { $0 == .seconds(30) }, "\(pauses)")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "no sleep between events")
    }

    func testAHugeTimeoutDoesNotOverflow() throws {
        let ready = try Poll("it", timeout: Duration(attoseconds: .max), every: .milliseconds(1), cancellation: .never)
            .until { () throws(HLSError) -> Poll.Check<Bool> in .ready(true) }
        XCTAssertTrue(ready.value)
    }
}
