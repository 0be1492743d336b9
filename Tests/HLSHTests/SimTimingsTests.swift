import Foundation
import TestSupport
import XCTest

/// `HLSH_SIM_TIMINGS` picks how long the simulated lab's tasks and boots take, for `hlsh sim
/// serve` (default: a real cluster's) and `hlsh --sim` (default: the demo's).
final class SimTimingsTests: XCTestCase {
    /// With `test`, a VM's guest agent answers within seconds: with the default timings it boots
    /// after 20 s.
    func testTheTestTimingsBootAServedLabsVMInSeconds() throws {
        let served = try BootstrapRunbookTests.Served()  // sim serve with SimServe.testTimings
        defer { served.lab.stop() }
        let run = try served.hlsh([
            "-c",
            #"lab use "scripts/homelab.yaml" | count; vm apply k3s-cp-01 | count; vm wait k3s-cp-01 --for agent --timeout 8s --every 100ms | count"#,
        ])
        XCTAssertEqual(run.status, 0, "the VM booted within 8 s: \(run.stderr)")
    }

    /// With `zero`, a started VM's guest agent answers at once: one check, no wait.
    func testTheZeroTimingsBootAVMAtOnce() throws {
        let dir = try TemporaryDirectory("hlsh-sim-timings")
        let home = try dir.userHome()
        let lab = try SimServe(directory: dir.file("lab"), home: home, environment: ["HLSH_SIM_TIMINGS": "zero"])
        defer { lab.stop() }
        XCTAssertTrue(lab.serving, "sim serve started with HLSH_SIM_TIMINGS=zero")
        let run = try runProcess(
            BuiltBinary.hlsh,
            [
                "-c",
                #"lab use "scripts/homelab.yaml" | count; vm apply k3s-cp-01 | count; vm wait k3s-cp-01 --for agent --timeout 0s | count"#,
            ],
            environment: try lab.shellEnvironment(home: home, state: dir.file("state")),
            currentDirectory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(run.status, 0, "the guest agent answered at the first check: \(run.stderr)")
    }

    func testAnUnknownNameIsRefusedNamingThePresets() throws {
        let dir = try TemporaryDirectory("hlsh-sim-timings")
        let slow = ["HLSH_SIM_TIMINGS": "slow"]
        let lab = try SimServe(directory: dir.file("lab"), home: dir.path, environment: slow)
        defer { lab.stop() }
        XCTAssertFalse(lab.serving, "sim serve started with HLSH_SIM_TIMINGS=slow")
        let run = try runProcess(
            BuiltBinary.hlsh, ["--sim", "-c", "echo hi"],
            environment: slow.merging(["HOME": dir.path, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]) { $1 })
        XCTAssertNotEqual(run.status, 0, run.stdout)
        XCTAssertTrue(run.stderr.contains("HLSH_SIM_TIMINGS=slow"), run.stderr)
        XCTAssertTrue(run.stderr.contains("proxmox, demo, test, zero"), "the presets are named: \(run.stderr)")
        XCTAssertFalse(run.stdout.contains("hi"), "--sim ran without its lab: \(run.stdout)")
    }
}
