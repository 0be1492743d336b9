import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSCommands

/// `lab status` on the simulated lab as the runbook builds it: each layer ok, degraded or
/// missing with the reason, never an error while a layer is not built yet.
final class LabStatusTests: XCTestCase {
    func testAnEmptyLabHasItsHostsAndNothingAboveThem() throws {
        let h = try LabHarness()
        let rows = try Self.status(h)
        XCTAssertEqual(rows.map { $0["layer"] ?? "" }, LabStatusTests.layers)
        XCTAssertEqual(rows[0], ["layer": "hosts", "state": "ok", "detail": "pve1 and pve2 online"])
        XCTAssertEqual(
            rows[1],
            ["layer": "vms", "state": "missing", "detail": "k3s-cp-01 and k3s-wk-01 do not exist (vm apply --all)"])
        // Nodes whose VMs do not exist are not dialled.
        XCTAssertEqual(
            rows[2],
            [
                "layer": "nodes", "state": "missing",
                "detail": "k3s-cp-01: its VM does not exist; k3s-wk-01: its VM does not exist",
            ])
        XCTAssertEqual(rows[3]["state"], "missing")
        XCTAssertTrue(rows[3]["detail"]?.hasPrefix("no kubeconfig yet") ?? false, "\(rows[3])")
        for row in rows[4...] {
            XCTAssertEqual(row["state"], "missing", "\(row)")
            XCTAssertTrue(row["detail"]?.hasPrefix("needs Kubernetes: no kubeconfig yet") ?? false, "\(row)")
        }
    }

