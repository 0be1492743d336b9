import HLSCore
import Kube
import XCTest

/// `KubeCondition` reads a condition as `kubectl wait --for=condition=` does.
final class KubeConditionTests: XCTestCase {
    func object(generation: Int?, observed: Int?, condition: [(key: String, value: Document)]) -> Document {
        var metadata: [(key: String, value: Document)] = [("name", .string("x"))]
        if let generation { metadata.append(("generation", .int(generation))) }
        var status: [(key: String, value: Document)] = [("conditions", .array([.object(condition)]))]
        if let observed { status.append(("observedGeneration", .int(observed))) }
        return .object([("metadata", .object(metadata)), ("status", .object(status))])
    }

    func testTypeAndStatusCompareWithoutCaseAndTheConditionsOwnGenerationComesFirst() throws {
        let ready: [(key: String, value: Document)] = [("type", .string("Ready")), ("status", .string("True"))]
        let plain = try XCTUnwrap(KubeCondition("ready", of: object(generation: 3, observed: nil, condition: ready)))
        XCTAssertEqual(plain.type, "Ready")
        XCTAssertTrue(plain.holds("true"), "no observedGeneration: the condition counts")
        XCTAssertFalse(plain.holds("False"))

        let stale = try XCTUnwrap(KubeCondition("Ready", of: object(generation: 3, observed: 2, condition: ready)))
        XCTAssertFalse(stale.isCurrent)
        XCTAssertFalse(stale.holds("True"), "status.observedGeneration 2 < generation 3")

        let own = ready + [("observedGeneration", .int(3))]
        let current = try XCTUnwrap(KubeCondition("Ready", of: object(generation: 3, observed: 2, condition: own)))
        XCTAssertEqual(current.observedGeneration, 3, "the condition's own observedGeneration wins")
        XCTAssertTrue(current.holds("True"))

        XCTAssertNil(KubeCondition("Available", of: object(generation: 1, observed: 1, condition: ready)))
        XCTAssertEqual(plain.reason, "")
        let explained = ready + [("reason", .string("KubeletNotReady")), ("message", .string("PLEG is not healthy"))]
        let why = try XCTUnwrap(
            KubeCondition("Ready", of: object(generation: nil, observed: nil, condition: explained)))
        XCTAssertEqual([why.reason, why.message], ["KubeletNotReady", "PLEG is not healthy"])
    }
}
