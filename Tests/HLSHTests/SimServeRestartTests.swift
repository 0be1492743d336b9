import Foundation
import TestSupport
import XCTest

/// `hlsh sim serve DIR` stopped and started again on the same DIR, as a user rehearsing step by
/// step does: the GitOps repository and its deploy keys are kept, so `flux bootstrap` run again
/// has nothing to push (its commit is on the branch already) and says no push. Until the VMs are
/// rebuilt the Kubernetes API does not answer, and `lab status`/`lab doctor` name the missing VM.
final class SimServeRestartTests: XCTestCase {
    func testAfterARestartFluxBootstrapPushesNothingTheRemoteHasAlready() throws {
        let dir = try TemporaryDirectory("hlsh-sim-restart")
        let home = try dir.userHome()
        var lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        defer { lab.stop() }
        XCTAssertTrue(lab.serving, "sim serve did not come up")
        var env = try lab.shellEnvironment(home: home, state: dir.file("state"))
        /// Phases 1 and 2 of the runbook, then `then`, in the repository as a user's shell.
        let bootstrap = { (then: String) in
            try runProcess(
                BuiltBinary.hlsh,
                ["-c", #"source "scripts/phases/1-vms.hls"; source "scripts/phases/2-k3s.hls"; "# + then],
                environment: env, currentDirectory: SimulatedLabBinaryTests.repository)
        }
        let built = try bootstrap("secret age-keygen; flux bootstrap --timeout 5m")
        XCTAssertEqual(built.status, 0, built.stderr)
        let repository = lab.file("git/root/srv/git/example/homelab.git")
        let head = try runProcess("/usr/bin/git", ["--git-dir", repository, "rev-parse", "main"])
        XCTAssertEqual(head.status, 0, head.stderr)

        lab.stop()
        try FileManager.default.removeItem(atPath: lab.file("env"))
        lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        XCTAssertTrue(lab.serving, "sim serve did not come up again")
        env = try lab.shellEnvironment(home: home, state: dir.file("state"))

        // The VMs are gone (docs/runbook.md), and with the control-plane VM the Kubernetes API
        // (ADR 0053): lab status and lab doctor say so, naming the VM (after `lab use`'s record).
        let useLab = #"lab use "scripts/homelab.yaml"; "#
        let status = try runProcess(
            BuiltBinary.hlsh, ["-c", useLab + "lab status | where layer == \"kubernetes\" | to json --compact"],
            environment: env, currentDirectory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(
            status.stdout.split(separator: "\n").last.map(String.init),
            #"[{"layer":"kubernetes","state":"missing","detail":"https://192.168.10.21:6443 does not answer: its VM k3s-cp-01 does not exist"}]"#,
            status.stderr)
        let doctor = try runProcess(
            BuiltBinary.hlsh, ["-c", useLab + #"lab doctor | where check == "kube context" | get state"#],
            environment: env, currentDirectory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(doctor.stdout.split(separator: "\n").last, "pending", doctor.stderr)

        // The bootstrap runs again up to Flux, which has nothing to push.
        let again = try bootstrap("flux bootstrap --timeout 5m | select target action status")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(again.stdout.contains(" push "), "a push of what the branch has: \(again.stdout)")
        XCTAssertTrue(again.stdout.contains(" sync "), again.stdout)
        let after = try runProcess("/usr/bin/git", ["--git-dir", repository, "rev-parse", "main"])
        XCTAssertEqual(after.stdout, head.stdout)
    }
}
