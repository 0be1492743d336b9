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
        let dir = try TemporaryDirectory("hlsh-int-vm")
        let home = try dir.userHome()
        let lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
        defer { lab.stop() }
        XCTAssertTrue(lab.serving, "sim serve did not come up")
        let env = try lab.shellEnvironment(home: home, state: dir.file("state"))
        let pve = try SimulatedPVE(env)
        try pve.arm(#"{"kind":"slow-tasks","type":"qmclone","seconds":6,"count":1}"#)

        let runbook = try runbook(through: ["1 provision VMs": "1-vms.hls"], in: dir)
        let log = dir.file("interrupted.log")
        let hlsh = try SpawnedProcess(
            BuiltBinary.hlsh, [runbook], environment: env, stdoutPath: log, stderrPath: nil, append: false)
        addTeardownBlock { hlsh.kill() }
        try waitUntil(timeout: 30, "the clone of k3s-cp-01 under way", log: log) {
            try pve.vms().map(\.description) == ["201  stopped clone"]
        }
        kill(hlsh.pid, SIGINT)
        let status = hlsh.wait()
        let interrupted = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(status, 130, interrupted)
        XCTAssertTrue(interrupted.contains("interrupted"), interrupted)
        XCTAssertTrue(interrupted.contains("the task keeps running on pve"), interrupted)
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
