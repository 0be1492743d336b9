import Foundation
import TestSupport
import XCTest

/// The built binary against its own simulated lab (`hlsh --sim`): the runbook's first two phases
/// (`scripts/phases/`), twice, and the shell's live VM names.
final class SimulatedLabBinaryTests: XCTestCase {
    var home: TemporaryDirectory!

    override func setUpWithError() throws {
        home = try TemporaryDirectory("hlsh-sim-bin")
        // XCTest keeps every test case object until the run ends: release the directory with the test.
        addTeardownBlock { [self] in home = nil }
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", home.file(".ssh/id_ed25519")])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
    }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    func testTheRunbooksFirstTwoPhasesConvergeAndASecondRunChangesNothing() throws {
        let code = """
            source "scripts/phases/1-vms.hls"
            source "scripts/phases/2-k3s.hls"
            source "scripts/phases/1-vms.hls"
            source "scripts/phases/2-k3s.hls"
            vm list | select name node status cores | to json --compact
            node list | select name ready roles | to json --compact
            """
        let result = try BuiltBinary.run(
            ["--sim", "-c", code],
            environment: SimServe.testTimings.merging(["HOME": home.path, "XDG_STATE_HOME": home.file("state")]) { $1 },
            currentDirectory: Self.repository)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("vm apply: no change"), "the second run is a no-op: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("node k3s: no change"), "the second run is a no-op: \(result.stderr)")
        XCTAssertTrue(
            result.stdout.contains(
                #"[{"name":"k3s-cp-01","node":"pve1","status":"running","cores":4},{"name":"k3s-wk-01","node":"pve2","status":"running","cores":6}]"#
            ), result.stdout)
        // After phase 2 both kubelets are registered and Ready in the simulated cluster.
        XCTAssertTrue(
            result.stdout.contains(
                #"[{"name":"k3s-cp-01","ready":"Ready","roles":"control-plane,master"},{"name":"k3s-wk-01","ready":"Ready","roles":""}]"#
            ), result.stdout)
    }

    func testDryRunWithDetailedExitCodeReportsPendingChanges() throws {
        let result = try BuiltBinary.run(
            ["--sim", "--dry-run", "--detailed-exitcode", "scripts/bootstrap.hls"],
            environment: ["HOME": home.path, "XDG_STATE_HOME": home.file("state")], currentDirectory: Self.repository)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stdout.contains("planned"), result.stdout)
        // Phase 2's wait for a cluster that a first run has not built yet is reported, not failed.
        XCTAssertTrue(result.stderr.contains("node wait not run in a dry run: no kubeconfig"), result.stderr)
    }

    func testTheShellCompletesLiveVMNamesFromTheSimulatedLab() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let env = SimServe.testTimings.merging([
            "HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1", "TERM": "xterm-256color",
        ]) { $1 }
        let t = try TmuxTerminal(command: [BuiltBinary.hlsh, "--sim"], environment: env, directory: Self.repository)
        try t.waitFor("the prompt") { $0.contains("hlsh> ") }
        try t.type(#"lab use "scripts/homelab.yaml" | get name"#)
        try t.press("Enter")
        try t.type("vm apply k3s-cp-01 | count")
        try t.press("Enter")
        try t.waitFor(timeout: 60, "the VM to be created") { $0.contains("\n1\n") }
        try t.type("vm stop k3s-")
        try t.press("Tab")
        try t.waitFor("the running VM completed") { $0.contains("vm stop k3s-cp-01 ") }
    }
}
