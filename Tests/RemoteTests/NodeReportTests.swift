import HLSCore
import Remote
import XCTest

/// The line protocol of the node scripts, parsed.
final class NodeReportTests: XCTestCase {
    func testParsesControlsFactsSecretsAndStrayLines() {
        let report = NodeReport(
            parsing: """
                ok sshd /etc/ssh/sshd_config.d/00-hlsh.conf
                changed sysctl would write /etc/sysctl.d/90-hlsh.conf
                failed firewall nft -c rejects the rules: Error: syntax error
                fact disk sda 53687091200
                fact disk sdb 107374182400
                fact os Ubuntu 24.04.1 LTS
                secret k3s-token K10abc::server:def
                Reading package lists...
                ok
                changed k3s.service

                """)
        XCTAssertEqual(
            report.controls,
            [
                .init(.ok, "sshd", "/etc/ssh/sshd_config.d/00-hlsh.conf"),
                .init(.changed, "sysctl", "would write /etc/sysctl.d/90-hlsh.conf"),
                .init(.failed, "firewall", "nft -c rejects the rules: Error: syntax error"),
                .init(.changed, "k3s.service", ""),
            ])
        XCTAssertEqual(report.facts("disk"), ["sda 53687091200", "sdb 107374182400"])
        XCTAssertEqual(report.fact("os"), "Ubuntu 24.04.1 LTS")
        XCTAssertNil(report.fact("kernel"))
        XCTAssertEqual(report.k3sToken, K3sToken("K10abc::server:def"))
        XCTAssertEqual(report.otherOutput, ["Reading package lists...", "ok"])
        XCTAssertEqual(report.failures.map(\.control), ["firewall"])
        XCTAssertFalse(report.allOK)
        XCTAssertFalse(report.description.contains("K10abc"))
        XCTAssertEqual("\(report.k3sToken!)", "<k3s token>")
    }

    func testCheckTurnsFailuresIntoErrors() throws {
        let report = NodeReport(parsing: "ok a x\nfailed sshd sshd -t rejects it\n")
        XCTAssertNoThrow(try NodeReport(parsing: "ok a x\n").check(exitStatus: 0, node: "n", script: .harden))
        do {
            try report.check(exitStatus: 1, node: "k3s-cp-01", script: .harden)
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error.kind, .failed)
            XCTAssertEqual(error.place, .host("k3s-cp-01"))
            XCTAssertEqual(error.message, "harden failed on k3s-cp-01: sshd: sshd -t rejects it")
        }
        do {
            try NodeReport(parsing: "").check(exitStatus: 2, node: "n", script: .k3s)
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error.kind, .usage)
        }
    }
}
