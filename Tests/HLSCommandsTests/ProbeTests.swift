import Foundation
import HLSCommands
import HLSCore
import HLSFormats
import TestSupport
import X509
import XCTest

@testable import LabSim

/// `probe` against the simulated lab's Traefik, reached as a real lab's ingress host is: the URL
/// names `app.home.example.com`, and `HLSH_SIM_CONNECT_TO` (which the lab writes) sends `:443`
/// to Traefik's loopback port, so SNI and the certificate check see the real name.
final class ProbeTests: XCTestCase {
    func testProbeOfAnIngressHostReportsStatusAndTheSecretsCertificate() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertNotNil(lab.environment["HLSH_SIM_CONNECT_TO"])

        try lab.installIngress(podReady: false)
        let probe = "probe https://app.home.example.com --ca \(lab.home.file("ca.pem"))"
        let noPod = lab.run(probe)
        XCTAssertNotEqual(noPod.status, 0)
        XCTAssertTrue(
            noPod.err.contains("probe https://app.home.example.com: HTTP 503 Service Unavailable, expected 200..399"),
            noPod.err)
        try lab.makeAppReady()

        let ok = lab.run(probe + " | select status subject issuer names | to json --compact")
        XCTAssertEqual(
            ok.out,
            #"[{"status":200,"subject":"CN=app.home.example.com","issuer":"CN=hlsh test CA","names":["DNS:app.home.example.com"]}]"#
                + "\n", ok.err)
        // Issued for 730 days a moment ago (notAfter is kept to the second, so 730 while it rounded up).
        let days = lab.run(probe + " | get days_left | to json --compact")
        XCTAssertTrue(["[729]\n", "[730]\n"].contains(days.out), days.out + days.err)
        let notAfter = lab.run(probe + " | get not_after | to json --compact")
        XCTAssertTrue(notAfter.out.hasPrefix(#"[""#) && notAfter.out.hasSuffix(#"Z"]"# + "\n"), notAfter.out)

        // Without the lab's CA the certificate is not trusted: the probe fails closed.
        let untrusted = lab.run("probe https://app.home.example.com")
        XCTAssertNotEqual(untrusted.status, 0)
        XCTAssertTrue(untrusted.err.contains("app.home.example.com"), untrusted.err)
        XCTAssertTrue(untrusted.err.lowercased().contains("certificate"), untrusted.err)

        // A host no Ingress names: Traefik's own certificate and its 404.
        let other = lab.run(
            "probe https://other.home.example.com --insecure --expect 404 | select status subject | to json --compact")
        XCTAssertEqual(other.out, #"[{"status":404,"subject":"CN=TRAEFIK DEFAULT CERT"}]"# + "\n", other.err)
    }
}
