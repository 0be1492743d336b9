import HLSCore
import XCTest

@testable import HLSCommands

/// `vm wait`, `node wait --for ssh` and the wait for a clone under way look again every 100 ms
/// during their first second, then double the pause up to `--every`: a VM that boots or an sshd
/// that starts within a second is seen within 100 ms, a long wait is checked every `--every`.
/// Followed on a clock of the test's own, moved on by each pause, not by timing.
final class SettlingPollTests: XCTestCase {
    func testTheFirstSecondIsLookedAtEvery100msThenThePausesDoubleUpToEvery() throws {
        let (pauses, waited) = try Self.pauses(every: .seconds(2), readyAtCheck: 18)
        XCTAssertEqual(
            pauses,
            Array(repeating: 100, count: 11).map { .milliseconds($0) }
                + [200, 400, 800, 1_600, 2_000, 2_000].map { .milliseconds($0) })
        XCTAssertEqual(waited, .milliseconds(8_100))
    }

    /// An sshd that comes up 350 ms into the wait is seen at the check at 400 ms, not at 700 ms
    /// after pauses of 100, 200 and 400 ms.
    func testAWaitEndingWithinTheFirstSecondIsSeenWithin100ms() throws {
        let (pauses, waited) = try Self.pauses(every: .seconds(2), readyAtCheck: 5)
        XCTAssertEqual(pauses, [100, 100, 100, 100].map { .milliseconds($0) })
        XCTAssertEqual(waited, .milliseconds(400))
    }

    /// An `--every` shorter than 100 ms is kept: the first pause is never longer than it.
    func testAnIntervalShorterThanTheFirstPauseIsKept() throws {
        let (pauses, _) = try Self.pauses(every: .milliseconds(20), readyAtCheck: 4)
        XCTAssertEqual(pauses, [20, 20, 20].map { .milliseconds($0) })
    }

    /// A check that let part of the wait in (one node of two) starts the pauses again from
    /// 100 ms: the second node, booted with the first, is looked for soon, not after a pause
    /// doubled while neither answered.
    func testACheckThatProgressedStartsThePausesAgain() throws {
        let (pauses, waited) = try Self.pauses(every: .seconds(2), readyAtCheck: 16, progressedAtCheck: 14)
        XCTAssertEqual(
            pauses,
            Array(repeating: 100, count: 11).map { .milliseconds($0) }
                + [200, 400, 100, 200].map { .milliseconds($0) })
        XCTAssertEqual(waited, .milliseconds(2_000))
    }

    /// The pauses of a settling poll whose condition holds at check `readyAtCheck` (and which
    /// progressed, part of it in, at check `progressedAtCheck`), and the time it says it waited.
    static func pauses(every: Duration, readyAtCheck: Int, progressedAtCheck: Int? = nil) throws -> (
        [Duration], Duration
    ) {
        var poll = Poll.settling("k3s-cp-01 (ssh)", timeout: .seconds(60), every: every, cancellation: .never)
        var now = Duration.zero
        var pauses: [Duration] = []
        poll.pause = { (length: Duration) throws(HLSError) in
            pauses.append(length)
            now += length
        }
        poll.elapsed = { now }
        var checks = 0
        let ready = try poll.until { () throws(HLSError) -> Poll.Check<Void> in
            checks += 1
            if checks == readyAtCheck { return .ready(()) }
            return checks == progressedAtCheck
                ? .progressed("k3s-wk-01: no answer") : .pending("no answer on 10.0.0.5:22")
        }
        return (pauses, ready.waited)
    }
}
