import Foundation
import TestSupport
import XCTest

/// Issue 13's "done when", as a user meets it: `hlsh sim serve --dir DIR` in one shell, and in
/// another (`. DIR/env`) the runbook's phases 1 and 2 (`scripts/phases/`); after them, `kube get nodes` and
/// `kubectl --kubeconfig DIR/kubeconfig get nodes` both list both nodes Ready.
final class SimServeBootstrapTests: XCTestCase {
    func testAfterPhaseTwoOfTheBootstrapBothNodesAreReadyForKubeAndKubectl() throws {
        let kubectl = try Kubectl.path()
        let dir = try TemporaryDirectory("hlsh-sim-boot")
        let home = try dir.userHome()
        let lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        defer { lab.stop() }
        XCTAssertTrue(lab.serving, "sim serve did not come up")

        // The other shell: a clean environment with DIR/env sourced, as `. DIR/env` gives it.
        let env = try lab.shellEnvironment(home: home, state: dir.file("state"))
        XCTAssertNotNil(env["PROXMOX_VE_ENDPOINT"], "DIR/env names no PVE API: \(env)")

        let bootstrap = try runProcess(
            BuiltBinary.hlsh,
            ["-c", #"source "scripts/phases/1-vms.hls"; source "scripts/phases/2-k3s.hls"; node list"#],
            environment: env, currentDirectory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(bootstrap.status, 0, bootstrap.stderr)
        // `node list` right after phase 2: both kubelets registered and Ready.
        for node in ["k3s-cp-01", "k3s-wk-01"] {
            let row = bootstrap.stdout.split(separator: "\n").last { $0.hasPrefix(node + " ") } ?? ""
            XCTAssertTrue(row.contains(" Ready "), "after phase 2, \(node) is not Ready: \(bootstrap.stdout)")
        }

        let kube = try runProcess(BuiltBinary.hlsh, ["-c", "kube get nodes"], environment: env)
        XCTAssertEqual(kube.status, 0, kube.stderr)
        let viaKubectl = try runProcess(
            kubectl, ["--kubeconfig", lab.file("kubeconfig"), "--cache-dir", dir.file("cache"), "get", "nodes"],
            environment: ["HOME": home, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(viaKubectl.status, 0, viaKubectl.stderr)
        for (tool, table) in [("kube get nodes", kube.stdout), ("kubectl get nodes", viaKubectl.stdout)] {
            for node in ["k3s-cp-01", "k3s-wk-01"] {
                let row = table.split(separator: "\n").first { $0.hasPrefix(node + " ") } ?? ""
                XCTAssertTrue(row.contains(" Ready "), "\(tool) does not show \(node) Ready:\n\(table)")
            }
        }
    }
}
