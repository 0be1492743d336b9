import Foundation
import HLSCore
import HLSFormats
import HLSLanguage
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// The day-2 runbooks that act on the cluster's services: certificate renewal against the
/// simulated cert-manager, the volume health report against the simulated Longhorn.
final class DayTwoReportTests: XCTestCase {
    /// A certificate that lives 20 days is always within 30 days of its end.
    static let shortLived = """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: short, namespace: default}
        spec:
          secretName: short-tls
          duration: 480h
          dnsNames: [short.lab.example]
          issuerRef: {name: lab-ca, kind: ClusterIssuer}
        """

    func inventory(in directory: String) throws -> String {
        let path = directory + "/homelab.yaml"
        try LabHarness.shippedInventory.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(15)
        repeat {
            if condition() { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    func testCertRenewalRenewsOnlyWhatExpiresWithin30DaysAndWaitsForIt() throws {
        let kube = try KubeHarness(certManagerWebhookLag: .zero)
        try kube.installCertManager()
        try kube.create(CertCommandsTests.caIssuers)
        try kube.create(CertCommandsTests.web)
        let ready = { kube.run(#"cert list -A | where ready == "True" | count"#).out }
        XCTAssertTrue(eventually { ready() == "2\n" }, ready())
        let arguments = [try inventory(in: kube.dir.path)]

        let quiet = runScriptInProcess(
            "scripts/runbooks/cert-renewal.hls", arguments: arguments, environment: kube.environment)
        XCTAssertEqual(quiet.status, 0, quiet.err)
        XCTAssertTrue(quiet.out.contains("no certificate expires within 30 days"), quiet.out)

        try kube.create(Self.shortLived)
        XCTAssertTrue(eventually { ready() == "3\n" }, ready())
        func revision() throws -> Int? {
            let certificate = try kube.client.get(CertCommands.certificates, "short", namespace: "default")
            guard case .int(let revision)? = certificate.at("status", "revision") else { return nil }
            return revision
        }
        XCTAssertEqual(try revision(), 1)
        var dryRun = RunOptions()
        dryRun.dryRun = true
        let plan = runScriptInProcess(
            "scripts/runbooks/cert-renewal.hls", arguments: arguments, environment: kube.environment, options: dryRun)
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertEqual(try revision(), 1, "a dry run renews nothing")

        let renewed = runScriptInProcess(
            "scripts/runbooks/cert-renewal.hls", arguments: arguments, environment: kube.environment)
        XCTAssertEqual(renewed.status, 0, renewed.err)
        let renewals = renewed.out.split(separator: "\n").filter { $0.contains(" renew ") }
        XCTAssertEqual(renewals.count, 1, "only the certificate near its end: \(renewed.out)")
        XCTAssertTrue(renewals.first?.contains("short") ?? false, renewed.out)
        XCTAssertEqual(try revision(), 2, "reissued, and waited for")
    }

    func testVolumeHealthReportsEachDegradedVolumeWithWhyAndExitsOne() throws {
        let lab = try LonghornLab()
        let volume = try lab.healthyVolume()
        let arguments = [try inventory(in: lab.roots.path)]
        let report = {
            runScriptInProcess(
                "scripts/runbooks/volume-health.hls", arguments: arguments, environment: lab.kube.environment)
        }

        let healthy = report()
        XCTAssertEqual(healthy.status, 0, healthy.err)
        XCTAssertTrue(healthy.out.contains("1 volumes, none degraded"), healthy.out)

        lab.kube.sim.injectFault(.volumeDegraded(volume: volume))
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "degraded" })
        let degraded = report()
        XCTAssertEqual(degraded.status, 1, degraded.err)
        XCTAssertTrue(degraded.out.contains("\(volume) (apps/data) is degraded, attached:"), degraded.out)
        XCTAssertTrue(degraded.out.contains("  replica "), "why: the replica that is not running: \(degraded.out)")
        XCTAssertTrue(degraded.out.contains("1 of 1 volumes need attention"), degraded.out)
    }
}
