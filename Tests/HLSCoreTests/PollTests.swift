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
    /// there and double up to `every`, which a long wait is then polled at.
    func testAFirstPauseStartsShortAndDoublesUpToTheInterval() throws {
        var poll = Poll("the task", timeout: .seconds(60), every: .milliseconds(400), cancellation: Cancellation())
        poll.firstPause = .milliseconds(25)
        var times: [ContinuousClock.Instant] = []
        _ = try poll.until { () throws(HLSError) -> Poll.Check<Void> in
            times.append(.now)
            return times.count < 7 ? .pending("running") : .ready(())
        }
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        XCTAssertEqual(gaps.count, 6)
        for (gap, least) in zip(gaps, [25, 50, 100, 200, 400, 400]) {
            XCTAssertGreaterThanOrEqual(gap, .milliseconds(least), "each pause doubles the last: \(gaps)")
        }
        XCTAssertLessThan(gaps[0], .milliseconds(350), "the first pause is the short one, not `every`: \(gaps)")
        XCTAssertLessThan(gaps[5], .milliseconds(800), "the pauses stop doubling at `every`: \(gaps)")
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
