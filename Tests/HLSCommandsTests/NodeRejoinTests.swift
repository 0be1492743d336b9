import Foundation
import HLSCore
import HLSLanguage
import Kube
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// A k3s agent re-created under its old name, as k3s treats it: the server keeps the old
/// machine's node password (its hash, in the Secret `k3s-wk-01.node-password.k3s`), so the new
/// machine, with a password of its own, is refused ("Node password rejected") and never becomes
/// Ready until that Secret goes. `node k3s` removes the stale Secret and Node before it joins a
/// re-created agent, so phases 1–2 run again after `vm destroy` converge (docs/adr/0063).
final class NodeRejoinTests: XCTestCase {
    static let secret = "k3s-wk-01.node-password.k3s"

    private func secretUID(_ client: KubeClient) throws -> String? {
        try client.getIfPresent(.secrets, Self.secret, namespace: "kube-system")?.string("metadata", "uid")
    }

    private func journal(_ lab: LabHarness) -> String {
        let root = lab.nodes.map { $0.root(of: "k3s-wk-01") } ?? ""
        return (try? String(contentsOfFile: root + "/var/lib/hlsh-sim/journal/k3s-agent.service", encoding: .utf8))
            ?? ""
    }

    func testARecreatedWorkerRejoinsOnTheRerunOfPhasesOneAndTwoWithANewNodePasswordSecret() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let ready = lab.run("node wait all --for ready --timeout 30s --every 200ms")
        XCTAssertEqual(ready.status, 0, ready.err)
        let client = try KubeClient(environment: lab.environment)
        let first = try XCTUnwrap(try secretUID(client), "k3s keeps the agent's node password")
        let nodes = try XCTUnwrap(lab.nodes)
        let password = nodes.root(of: "k3s-wk-01") + "/etc/rancher/node/password"
        let mode = try FileManager.default.attributesOfItem(atPath: password)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let destroyed = lab.run("vm destroy k3s-wk-01 --yes")
        XCTAssertEqual(destroyed.status, 0, destroyed.err)
        let vms = lab.runScript("scripts/phases/1-vms.hls")
        XCTAssertEqual(vms.status, 0, vms.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: password), "the new machine starts without one")
        let k3s = lab.runScript("scripts/phases/2-k3s.hls")
        XCTAssertEqual(k3s.status, 0, k3s.err + "\n--- k3s-agent journal:\n" + journal(lab))

        XCTAssertFalse(journal(lab).contains("Node password rejected"), journal(lab))
        XCTAssertTrue(k3s.out.contains("k3s.identity"), k3s.out)
        XCTAssertTrue(k3s.out.contains("removed the stale Secret kube-system/\(Self.secret)"), k3s.out)
        let node = try client.get(.nodes, "k3s-wk-01")
        XCTAssertEqual(KubeCondition("Ready", of: node)?.status, "True")
        let second = try XCTUnwrap(try secretUID(client), "the new machine's password is kept")
        XCTAssertNotEqual(second, first, "the old machine's Secret was replaced")
        // The new password stays on the node: on no command line, in no environment, in no output.
        let secret = try String(contentsOfFile: password, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        XCTAssertEqual(secret.count, 32)
        let root = SimulatedNodeRoot(path: nodes.root(of: "k3s-wk-01"))
        XCTAssertFalse(root.commandLog().joined(separator: "\n").contains(secret))
        XCTAssertFalse(((try? String(contentsOfFile: root.environmentLogPath, encoding: .utf8)) ?? "").contains(secret))
        XCTAssertFalse(journal(lab).contains(secret))
        XCTAssertFalse((vms.out + vms.err + k3s.out + k3s.err).contains(secret))
        let again = lab.run("node k3s all")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("node k3s: no change"), again.err)
        XCTAssertEqual(try secretUID(client), second, "a rerun keeps the Secret")
    }

    func testADryRunNamesTheStaleSecretAndNodeAndRemovesNothing() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let client = try KubeClient(environment: lab.environment)
        let before = try XCTUnwrap(try secretUID(client))
        XCTAssertEqual(lab.run("vm destroy k3s-wk-01 --yes").status, 0)
        for step in [
            "vm apply --all", "node wait k3s-wk-01 --for ssh --accept-new --timeout 60s --every 200ms",
            "node harden k3s-wk-01", "node disks k3s-wk-01",
        ] {
            let result = lab.run(step)
            XCTAssertEqual(result.status, 0, "\(step): \(result.err)")
        }
        var dryRun = RunOptions()
        dryRun.dryRun = true
        let plan = lab.run("node k3s all | to json --compact", options: dryRun)
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertTrue(
            plan.out.contains(
                #"{"node":"k3s-wk-01","control":"k3s.identity","status":"would change","detail":"would remove the "#
                    + #"stale Secret kube-system/\#(Self.secret) and Node k3s-wk-01 (the machine was re-created)"}"#),
            plan.out)
        XCTAssertEqual(try secretUID(client), before, "a dry run removes nothing")
        XCTAssertNotNil(try client.getIfPresent(.nodes, "k3s-wk-01"))
    }

    /// No node password on the machine, but the Node of its name still Ready: some machine runs
    /// under that name, so `node k3s` removes nothing and says what to do.
    func testAMachineWithoutAPasswordWhoseNodeIsStillReadyIsRefusedAndNothingIsRemoved() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let client = try KubeClient(environment: lab.environment)
        let before = try XCTUnwrap(try secretUID(client))
        let nodes = try XCTUnwrap(lab.nodes)
        let root = nodes.root(of: "k3s-wk-01")
        try FileManager.default.removeItem(atPath: root + "/etc/rancher/node/password")
        // Something for node k3s to change, while the agent runs on.
        let disabled = lab.run(#"node run k3s-wk-01 "sudo systemctl disable k3s-agent""#)
        XCTAssertEqual(disabled.status, 0, disabled.err)

        for options in [
            {
                var o = RunOptions()
                o.dryRun = true
                return o
            }(), RunOptions(),
        ] {
            let refused = lab.run("node k3s all", options: options)
            XCTAssertNotEqual(refused.status, 0, refused.err)
            XCTAssertTrue(
                refused.err.contains("k3s-wk-01 has no k3s node password, but the cluster's Node k3s-wk-01 is Ready"),
                refused.err)
            XCTAssertTrue(refused.err.contains("kubectl -n kube-system delete secret \(Self.secret)"), refused.err)
        }
        XCTAssertEqual(try secretUID(client), before, "nothing was removed")
        XCTAssertEqual(KubeCondition("Ready", of: try client.get(.nodes, "k3s-wk-01"))?.status, "True")
    }

    /// The simulator's k3s refusing an agent whose password is not the one its Secret holds: the
    /// agent logs k3s's words and stays activating, its Node NotReady; `node k3s` stops at once
    /// naming the Secret and the fix; once the Secret goes, the retrying agent is let in.
    func testAnAgentWithAnotherPasswordIsRefusedUntilItsSecretGoes() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let nodes = try XCTUnwrap(lab.nodes)
        try "fedcba9876543210fedcba9876543210\n".write(
            toFile: nodes.root(of: "k3s-wk-01") + "/etc/rancher/node/password", atomically: true, encoding: .utf8)
        let stopped = lab.run(#"node run k3s-wk-01 "sudo systemctl stop k3s-agent""#)
        XCTAssertEqual(stopped.status, 0, stopped.err)

        let refused = lab.run("node k3s k3s-wk-01")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("refused this node's password"), refused.err)
        XCTAssertTrue(
            refused.err.contains(
                "kubectl -n kube-system delete secret \(Self.secret) && kubectl delete node k3s-wk-01"),
            refused.err)
        XCTAssertTrue(
            journal(lab).contains(
                "level=info msg=\"Waiting to retrieve agent configuration; server is not ready: Node password rejected, "
                    + "duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd "
                    + "entry, try enabling a unique node name with the --with-node-id flag\""), journal(lab))
        // As systemd's, the status of a unit not active exits 3: `|| true` keeps its output.
        let state = lab.run(#"node run k3s-wk-01 "systemctl status k3s-agent || true" | get stdout"#)
        XCTAssertTrue(state.out.contains("Active: activating (start)"), state.out + state.err)
        XCTAssertTrue(state.out.contains("Node password rejected, duplicate hostname"), state.out)
        let client = try KubeClient(environment: lab.environment)
        XCTAssertNotEqual(KubeCondition("Ready", of: try client.get(.nodes, "k3s-wk-01"))?.status, "True")

        try client.delete(.secrets, Self.secret, namespace: "kube-system")
        let back = lab.run("node wait k3s-wk-01 --for ready --timeout 30s --every 200ms")
        XCTAssertEqual(back.status, 0, back.err)
        XCTAssertNotNil(try secretUID(client), "the agent's retry stored its password")
    }

    /// A server is never refused (k3s checks its own password locally); a Secret that holds
    /// another password is reported as k3s reports it, a Warning Event on the Node.
    func testAServerWithAnotherPasswordRunsOnAndTheMismatchIsAWarningEvent() throws {
        let lab = try LabHarness()
        lab.installCluster()
        XCTAssertEqual(lab.run("node wait all --for ready --timeout 30s --every 200ms").status, 0)
        let client = try KubeClient(environment: lab.environment)
        XCTAssertNotNil(try client.getIfPresent(.secrets, "k3s-cp-01.node-password.k3s", namespace: "kube-system"))
        let nodes = try XCTUnwrap(lab.nodes)
        try "fedcba9876543210fedcba9876543210\n".write(
            toFile: nodes.root(of: "k3s-cp-01") + "/etc/rancher/node/password", atomically: true, encoding: .utf8)
        let restarted = lab.run(#"node run k3s-cp-01 "sudo systemctl restart k3s""#)
        XCTAssertEqual(restarted.status, 0, restarted.err)
        let ready = lab.run("node wait k3s-cp-01 --for ready --timeout 30s --every 200ms")
        XCTAssertEqual(ready.status, 0, ready.err)
        var warned = false
        let deadline = Date().addingTimeInterval(15)
        while !warned && Date() < deadline {
            warned = try client.list(.events).items.contains {
                $0.string("reason") == "NodePasswordValidationFailed" && $0.string("type") == "Warning"
                    && $0.string("involvedObject", "name") == "k3s-cp-01"
            }
            if !warned { usleep(200_000) }
        }
        XCTAssertTrue(warned, "k3s records the failed deferred check")
    }
}
