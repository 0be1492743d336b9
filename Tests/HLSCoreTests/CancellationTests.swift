import HLSCore
import XCTest

final class CancellationTests: XCTestCase {
    func testCancellingAParentCancelsItsChildren() {
        let parent = Cancellation()
        let child = Cancellation(parent: parent)
        XCTAssertFalse(child.isCancelled)
        parent.cancel()
        XCTAssertTrue(child.isCancelled)
        XCTAssertThrowsError(try child.check("copying")) { error in
            XCTAssertEqual((error as? HLSError)?.kind, .interrupted)
            XCTAssertEqual((error as? HLSError)?.message, "interrupted: copying")
        }
    }

    func testATokenFollowingInterruptsSeesTheSigintFlagUntilTaken() {
        Interrupts.take()
        let token = Cancellation.followingInterrupts()
        XCTAssertFalse(token.isCancelled)
        Interrupts.raise()
        XCTAssertTrue(token.isCancelled)
        XCTAssertTrue(Interrupts.take())
        XCTAssertFalse(token.isCancelled)
        XCTAssertFalse(Cancellation().isCancelled, "plain tokens ignore SIGINT")
    }

    func testARealSigintSetsTheFlagInsteadOfKillingTheProcess() {
        Interrupts.install()
        defer { Interrupts.restore() }
        Interrupts.take()
        kill(getpid(), SIGINT)
        XCTAssertTrue(Interrupts.take())
    }

    func testATokenWithABudgetCancelsItselfOnceItPassesAndFollowsItsParentBefore() {
        let parent = Cancellation()
        let token = Cancellation(parent: parent, expiringAfter: .milliseconds(50))
        XCTAssertFalse(token.isCancelled)
        XCTAssertFalse(token.sleep(for: .seconds(10)), "the sleep ends when the budget passes")
        XCTAssertTrue(token.isCancelled)
        XCTAssertTrue(token.hasExpired)
        XCTAssertFalse(parent.isCancelled, "the parent is not cancelled by its child's budget")

        let other = Cancellation(parent: parent, expiringAfter: .seconds(60))
        parent.cancel()
        XCTAssertTrue(other.isCancelled)
        XCTAssertFalse(other.hasExpired, "cancelled by its parent, not by its budget")
    }
}
