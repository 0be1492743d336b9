import Foundation
import HLSCore
import HLSFormats
import HLSLanguage
import Kube
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// The day-2 runbooks of scripts/runbooks/ on the simulated lab, run as `hlsh FILE INVENTORY`
/// runs them: k3s upgrade, rolling reboot and teardown.
final class DayTwoRunbookTests: XCTestCase {
    func testK3sUpgradeMovesEachNodeServersFirstAndASecondRunChangesNothing() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let client = try KubeClient(environment: lab.environment)
        try LabHarness.waitRegistered(["k3s-cp-01", "k3s-wk-01"], client: client)
        try lab.useInventory(
            LabHarness.shippedInventory.replacing("version: v1.33.4+k3s1", with: "version: v1.33.5+k3s1"))
        let versions = #"node facts all | get k3s | to json --compact"#

        var dryRun = RunOptions()
        dryRun.dryRun = true
        let plan = lab.runScript("scripts/runbooks/k3s-upgrade.hls", options: dryRun)
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertTrue(plan.out.contains("k3s-cp-01: k3s v1.33.4+k3s1 → v1.33.5+k3s1"), plan.out)
        XCTAssertTrue(plan.out.contains("k3s-wk-01: k3s v1.33.4+k3s1 → v1.33.5+k3s1"), plan.out)
        XCTAssertEqual(lab.run(versions).out, #"["v1.33.4+k3s1","v1.33.4+k3s1"]"# + "\n", "a dry run installs nothing")

        let upgrade = lab.runScript("scripts/runbooks/k3s-upgrade.hls")
        XCTAssertEqual(upgrade.status, 0, upgrade.err)
        let server = try XCTUnwrap(upgrade.err.range(of: "▶ phase upgrade k3s-cp-01"), upgrade.err)
        let agent = try XCTUnwrap(upgrade.err.range(of: "▶ phase upgrade k3s-wk-01"), upgrade.err)
        XCTAssertLessThan(server.lowerBound, agent.lowerBound, "servers first")
        XCTAssertTrue(upgrade.out.contains("installed v1.33.5+k3s1 (was v1.33.4+k3s1)"), upgrade.out)
        XCTAssertEqual(lab.run(versions).out, #"["v1.33.5+k3s1","v1.33.5+k3s1"]"# + "\n")
        for name in ["k3s-cp-01", "k3s-wk-01"] {
            let node = try XCTUnwrap(client.getIfPresent(.nodes, name).map(ClusterNode.init))
            XCTAssertFalse(node.unschedulable, "\(name) is uncordoned after its upgrade")
        }

        let again = lab.runScript("scripts/runbooks/k3s-upgrade.hls")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("k3s-cp-01: k3s v1.33.5+k3s1 already"), again.out)
        XCTAssertTrue(again.out.contains("k3s-wk-01: k3s v1.33.5+k3s1 already"), again.out)
        XCTAssertEqual(again.err.components(separatedBy: ", no change)").count - 1, 2, again.err)
    }

    /// A node whose reboot fails stops the run, named, before the next node is touched;
    /// `--resume` reboots it and the rest.
    func testRollingRebootStopsAtTheFirstNodeThatFailsAndResumeFinishes() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let client = try KubeClient(environment: lab.environment)
        try LabHarness.waitRegistered(["k3s-cp-01", "k3s-wk-01"], client: client)
        func node(_ name: String) throws -> ClusterNode {
            try XCTUnwrap(client.getIfPresent(.nodes, name).map(ClusterNode.init))
        }
        let before = try ["k3s-cp-01", "k3s-wk-01"].map { try node($0).bootID }
        let sudo = try XCTUnwrap(lab.nodes).root(of: "k3s-cp-01") + SimulatedNodeRoot.nodeBinDirectory + "/sudo"
        let original = try Data(contentsOf: URL(fileURLWithPath: sudo))
        try Data("#!/bin/sh\necho 'sudo: unable to resolve host' >&2\nexit 1\n".utf8).write(
            to: URL(fileURLWithPath: sudo))

