import HLSCore
import HLSFormats
import XCTest

@testable import HLSCommands

/// A Longhorn disk that is not Ready is named with Longhorn's reason and message, and a node
/// whose only disk is not Ready holds no new replica.
final class LonghornDiskCheckTests: XCTestCase {
    private func node(_ name: String, diskReady: Bool) throws -> Document {
        let ready =
            diskReady
            ? #"{"type":"Ready","status":"True","reason":"","message":"Disk d(/var/lib/longhorn/) on node \#(name) is ready"}"#
            : #"{"type":"Ready","status":"False","reason":"NoDiskInfo","message":"Disk d(/var/lib/longhorn/) on node \#(name) is not ready: errors: input/output error"}"#
        return try JSONCodec.decode(
            #"""
            {"metadata":{"name":"\#(name)"},"status":{"conditions":[],"diskStatus":{"d":{"diskPath":"/var/lib/longhorn/",
            "conditions":[\#(ready),{"type":"Schedulable","status":"\#(diskReady ? "True" : "False")"}]}}}}
            """#)
    }

    func testADiskNotReadyIsNamedWithLonghornsReasonAndTheCauseItGives() throws {
        let lines = LonghornDiskCheck.warnings([
            try node("k3s-cp-01", diskReady: true), try node("k3s-wk-01", diskReady: false),
        ])
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(
            lines.first?.hasPrefix(
                "Longhorn disk d (/var/lib/longhorn/) on node k3s-wk-01 is not ready (NoDiskInfo): errors: "
                    + "input/output error; its replicas have failed") ?? false,
            "\(lines)")
    }

    func testANodeWithoutAReadyDiskHoldsNoReplicaAndOneWithoutDiskStatusIsNotJudged() throws {
        XCTAssertTrue(LonghornDiskCheck.hasUsableDisk(try node("a", diskReady: true)))
        XCTAssertFalse(LonghornDiskCheck.hasUsableDisk(try node("b", diskReady: false)))
        XCTAssertTrue(LonghornDiskCheck.hasUsableDisk(try JSONCodec.decode(#"{"metadata":{"name":"c"}}"#)))
    }
}
