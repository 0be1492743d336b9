import Foundation
import HLSCore
import XCTest

final class SleepTests: XCTestCase {
    func testASleepEndsEarlyWhenItsTokenIsCancelled() {
        let token = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { token.cancel() }
        let start = ContinuousClock.now
        XCTAssertFalse(token.sleep(for: .seconds(60)))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }

    func testASleepEndsEarlyOnCtrlCAndThrowsNamingWhatItWasDoing() {
        Interrupts.take()
        defer { Interrupts.take() }
        let token = Cancellation.followingInterrupts()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { Interrupts.raise() }
        let start = ContinuousClock.now
        XCTAssertThrowsError(try token.sleep(for: .seconds(60), "sleep at x.hls:1:1")) { error in
            XCTAssertEqual((error as? HLSError)?.kind, .interrupted)
            XCTAssertEqual((error as? HLSError)?.message, "interrupted: sleep at x.hls:1:1")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }

    func testAnUncancelledSleepLastsItsDuration() {
        let start = ContinuousClock.now
        XCTAssertTrue(Cancellation().sleep(for: .milliseconds(60)))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(60))
        XCTAssertTrue(Cancellation().sleep(for: .seconds(-5)), "a negative duration does not sleep")
    }

    func testDeadlinesForHugeBudgetsDoNotOverflow() {
        let huge = Duration.seconds(Int64.max) * 10
        let deadline = Deadline(after: huge)
        XCTAssertFalse(deadline.hasPassed)
        XCTAssertGreaterThan(deadline.remaining ?? .zero, .seconds(Int64.max))
        XCTAssertEqual(deadline.pollMilliseconds(cap: 50), 50)
        XCTAssertTrue(Deadline(after: .seconds(-1)).hasPassed, "a negative budget has passed at once")
        XCTAssertNil(Deadline.never.remaining)
        // Neither does a sleep that is cancelled before it ends.
        let token = Cancellation()
        token.cancel()
        XCTAssertFalse(token.sleep(for: Duration(attoseconds: .max)))
    }

    func testDurationConversionsSaturateAndRound() {
        XCTAssertEqual(Duration.milliseconds(1500).inSeconds, 1.5)
        XCTAssertEqual(Duration.milliseconds(1999).wholeSeconds, 1)
        XCTAssertEqual(Duration.microseconds(2500).wholeMilliseconds, 2)
        XCTAssertEqual((Duration.seconds(Int64.max) * 10).wholeMilliseconds, .max)
        XCTAssertEqual((Duration.zero - .seconds(Int64.max) * 10).wholeSeconds, .min)
        XCTAssertEqual(
            Duration.microseconds(300).pollMilliseconds(cap: 50), 1, "rounded up, never 0 while time is left")
        XCTAssertEqual(Duration.milliseconds(20).pollMilliseconds(cap: 50), 20)
        XCTAssertEqual(Duration.seconds(-3).pollMilliseconds(cap: 50), 0)
        XCTAssertEqual(Duration.seconds(90).text, "1m30s")
        XCTAssertEqual(Duration.milliseconds(250).text, "250ms")
        XCTAssertEqual((Duration.seconds(Int64.max) * 10).text.hasSuffix("s"), true)
    }
}
