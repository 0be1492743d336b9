import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// The waits objects state (`minReadySeconds`, cert-manager's back-off) pass in the lab's time,
/// at the pace of the controllers' requeues (ADR 0058); at scale 1 they are the real ones.
final class KubeLabClockTests: XCTestCase {
    /// 2026-07-01T12:00:00Z.
    private let stamp = 1_782_907_200

    /// A pod whose Ready condition turned True at `stamp` (to the second, as the API writes it).
    private func readyPod(since seconds: Int) -> Document {
        .object([
            ("metadata", .object([("name", .string("alloy-abcde"))])),
            (
                "status",
                .object([
                    (
                        "conditions",
                        .array([
                            .object([
                                ("type", .string("Ready")), ("status", .string("True")),
                                ("lastTransitionTime", .string(KubeTime.rfc3339(seconds))),
                            ])
                        ])
                    )
                ])
            ),
        ])
    }

    func testMinReadySecondsTakeTheirRealLengthAtScaleOne() {
        let pod = readyPod(since: stamp)
        let early = KubeWorkloads.availability([pod], minReadySeconds: 10, .real, now: Double(stamp) + 9.5)
        XCTAssertEqual(early.available, 0)
        XCTAssertEqual(early.next?.inSeconds ?? 0, 0.5, accuracy: 1e-3, "requeued for exactly what is left")
        let due = KubeWorkloads.availability([pod], minReadySeconds: 10, .real, now: Double(stamp) + 10)
        XCTAssertEqual(due.available, 1)
        XCTAssertNil(due.next)
    }

    func testMinReadySecondsPassAtTheRequeueScaleInTheLabsTime() {
        let pod = readyPod(since: stamp)
        let zero = KubeLabClock(scale: 0.01)
        let early = KubeWorkloads.availability([pod], minReadySeconds: 10, zero, now: Double(stamp) + 0.05)
        XCTAssertEqual(early.available, 0, "ready for 5 s of the lab's time of 10")
        XCTAssertEqual(early.next?.inSeconds ?? 0, 5, accuracy: 1e-3, "the lab's time left, which the runner scales")
        XCTAssertEqual(
            KubeWorkloads.availability([pod], minReadySeconds: 10, zero, now: Double(stamp) + 0.1).available, 1)
        XCTAssertEqual(
            KubeWorkloads.availability([pod], minReadySeconds: 10, KubeLabClock(scale: 0.1), now: Double(stamp) + 0.5)
                .available, 0, "the tests' timings: a second of wall time")
    }

    /// The stamp is truncated to its second: a wait measured from it is never longer than its
    /// length (0.1 s under zero does not become up to 1 s), as on a real cluster.
    func testAScaledWaitIsNeverLongerThanItsLength() {
        let pod = readyPod(since: stamp)
        let zero = KubeLabClock(scale: 0.01)
        // Ready at stamp + 0.9 (written as stamp), looked at 0.1 s later: available.
        XCTAssertEqual(
            KubeWorkloads.availability([pod], minReadySeconds: 10, zero, now: Double(stamp) + 1).available, 1)
        XCTAssertNil(zero.remaining(10, since: stamp, now: Double(stamp) + 0.1))
    }

    func testPodsNotReadyAreNeitherAvailableNorWaitedFor() {
        var pod = readyPod(since: stamp)
        pod.set(["status", "conditions"], .array([]))
        let result = KubeWorkloads.availability([pod], minReadySeconds: 10, .real, now: Double(stamp))
        XCTAssertEqual(result.available, 0)
        XCTAssertNil(result.next, "nothing to requeue for: the pod's turning ready is a change")
        XCTAssertEqual(KubeWorkloads.availability([readyPod(since: stamp)], minReadySeconds: 0, .real).available, 1)
    }

    func testCertManagersBackOffRunsInTheLabsTime() throws {
        let now = KubeTime.now()
        let certificate: Document = try YAMLCodec.decode(
            """
            metadata: {name: web, namespace: default, generation: 1}
            status: {failedIssuanceAttempts: 1, lastFailureTime: "\(KubeTime.rfc3339(now - 40))"}
            """)
        let real = try XCTUnwrap(CertManagerCertificates.backOff(certificate, nextRequest: nil, .real))
        XCTAssertGreaterThan(real, .seconds(3500), "an hour from the failure, 40 s ago")
        XCTAssertNil(
            CertManagerCertificates.backOff(certificate, nextRequest: nil, KubeLabClock(scale: 0.01)),
            "the hour is 36 s under zero, and 40 s have passed")
        let test = try XCTUnwrap(
            CertManagerCertificates.backOff(certificate, nextRequest: nil, KubeLabClock(scale: 0.1)))
        XCTAssertGreaterThan(
            test, .seconds(3000), "6 min of wall time, 40 s of it passed: what is left in the lab's time")
    }
}