    func testAfterPhasesOneAndTwoKubernetesIsOkAndFluxMissing() throws {
        let h = try LabHarness()
        h.installCluster()
        let worker = h.run("kube wait node k3s-wk-01 --for condition=Ready --timeout 60s")
        XCTAssertEqual(worker.status, 0, worker.err)
        let rows = Dictionary(uniqueKeysWithValues: try Self.status(h).map { ($0["layer"] ?? "", $0) })
        for layer in ["hosts", "vms", "nodes", "kubernetes"] {
            XCTAssertEqual(rows[layer]?["state"], "ok", "\(rows[layer] ?? [:])")
        }
        XCTAssertEqual(rows["vms"]?["detail"], "k3s-cp-01 and k3s-wk-01 running")
        XCTAssertEqual(rows["nodes"]?["detail"], "k3s-cp-01 and k3s-wk-01 reachable over SSH and Ready")
        XCTAssertTrue(rows["kubernetes"]?["detail"]?.hasPrefix("v1.33.4+k3s1 at https://") ?? false, "\(rows)")
        XCTAssertEqual(
            rows["flux"], ["layer": "flux", "state": "missing", "detail": "Flux is not installed (flux bootstrap)"])
        XCTAssertEqual(rows["certificates"]?["detail"], "cert-manager is not installed")
        XCTAssertEqual(rows["volumes"]?["detail"], "Longhorn is not installed")
        XCTAssertEqual(rows["apps"]?["detail"], "no apps Kustomization in flux-system")

        // A stopped VM: its layer is degraded and says which; its node no longer answers.
        let stop = h.run("vm stop k3s-wk-01")
        XCTAssertEqual(stop.status, 0, stop.err)
        let stopped = Dictionary(uniqueKeysWithValues: try Self.status(h).map { ($0["layer"] ?? "", $0) })
        XCTAssertEqual(stopped["vms"], ["layer": "vms", "state": "degraded", "detail": "k3s-wk-01 is stopped"])
        XCTAssertEqual(stopped["nodes"]?["state"], "degraded", "\(stopped)")
        XCTAssertTrue(stopped["nodes"]?["detail"]?.hasPrefix("k3s-wk-01: its VM is stopped") ?? false, "\(stopped)")

        // Started again: once its Node is Ready its machine answers SSH too (k3s starts after sshd
        // in a boot; the simulated kubelet used to report Ready first).
        XCTAssertEqual(h.run("vm start k3s-wk-01").status, 0)
        let ready = h.run("node wait k3s-wk-01 --for ready --timeout 60s")
        XCTAssertEqual(ready.status, 0, ready.err)
        let login = h.run("node run k3s-wk-01 'id -un'")
        XCTAssertEqual(login.status, 0, login.err)
        // Its uptime counts from this boot (the simulated /proc/uptime said 1h10m42s for ever).
        let facts = h.run("node facts k3s-wk-01 | get uptime | to json --compact")
        XCTAssertEqual(facts.status, 0, facts.err)
        let uptime = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(facts.out.utf8)) as? [Double])?.first, facts.out)
        XCTAssertLessThan(uptime, 60, facts.out)

        // k3s stopped on the control plane: the layers above say the API does not answer, not
        // that Longhorn is missing or the nodes were never in Kubernetes.
        XCTAssertEqual(h.run("node run k3s-cp-01 'systemctl stop k3s'").status, 0)
        var down: [String: [String: String]] = [:]
        for _ in 0..<100 {
            down = Dictionary(uniqueKeysWithValues: try Self.status(h).map { ($0["layer"] ?? "", $0) })
            if down["kubernetes"]?["state"] != "ok" { break }
            usleep(100_000)
        }
        XCTAssertNotEqual(down["kubernetes"]?["state"], "ok", "\(down)")
        let nodes = down["nodes"]?["detail"] ?? ""
        XCTAssertTrue(nodes.contains("their Kubernetes Nodes cannot be read: "), nodes)
        XCTAssertFalse(nodes.contains("not in Kubernetes yet"), nodes)
        XCTAssertNotEqual(down["volumes"]?["detail"], "Longhorn is not installed", "\(down)")
    }

    /// Longhorn's two-node trap: a volume with 3 replicas on two nodes is degraded, and the
    /// row says why (the other layers of this cluster-only lab are simply missing).
    func testADegradedVolumeSaysWhy() throws {
        let lab = try LonghornLab()
        try lab.install()
        try lab.claim("data")
        try lab.runPod("web", claim: "data", on: "k3s-wk-01")
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "degraded" }, lab.dump)
        let inventory = try lab.kube.dir.write("homelab.yaml", LabHarness.shippedInventory)
        let result = lab.kube.run(
            "let used = (lab use \"\(inventory)\")\nlab status --timeout 3s | where layer == \"volumes\" | to json --compact"
        )
        XCTAssertEqual(result.status, 1, "a degraded layer fails the run: \(result.err)")
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]]
        let row = try XCTUnwrap(rows?.first, result.out)
        XCTAssertEqual(row["state"], "degraded")
        let detail = row["detail"] ?? ""
        XCTAssertTrue(detail.contains("(apps/data) is attached, degraded"), detail)
        XCTAssertTrue(detail.contains("2 schedulable nodes for 3 replicas"), detail)
    }

    /// The layers are read at once, each within the timeout: a layer that does not answer is
    /// cut off and said to be missing, and does not hold up the others.
    func testLayersRunAtOnceAndOneThatHangsIsCutOffAtTheTimeout() throws {
        let slow = { (name: String) in
            (
                name: name,
                run: { @Sendable (cancellation: Cancellation) throws -> [LabCheck] in
                    _ = cancellation.sleep(for: .seconds(30))
                    try cancellation.check(name)
                    return [LabCheck(name, .ok, "answered")]
                }
            )
        }
        let fast = (
            name: "fast",
            run: { @Sendable (_: Cancellation) throws -> [LabCheck] in [LabCheck("fast", .ok, "at once")] }
        )
        let started = ContinuousClock.now
        let rows = try LabCheck.concurrently(
            [slow("first"), fast, slow("second")], timeout: .milliseconds(300), cancellation: Cancellation())
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(
            rows,
            [
                LabCheck("first", .missing, "no answer within 300ms"), LabCheck("fast", .ok, "at once"),
                LabCheck("second", .missing, "no answer within 300ms"),
            ])
        XCTAssertLessThan(elapsed, .seconds(2), "both slow layers were cut off together")
    }

    static let layers = ["hosts", "vms", "nodes", "kubernetes", "flux", "certificates", "volumes", "apps"]

    /// `lab status`'s rows, which it gives whatever the lab's state, with exit status 1 when a
    /// layer is degraded (a missing one, not built yet, does not fail it) and 0 otherwise.
    static func status(_ h: LabHarness, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: String]]
    {
        let result = h.run("lab status | to json --compact")
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]] ?? []
        let degraded = rows.contains { $0["state"] == "degraded" }
        XCTAssertEqual(result.status, degraded ? 1 : 0, "\(rows) \(result.err)", file: file, line: line)
        return rows
    }
}
