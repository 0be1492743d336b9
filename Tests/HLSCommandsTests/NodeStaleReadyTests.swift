import Foundation
import HLSCore
import HLSLanguage
import Kube
import TestSupport
import XCTest

@testable import HLSCommands

/// A VM stopped and started within the node monitor grace period: the API server keeps its Node
/// Ready, with the previous boot's id, until the kubelet of the new boot posts (as kube-controller-
/// manager does for 50 s). `node wait --for ready` must not take that Ready for the machine being
/// back: hlsh records the boot id when it stops the VM (`NodeBootMark`).
final class NodeStaleReadyTests: XCTestCase {
    private func node(_ client: KubeClient, _ name: String = "k3s-wk-01") throws -> ClusterNode {
        ClusterNode(try client.get(.nodes, name))
    }

    func testNodeWaitForReadyAfterAQuickStopAndStartWaitsForTheKubeletOfTheNewBoot() throws {
        let lab = try LabHarness(nodeMonitorGracePeriod: 120)
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let client = try KubeClient(environment: lab.environment)
        let before = try node(client)
        XCTAssertTrue(before.isReady)
        XCTAssertFalse(before.bootID.isEmpty)

        var dryRun = RunOptions()
        dryRun.dryRun = true
        XCTAssertEqual(lab.run("vm stop k3s-wk-01", options: dryRun).status, 0)
        XCTAssertNil(try node(client).annotations[NodeBootMark.annotation], "a dry run records nothing")

        let stop = lab.run("vm stop k3s-wk-01")
        XCTAssertEqual(stop.status, 0, stop.err)
        XCTAssertFalse(stop.err.contains("warning"), stop.err)
        XCTAssertEqual(try node(client).annotations[NodeBootMark.annotation], before.bootID)
        // The simulated kubelets look every 200 ms: past a few of their passes, the stopped
        // machine's Node is still Ready within the grace period, as on a real cluster.
        Thread.sleep(forTimeInterval: 0.6)
        let silent = try node(client)
        XCTAssertTrue(silent.isReady, "Ready for the grace period after its kubelet went silent")
        XCTAssertEqual(silent.bootID, before.bootID)
        // lab status does not call it Ready either.
        let status = lab.run(#"lab status | where layer == "nodes" | get detail | to json --compact"#)
        XCTAssertTrue(
            status.out.contains("k3s-wk-01: its kubelet has not reported since hlsh stopped its VM"),
            status.out + status.err)

        XCTAssertEqual(lab.run("vm start k3s-wk-01").status, 0)
        let ready = lab.run("node wait k3s-wk-01 --for ready --timeout 60s --every 200ms")
        XCTAssertEqual(ready.status, 0, ready.err)
        let back = try node(client)
        XCTAssertNotEqual(back.bootID, before.bootID, "node wait returned on the Ready of the boot before the stop")
        XCTAssertTrue(back.isReady)
        XCTAssertNil(back.annotations[NodeBootMark.annotation], "the mark goes once the new boot reported")
        let login = lab.run("node run k3s-wk-01 'id -un'")
        XCTAssertEqual(login.status, 0, login.err)
    }

    func testAStopWhileTheAPIDoesNotAnswerWarnsAndStillStopsTheVM() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let down = lab.run("node run k3s-cp-01 'sudo systemctl stop k3s'")
        XCTAssertEqual(down.status, 0, down.err)
        // The simulated API stops answering at the control plane's next pass.
        let gone = Date().addingTimeInterval(10)
        while lab.run("kube get nodes").status == 0 && Date() < gone { Thread.sleep(forTimeInterval: 0.1) }
        let stop = lab.run("vm stop k3s-wk-01")
        XCTAssertEqual(stop.status, 0, stop.err)
        XCTAssertTrue(
            stop.err.contains("warning: vm stop: cannot record the boot id of Kubernetes node k3s-wk-01"), stop.err)
        let status = lab.run(#"vm list | where name == "k3s-wk-01" | get status | to json --compact"#)
        XCTAssertEqual(status.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["stopped"]"#, status.err)
    }

    /// One process (a REPL session) holds a pooled SSH connection to the node; the machine is
    /// stopped and started: once it is back, the next command logs in again at the first try
    /// instead of failing on the connection to the old boot.
    func testOneSessionReachesANodeAgainAfterItsVMWasStoppedAndStarted() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let run = lab.run(
            """
            node run k3s-wk-01 'id -un' | get stdout
            vm stop k3s-wk-01
            vm start k3s-wk-01
            node wait k3s-wk-01 --for ssh --timeout 60s --every 200ms
            node run k3s-wk-01 'id -un' | get stdout
            """)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out.components(separatedBy: "root").count - 1, 2, run.out)
    }
}
