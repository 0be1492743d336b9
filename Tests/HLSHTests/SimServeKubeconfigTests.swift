import Foundation
import TestSupport
import XCTest

/// `hlsh sim serve --dir DIR` writes `DIR/kubeconfig`, which the real kubectl uses as it is, once
/// the lab's control-plane VM runs its k3s server: before that the API's port refuses
/// connections, as a real lab's does before phase 2 (ADR 0053).
final class SimServeKubeconfigTests: XCTestCase {
    func testSimServeWritesAKubeconfigKubectlUsesOnceTheControlPlaneRuns() throws {
        let kubectl = try Kubectl.path()
        let dir = try TemporaryDirectory("hlsh-sim-serve")
        let home = try dir.userHome()
        let lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        defer { lab.stop() }
        let kubeconfig = lab.file("kubeconfig")
        XCTAssertTrue(FileManager.default.fileExists(atPath: kubeconfig), "sim serve wrote no kubeconfig")
        let env = try String(contentsOfFile: lab.file("env"), encoding: .utf8)
        XCTAssertTrue(env.contains("HLSH_SIM_KUBE_CONNECT_TO"), env)
        func getNamespaces() throws -> ProcessResult {
            try runProcess(
                kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", dir.file("cache"), "get", "namespaces"],
                environment: ["HOME": home, "PATH": "/usr/bin:/bin"])
        }
        let refused = try getNamespaces()
        XCTAssertNotEqual(refused.status, 0, "no VM runs k3s, yet the API answered: \(refused.stdout)")
        XCTAssertTrue(refused.stderr.contains("refused"), refused.stderr)

        try lab.startControlPlane(
            environment: try lab.shellEnvironment(home: home, state: dir.file("state")),
            inventory: SimulatedLabBinaryTests.repository + "/scripts/homelab.yaml")
        let listed = try getNamespaces()
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("kube-system"), listed.stdout)
    }
}
