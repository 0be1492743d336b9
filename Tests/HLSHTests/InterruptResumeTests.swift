import Foundation
import TestSupport
import XCTest

/// Ctrl-C in the middle of a phase, as a user presses it: `hlsh sim serve --dir DIR` in one shell
/// (the lab outlives the client), the phase script run by the built binary in another, SIGINT to
/// it while a write is under way. It exits 130 saying what was interrupted, and the rerun
/// converges with nothing made twice.
final class InterruptResumeTests: XCTestCase {
    /// Ctrl-C while the first VM is being cloned (its clone task slowed to a few seconds): the
    /// task runs on in Proxmox, so the rerun meets a VM that is still `lock: clone` with no name
    /// yet at the inventory's VMID. It waits for that clone, then configures and starts the VM
    /// it made: one VM per inventory entry.
    func testCtrlCDuringVMApplyMidCloneAndTheRerunMakesOneVMPerEntry() throws {
        let served = try BootstrapRunbookTests.Served()
        defer { served.lab.stop() }
        let (dir, env) = (served.dir, served.env)
        let pve = try SimulatedPVE(env)
        try pve.arm(#"{"kind":"slow-tasks","type":"qmclone","seconds":6,"count":1}"#)

        let runbook = try runbook(through: ["1 provision VMs": "1-vms.hls"], in: dir)
        let interrupted = try interrupt(runbook, environment: env, log: dir.file("interrupted.log")) { _ in
            try pve.vms().map(\.description) == ["201  stopped clone"]
        }
        XCTAssertTrue(interrupted.contains("the task keeps running on pve1"), interrupted)
        XCTAssertTrue(interrupted.contains("✗ phase 1 provision VMs failed after"), interrupted)
        XCTAssertTrue(interrupted.contains("/scripts/phases/1-vms.hls:14:1 (vm apply)"), "the step: \(interrupted)")
        XCTAssertEqual(try pve.vms().map(\.description), ["201  stopped clone"], "the clone runs on: \(interrupted)")

        let rerun = try runProcess(BuiltBinary.hlsh, ["--resume", runbook], environment: env)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("waiting for the clone into VM 201 on pve1"), rerun.stderr)
        let vms = try pve.vms()
        XCTAssertEqual(vms.map(\.vmid), [201, 202], "one VM per inventory entry: \(vms)")
        XCTAssertEqual(vms.map(\.name), ["k3s-cp-01", "k3s-wk-01"])
        XCTAssertEqual(vms.map(\.status), ["running", "running"])
        XCTAssertEqual(vms.compactMap(\.lock), [])
        let again = try runProcess(
            BuiltBinary.hlsh, ["-c", #"lab use "\#(Self.scripts)/homelab.yaml" | get name; vm apply --all | count"#],
            environment: env)
        XCTAssertEqual(again.stdout, "homelab\n0\n", "converged: \(again.stderr)")
    }

    static var scripts: String { SimulatedLabBinaryTests.repository + "/scripts" }

    /// A runbook in `dir` with the repository's inventory and the given phases of
    /// scripts/bootstrap.hls (name → script under scripts/phases/), in order of name.
    func runbook(through phases: [String: String], in dir: TemporaryDirectory) throws -> String {
        let lines =
            [#"lab use "\#(Self.scripts)/homelab.yaml""#]
            + phases.sorted { $0.key < $1.key }.map {
                #"phase "\#($0.key)" { source "\#(Self.scripts)/phases/\#($0.value)" }"#
            }
        return try dir.write("bootstrap.hls", lines.joined(separator: "\n") + "\n")
    }

    /// Ctrl-C twice in phase 3, then `--resume`. First while flux bootstrap waits for its deploy
    /// key to be registered (no GITHUB_TOKEN: it printed the key for the user to add); then, with
    /// the token, as soon as its commit of the sync manifests is on main (bootstrap then installs
    /// Flux and waits for it). Each run exits 130 naming the phase and leaves no temporary
    /// checkout (with the deploy key's private half) behind; the resumed run converges with one
    /// deploy key, one commit of each kind on main and the scaffold pushed once.
    func testCtrlCDuringFluxBootstrapAndTheResumedRunPushesAndRegistersOnce() throws {
        let served = try BootstrapRunbookTests.Served()
        defer { served.lab.stop() }
        let runbook = try runbook(
            through: [
                "1 provision VMs": "1-vms.hls", "2 harden the OS and install k3s": "2-k3s.hls",
                "3 Flux and the GitOps repository": "3-flux.hls",
            ], in: served.dir)
        let temporary = served.dir.file("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        var env = served.env
        env["TMPDIR"] = temporary
        let repository = served.lab.file("git/root/srv/git/example/homelab.git")
        let git = { (arguments: [String]) in
            try runProcess(
                "/usr/bin/git", ["--git-dir", repository] + arguments, environment: ["PATH": "/usr/bin:/bin"])
        }

        var withoutToken = env
        withoutToken["GITHUB_TOKEN"] = nil
        let waiting = try interrupt(runbook, environment: withoutToken, log: served.dir.file("key.log")) { log in
            log.contains("waiting until the git host accepts it")
        }
        XCTAssertTrue(waiting.contains("✓ phase 2 harden the OS and install k3s"), waiting)
        XCTAssertTrue(waiting.contains("✗ phase 3 Flux and the GitOps repository failed after"), waiting)
        XCTAssertTrue(waiting.contains("/scripts/phases/3-flux.hls:16:1 (flux bootstrap)"), "the step: \(waiting)")
        XCTAssertEqual(try git(["rev-parse", "-q", "--verify", "main"]).stdout, "", "nothing pushed yet")

        let installing = try interrupt(
            runbook, arguments: ["--resume"], environment: env, log: served.dir.file("install.log")
        ) { _ in
            try git(["rev-parse", "-q", "--verify", "main"]).status == 0
        }
        XCTAssertTrue(installing.contains("✗ phase 3 Flux and the GitOps repository failed after"), installing)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: temporary), [], "no temporary checkout is left")

        let resumed = try runProcess(BuiltBinary.hlsh, ["--resume", runbook], environment: env)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("↷ phase 2 harden the OS and install k3s: skipped"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("✓ phase 3 Flux and the GitOps repository"), resumed.stderr)
        let keys = try String(contentsOfFile: served.lab.file("git/server/handed/authorized_keys"), encoding: .utf8)
        XCTAssertEqual(
            keys.split(separator: "\n").filter { $0.contains("git-gate.sh 'example/homelab' ro") }.count, 1,
            "one deploy key: \(keys)")
        let subjects = try git(["log", "--format=%s", "main"]).stdout.split(separator: "\n")
        XCTAssertEqual(subjects.count, 2, "one commit of the sync manifests, one of the scaffold: \(subjects)")
        XCTAssertEqual(subjects.first, "Scaffold the GitOps tree with hlsh flux scaffold")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [])
        let secrets = try runProcess(
            BuiltBinary.hlsh, ["-c", "kube get secrets -n flux-system | get name | to json --compact"],
            environment: env)
        XCTAssertEqual(
            secrets.stdout, #"["flux-system","sops-age"]"# + "\n", "no second key's Secret: \(secrets.stderr)")
    }
}

extension XCTestCase {
    /// Runs `hlsh ARGUMENTS RUNBOOK` in the background, sends it SIGINT once `ready` holds (it
    /// gets what the run printed so far), and checks that it exits 130 saying it was
    /// interrupted; what it printed.
    func interrupt(
        _ runbook: String, arguments: [String] = [], environment: [String: String], log: String,
        file: StaticString = #filePath, line: UInt = #line, when ready: (String) throws -> Bool
    ) throws -> String {
        let hlsh = try SpawnedProcess(
            BuiltBinary.hlsh, arguments + [runbook], environment: environment, stdoutPath: log, stderrPath: nil,
            append: false)
        addTeardownBlock { hlsh.kill() }
        try waitUntil(timeout: 120, "the moment to press Ctrl-C", log: log) {
            try ready((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        kill(hlsh.pid, SIGINT)
        let status = hlsh.wait()
        let printed = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(status, 130, printed, file: file, line: line)
        XCTAssertTrue(printed.contains("interrupted"), printed, file: file, line: line)
        return printed
    }

    func waitUntil(timeout: TimeInterval, _ what: String, log: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTFail("timed out waiting for \(what); hlsh printed:\n\(printed)")
        throw XCTSkip("precondition not met")
    }
}

/// The simulated PVE API of a `sim serve` lab, reached with curl as a third party: its
/// guests as `/cluster/resources` lists them, and its fault surface (`/_sim/faults`).
struct SimulatedPVE {
    let endpoint: String
    let token: String

    struct VM: CustomStringConvertible {
        var vmid: Int
        var name: String
        var status: String
        var lock: String?
        var description: String { "\(vmid) \(name) \(status) \(lock ?? "")" }
    }

    init(_ environment: [String: String]) throws {
        endpoint = try XCTUnwrap(environment["PROXMOX_VE_ENDPOINT"]).trimmingCharacters(in: ["/"])
        token = try XCTUnwrap(environment["PROXMOX_VE_API_TOKEN"])
    }

    /// Arms a fault (`PVEFaultInjector.parse`'s JSON).
    func arm(_ fault: String) throws {
        let run = try runProcess(
            "/usr/bin/curl",
            [
                "-sfk", "-X", "POST", "-H", "Content-Type: application/json", "-d", fault,
                endpoint + "/_sim/faults",
            ])
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    /// The VMs that are not templates, by VMID.
    func vms() throws -> [VM] {
        let run = try runProcess(
            "/usr/bin/curl",
            ["-sfk", "-H", "Authorization: PVEAPIToken=\(token)", endpoint + "/api2/json/cluster/resources?type=vm"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let rows = document?["data"] as? [[String: Any]] ?? []
        return rows.filter { ($0["template"] as? Int) != 1 }.map {
            VM(
                vmid: $0["vmid"] as? Int ?? 0, name: $0["name"] as? String ?? "", status: $0["status"] as? String ?? "",
                lock: $0["lock"] as? String)
        }.sorted { $0.vmid < $1.vmid }
    }
}
