import Foundation
import HLSCore
import XCTest

final class HLSErrorTests: XCTestCase {
    func testEachKindMapsToItsPromisedExitStatus() {
        XCTAssertEqual(HLSError(.usage, "x").exitStatus.rawValue, 2)
        XCTAssertEqual(HLSError(.syntax, "x").exitStatus.rawValue, 2)
        XCTAssertEqual(HLSError(.failed, "x").exitStatus.rawValue, 1)
        XCTAssertEqual(HLSError(.timeout, "x").exitStatus.rawValue, 1)
        XCTAssertEqual(HLSError(.interrupted, "x").exitStatus.rawValue, 130)
        XCTAssertEqual(ExitStatus.pendingChanges.rawValue, 3)
    }

    func testDescriptionNamesThePlaceThenCauseAndHint() {
        let e = HLSError(.failed, "VM not found", at: .host("pve1"), hint: "check the name", cause: "404")
        XCTAssertEqual(e.description, "pve1: error: VM not found\n  cause: 404\n  hint: check the name")
    }

    func testLocatedKeepsAnExistingPlace() {
        let inner = HLSError(.failed, "x", at: .host("a"))
        XCTAssertEqual(inner.located(.host("b")).place, .host("a"))
        XCTAssertEqual(HLSError(.failed, "x").located(.host("b")).place, .host("b"))
    }

    func testOthersFollowInTheDescription() {
        var e = HLSError(.syntax, "first", at: .host("a"), hint: "h")
        e.others = [HLSError(.syntax, "second", at: .host("b"))]
        XCTAssertEqual(e.description, "a: error: first\n  hint: h\nb: error: second")
    }

    /// A missing file reads as the system says it, not as Foundation's error value prints.
    func testAFileErrorIsDescribedAsTheSystemsMessage() {
        do {
            _ = try String(contentsOfFile: "/nonexistent/id_ed25519.pub", encoding: .utf8)
            XCTFail("read a file that does not exist")
        } catch {
            XCTAssertEqual(HLSError.describe(error), "No such file or directory")
        }
        struct Other: Error {}
        XCTAssertEqual(HLSError.describe(Other()), "Other()")
    }
}