        let failed = lab.runScript("scripts/runbooks/rolling-reboot.hls")
        XCTAssertEqual(failed.status, 1, failed.err)
        XCTAssertTrue(failed.err.contains("✗ phase reboot k3s-cp-01 failed"), failed.err)
        XCTAssertTrue(failed.err.contains("rolling-reboot.hls:"), "the step is named: \(failed.err)")
        XCTAssertTrue(failed.err.contains("cannot reboot k3s-cp-01 over SSH"), failed.err)
        XCTAssertFalse(failed.err.contains("phase reboot k3s-wk-01"), "the next node is not touched: \(failed.err)")
        XCTAssertEqual(try node("k3s-wk-01").bootID, before[1])
        XCTAssertTrue(try node("k3s-cp-01").unschedulable, "the node that failed stays cordoned")

        try original.write(to: URL(fileURLWithPath: sudo))
        var resume = RunOptions()
        resume.resume = true
        let resumed = lab.runScript("scripts/runbooks/rolling-reboot.hls", options: resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertNotEqual(try node("k3s-cp-01").bootID, before[0])
        XCTAssertNotEqual(try node("k3s-wk-01").bootID, before[1])
        XCTAssertFalse(try node("k3s-cp-01").unschedulable)
        XCTAssertFalse(try node("k3s-wk-01").unschedulable)

        // Both nodes done: a resumed run has nothing left to reboot.
        let done = lab.runScript("scripts/runbooks/rolling-reboot.hls", options: resume)
        XCTAssertEqual(done.status, 0, done.err)
        XCTAssertTrue(done.err.contains("↷ phase reboot k3s-cp-01: skipped"), done.err)
        XCTAssertTrue(done.err.contains("↷ phase reboot k3s-wk-01: skipped"), done.err)
    }

    func testTeardownListsInADryRunRefusesWithoutATerminalAndDestroysWithYes() throws {
        let lab = try LabHarness(simulatedNodes: false)
        let apply = lab.run("vm apply --all")
        XCTAssertEqual(apply.status, 0, apply.err)
        func deletes() -> [String] { lab.writes.filter { $0.hasPrefix("DELETE ") } }

        var dryRun = RunOptions()
        dryRun.dryRun = true
        let plan = lab.runScript("scripts/runbooks/teardown.hls", options: dryRun)
        XCTAssertEqual(plan.status, 0, plan.err)
        for name in ["k3s-cp-01", "k3s-wk-01"] { XCTAssertTrue(plan.out.contains(name), plan.out) }
        XCTAssertTrue(plan.out.contains("destroy"), "the plan shows what would go: \(plan.out)")
        XCTAssertEqual(
            plan.out.components(separatedBy: "target     action").count - 1, 1,
            "one table for both VMs, one header: \(plan.out)")
        XCTAssertEqual(deletes(), [], "a dry run destroys nothing")

        let refused = lab.runScript("scripts/runbooks/teardown.hls")
        XCTAssertEqual(refused.status, 1, refused.err)
        XCTAssertTrue(refused.err.contains("confirm: no terminal to ask"), refused.err)
        XCTAssertEqual(deletes(), [], "nothing goes unasked")

        var yes = RunOptions()
        yes.assumeYes = true
        let destroyed = lab.runScript("scripts/runbooks/teardown.hls", options: yes)
        XCTAssertEqual(destroyed.status, 0, destroyed.err)
        XCTAssertEqual(deletes().count, 2, "each VM once: \(deletes())")
        XCTAssertEqual(lab.run("vm list | where name =~ 'k3s' | count").out, "0\n")

        let again = lab.runScript("scripts/runbooks/teardown.hls", options: yes)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("nothing to tear down"), again.out)
        XCTAssertEqual(deletes().count, 2)
    }
}

extension LabHarness {
    /// Waits (up to 10 s) until the kubelets of `names` registered their Nodes.
    static func waitRegistered(_ names: [String], client: KubeClient) throws {
        let deadline = Date().addingTimeInterval(10)
        for name in names {
            while try client.getIfPresent(.nodes, name) == nil, Date() < deadline { usleep(100_000) }
        }
    }
}
