import Foundation
import TestSupport
import XCTest

/// `kube loki` through the built binary on `hlsh sim serve`, before Loki is installed: the
/// apiserver's service proxy finds no Service, and the error says so, names the call and says
/// where Loki comes from. (On the bootstrapped lab, BootstrapRunbookTests reads lines back.)
final class KubeLokiBinaryTests: XCTestCase {
    func testWithoutLokiTheQuerySaysNoLokiAndNamesTheCall() throws {
        let dir = try TemporaryDirectory("hlsh-loki")
        let home = try dir.userHome()
        let lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        defer { lab.stop() }
        let env = try lab.shellEnvironment(home: home, state: dir.file("state"))
        let inventory = SimulatedLabBinaryTests.repository + "/scripts/homelab.yaml"
        try lab.startControlPlane(environment: env, inventory: inventory)
        let kubeconfig = try runProcess(
            BuiltBinary.hlsh, ["-c", "lab use \"\(inventory)\"\nnode kubeconfig"], environment: env)
        XCTAssertEqual(kubeconfig.status, 0, kubeconfig.stderr)
        let run = try runProcess(
            BuiltBinary.hlsh, ["-c", #"kube loki '{namespace="flux-system"}' --since 10m"#], environment: env)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(
            run.stderr.contains(
                "GET /api/v1/namespaces/monitoring/services/loki-gateway:80/proxy/loki/api/v1/query_range?direction=backward&end="
            ), run.stderr)
        XCTAssertTrue(
            run.stderr.contains(#"no Loki at service monitoring/loki-gateway:80: services "loki-gateway" not found"#),
            run.stderr)
        XCTAssertTrue(run.stderr.contains("is Loki installed? Phase 5 installs it"), run.stderr)

        let usage = try runProcess(
            BuiltBinary.hlsh, ["-c", #"kube loki '{a="b"}' --service loki-gateway"#], environment: env)
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(
            usage.stderr.contains(
                "--service takes NAMESPACE/NAME[:PORT] (monitoring/loki-gateway:80), not loki-gateway"),
            usage.stderr)
    }
}
