import Foundation
import HLSCore
import HLSFormats
import HLSLanguage
import Kube
import LabSim
import Synchronization
import TestSupport
import XCTest

@testable import HLSCommands

/// `node reboot` on the simulated lab after phase 2: the worker is drained, rebooted over SSH
/// (its simulated machine goes down — SSH drops, k3s stops, the Node turns NotReady — and comes
/// back with a new boot id), watched until Ready, and uncordoned.
final class NodeRebootTests: XCTestCase {
    func testRebootOfTheWorkerDrainsRebootsWaitsAndUncordons() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let client = try KubeClient(environment: lab.environment)
        func worker() throws -> Document? { try client.getIfPresent(.nodes, "k3s-wk-01") }
        let deadline = Date().addingTimeInterval(10)
        while try worker() == nil, Date() < deadline { usleep(100_000) }
        let bootBefore = try XCTUnwrap(worker()?.string("status", "nodeInfo", "bootID"))
        XCTAssertFalse(bootBefore.isEmpty, "the kubelet reports the machine's boot id")
        try KubeHarness.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"), client: client)
        // An enabled unit whose daemon never reports ready (ExecStart exits 75, Type=notify): activating.
        let root = try XCTUnwrap(lab.nodes).root(of: "k3s-wk-01")
        try FileManager.default.createDirectory(atPath: root + "/usr/local/bin", withIntermediateDirectories: true)
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: root + "/usr/local/bin/stuck", contents: Data("#!/bin/sh\nexit 75\n".utf8),
                attributes: [.posixPermissions: 0o755]))
        try "[Service]\nType=notify\nExecStart=/usr/local/bin/stuck\n".write(
            toFile: root + "/etc/systemd/system/stuck.service", atomically: true, encoding: .utf8)
        let enable = lab.run(#"node run k3s-wk-01 "sudo systemctl enable --now --no-block stuck""#)
        XCTAssertEqual(enable.status, 0, enable.err)

        var dryRun = RunOptions()
        dryRun.dryRun = true
        let plan = lab.run("node reboot k3s-wk-01 | select action status | to json --compact", options: dryRun)
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertEqual(
            plan.out,
            #"[{"action":"cordon","status":"planned"},{"action":"drain","status":"planned"},"#
                + #"{"action":"reboot","status":"planned"},{"action":"wait","status":"planned"},"#
                + #"{"action":"uncordon","status":"planned"}]"# + "\n")
        XCTAssertNotNil(try client.getIfPresent(.pods, "web-1", namespace: "default"), "a dry run evicts nothing")
        XCTAssertEqual(try worker()?.string("status", "nodeInfo", "bootID"), bootBefore, "a dry run reboots nothing")
        let server = lab.run("node reboot servers", options: dryRun)
        XCTAssertEqual(server.status, 0, server.err)
        XCTAssertTrue(server.err.contains("k3s-cp-01 is the cluster's only control-plane node"), server.err)

        // What the Node's Ready condition went through, watched while the reboot runs: from the
        // resourceVersion read now, so no change is missed however late the watch connects (the
        // NotReady window is a second long).
        let seen = Mutex<[String]>([])
        let watched = DispatchSemaphore(value: 0)
        let from = try XCTUnwrap(try worker()?.string("metadata", "resourceVersion"))
        let watcher = Thread {
            defer { watched.signal() }
            _ = try? client.watch(
                .nodes, options: KubeListOptions(fieldSelector: "metadata.name=k3s-wk-01"), resourceVersion: from,
                deadline: .now + .seconds(60)
            ) { event in
                guard case .modified(let object) = event else { return .continue }
                let node = ClusterNode(object)
                seen.withLock { $0.append(node.ready) }
                return node.isReady && node.bootID != bootBefore ? .stop : .continue
            }
        }
        watcher.start()
        let reboot = lab.run(
            "node reboot k3s-wk-01 --timeout 20s --every 200ms --wait 60s | select action detail status "
                + "| to json --compact")
        XCTAssertEqual(reboot.status, 0, reboot.err)
        XCTAssertTrue(
            reboot.out.contains(#"{"action":"drain","detail":"evict default/web-1","status":"applied"}"#), reboot.out)
        for action in ["cordon", "reboot", "wait", "uncordon"] {
            XCTAssertTrue(reboot.out.contains(#"{"action":"\#(action)","#), "\(action): \(reboot.out)")
        }
        XCTAssertFalse(reboot.out.contains("planned") || reboot.out.contains("failed"), reboot.out)
        XCTAssertFalse(reboot.err.contains("only control-plane"), "a worker is not the control plane: \(reboot.err)")
        XCTAssertNil(try client.getIfPresent(.pods, "web-1", namespace: "default"), "web-1 was evicted")

        XCTAssertEqual(watched.wait(timeout: .now() + 10), .success, "the watch saw the node back")
        let states = seen.withLock { $0 }
        XCTAssertTrue(states.contains { $0 != "True" }, "the Node went NotReady for a moment: \(states)")
        XCTAssertEqual(states.last, "True")
        let node = ClusterNode(try XCTUnwrap(worker()))
        XCTAssertEqual(node.ready, "True")
        XCTAssertFalse(node.unschedulable, "uncordoned")
        XCTAssertNotEqual(node.bootID, bootBefore, "the machine rebooted")
        XCTAssertFalse(node.bootID.isEmpty)
        // SSH is back, on the machine the kubelet reports.
        let back = lab.run(#"node run k3s-wk-01 "cat /proc/sys/kernel/random/boot_id" | get stdout | first"#)
        XCTAssertEqual(back.status, 0, back.err)
        XCTAssertEqual(back.out.trimmingCharacters(in: .whitespacesAndNewlines), node.bootID)
        let rebooted = lab.run(#"kube events --for node/k3s-wk-01 | where reason == "Rebooted" | get message"#)
        XCTAssertEqual(
            rebooted.out.trimmingCharacters(in: .whitespacesAndNewlines),
            "Node k3s-wk-01 has been rebooted, boot id: \(node.bootID)", "the kubelet's event: \(rebooted.err)")
        let stuck = lab.run(#"node run k3s-wk-01 "systemctl is-active stuck || true" | get stdout | first"#)
        XCTAssertEqual(
            stuck.out.trimmingCharacters(in: .whitespacesAndNewlines), "activating",
            "started again by the boot, not marked active: \(stuck.err)")
        let systemctl = try String(
            contentsOfFile: try XCTUnwrap(lab.nodes).root(of: "k3s-wk-01") + "/var/log/hlsh-sim.log", encoding: .utf8)
        XCTAssertTrue(systemctl.contains("systemctl reboot"), "rebooted through systemctl")
    }

    /// A node the operator cordoned stays cordoned after its reboot; a rerun after a run that
    /// rebooted a node and stopped (its boot id differs from the one recorded) does not reboot it
    /// again: it waits for it Ready, uncordons it when a run cordoned it, and drops the annotations.
    func testRebootKeepsAnOperatorsCordonAndARerunOnlyFinishes() throws {
        let (lab, client) = try clusterLab()
        func worker() throws -> ClusterNode? { try client.getIfPresent(.nodes, "k3s-wk-01").map(ClusterNode.init) }
        let cordon = lab.run("node cordon k3s-wk-01")
        XCTAssertEqual(cordon.status, 0, cordon.err)
        let bootBefore = try XCTUnwrap(worker()).bootID

        let reboot = lab.run("node reboot k3s-wk-01 --every 200ms --wait 60s | get action | to json --compact")
        XCTAssertEqual(reboot.status, 0, reboot.err)
        XCTAssertEqual(reboot.out, #"["drain","reboot","wait","unmark"]"# + "\n")
        var node = try XCTUnwrap(worker())
        XCTAssertNotEqual(node.bootID, bootBefore, "rebooted")
        XCTAssertTrue(node.unschedulable, "cordoned before the run, so still cordoned")
        XCTAssertNil(node.annotations[NodeCommands.bootIDAnnotation])

        // As a run leaves a node it rebooted and cordoned, then stopped (--wait ran out).
        let bootNow = node.bootID
        try client.mergePatch(
            .nodes, "k3s-wk-01",
            patch: .object([
                (
                    "metadata",
                    .object([
                        (
                            "annotations",
                            .object([
                                (NodeCommands.bootIDAnnotation, .string("0f0f0f0f-an-earlier-boot")),
                                (NodeCommands.cordonedAnnotation, .string("true")),
                            ])
                        )
                    ])
                )
            ]))
        let rerun = lab.run("node reboot k3s-wk-01 --every 200ms --wait 60s | get action | to json --compact")
        XCTAssertEqual(rerun.status, 0, rerun.err)
        XCTAssertEqual(rerun.out, #"["wait","uncordon"]"# + "\n")
        node = try XCTUnwrap(worker())
        XCTAssertEqual(node.bootID, bootNow, "not rebooted again")
        XCTAssertFalse(node.unschedulable, "a run cordoned it, so it is uncordoned")
        XCTAssertTrue(node.annotations.filter { $0.key.hasPrefix("hlsh.dev/reboot") }.isEmpty, "\(node.annotations)")
    }

    /// An SSH error other than the connection dropping once the reboot command was accepted (here
    /// the command never returns) is reported as what it is, at once, not as the node not coming back.
    func testARebootCommandThatFailsOverSSHIsReportedAsSuch() throws {
        let (lab, client) = try clusterLab()
        func worker() throws -> ClusterNode? { try client.getIfPresent(.nodes, "k3s-wk-01").map(ClusterNode.init) }
        let bootBefore = try XCTUnwrap(worker()).bootID
        let sudo = try XCTUnwrap(lab.nodes).root(of: "k3s-wk-01") + SimulatedNodeRoot.nodeBinDirectory + "/sudo"
        try FileManager.default.removeItem(atPath: sudo)
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: sudo, contents: Data("#!/bin/sh\nexec sleep 20\n".utf8), attributes: [.posixPermissions: 0o755])
        )

        let reboot = lab.run("node reboot k3s-wk-01 --every 200ms --wait 3s")
        XCTAssertNotEqual(reboot.status, 0)
        XCTAssertTrue(reboot.err.contains("cannot reboot k3s-wk-01 over SSH: timed out after 3s"), reboot.err)
        XCTAssertFalse(reboot.err.contains("not back Ready"), reboot.err)
        XCTAssertEqual(try worker()?.bootID, bootBefore)
    }

    /// The simulated lab after phase 2, once the worker's Node is registered.
    private func clusterLab() throws -> (LabHarness, KubeClient) {
        let lab = try LabHarness()
        lab.installCluster()
        let client = try KubeClient(environment: lab.environment)
        let deadline = Date().addingTimeInterval(10)
        while try client.getIfPresent(.nodes, "k3s-wk-01") == nil, Date() < deadline { usleep(100_000) }
        return (lab, client)
    }
}
