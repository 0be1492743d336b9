import HLSCore
import Inventory
import Remote
import XCTest

/// What goes on the wire: one constant command, everything else on stdin.
final class NodeScriptPayloadTests: XCTestCase {
    func testPayloadShape() {
        let token = K3sToken("K10x::server:it's")
        let script = NodeScript.k3s(
            K3sParameters(
                role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22",
                serverURL: "https://192.168.10.21:6443", token: token),
            checkMode: true)
        let payload = script.payload
        XCTAssertTrue(payload.hasPrefix("# hlsh node script: k3s\n{\nHLSH_CHECK=1\nHLSH_K3S_ACTION='install'\n"))
        XCTAssertTrue(payload.contains("\nHLSH_K3S_TOKEN='K10x::server:it'\\''s'\n"))
        XCTAssertTrue(payload.contains(NodeScript.source(.lib)))
        XCTAssertTrue(payload.contains(NodeScript.source(.k3s)))
        XCTAssertTrue(payload.hasSuffix("\n} </dev/null\n"))
        XCTAssertFalse(payload.contains("export "))
        XCTAssertEqual(NodeScript.remoteCommand, #"sudo -n env HLSH_SSH_CONNECTION="$SSH_CONNECTION" sh -s"#)
        XCTAssertEqual(script.secrets, [token.value])
        XCTAssertEqual(NodeScript.facts().secrets, [])
        for file in NodeScript.File.allCases {
            XCTAssertTrue(NodeScript.source(file).hasPrefix("# shellcheck shell=sh\n"), file.rawValue)
        }
    }

    func testParametersFromTheInventory() throws {
        let lab = try Lab.load(path: #filePath.components(separatedBy: "/Tests/")[0] + "/scripts/homelab.yaml")
        let server = try XCTUnwrap(lab.vm(named: "k3s-cp-01"))
        let agent = try XCTUnwrap(lab.vm(named: "k3s-wk-01"))

        let harden = HardenParameters(lab: lab, vm: agent)
        XCTAssertEqual(harden.adminCIDRs, ["192.168.10.0/24"])
        XCTAssertEqual(harden.nodeAddresses, ["192.168.10.21", "192.168.10.22"])
        XCTAssertEqual(harden.podCIDR, "10.42.0.0/16")

        let first = try K3sParameters(lab: lab, vm: server, token: nil)
        XCTAssertEqual(first.role, .server)
        // One server: SQLite, no embedded etcd (docs/adr: single server on SQLite).
        XCTAssertFalse(first.clusterInit)
        var twoServers = lab
        twoServers.vms[1].role = .server
        XCTAssertTrue(
            try K3sParameters(lab: twoServers, vm: server, token: nil).clusterInit, "a joining server needs etcd")
        XCTAssertNil(first.serverURL)
        XCTAssertEqual(first.version, "v1.33.4+k3s1")
        XCTAssertEqual(first.tlsSANs, ["k3s-cp-01", "k3s-cp-01.lan", "192.168.10.21"])

        XCTAssertThrowsError(try K3sParameters(lab: lab, vm: agent, token: nil))
        let joined = try K3sParameters(lab: lab, vm: agent, token: K3sToken("t"))
        XCTAssertEqual(joined.serverURL, "https://192.168.10.21:6443")
        XCTAssertFalse(joined.clusterInit)
        XCTAssertEqual(joined.token, K3sToken("t"))
    }
}
