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
}
