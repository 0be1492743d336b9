import Foundation
import TestSupport
import XCTest

/// `hlsh sim serve --dir DIR` writes `DIR/kubeconfig`, which the real kubectl uses as it is.
final class SimServeKubeconfigTests: XCTestCase {
    func testSimServeWritesAKubeconfigKubectlUsesAsItIs() throws {
        let kubectl = try Kubectl.path()
        let dir = try TemporaryDirectory("hlsh-sim-serve")
        let serve = try SimServeProcess(dir: dir.file("lab"), home: dir.path)
        defer { serve.stop() }
        let kubeconfig = serve.kubeconfig
        XCTAssertTrue(FileManager.default.fileExists(atPath: kubeconfig), "sim serve wrote no kubeconfig")
        let run = try runProcess(
            kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", dir.file("cache"), "get", "namespaces"],
            environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("kube-system"), run.stdout)
        let env = try String(contentsOfFile: dir.file("lab/env"), encoding: .utf8)
        XCTAssertTrue(env.contains("HLSH_SIM_KUBE_CONNECT_TO"), env)
    }
}
