import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import LabSim
import Synchronization
import TestSupport
import XCTest

/// A simulated lab (`SimulatedLab`, fast timings) whose booted VMs answer on SSH, a HOME with an
/// SSH key, an inventory, and a way to run .hls against them in-process exactly as the binary does.
final class LabHarness {
    let lab: SimulatedLab
    var simulator: PVESimulator { lab.pve }
    /// The SSH servers of booted VMs, unless the harness was made without them.
    var nodes: SimulatedNodes? { lab.nodes }
    let home: TemporaryDirectory
    /// What the runs see; a test may change it (a wrong token, another endpoint).
    var environment: [String: String]
    var inventory: String

    /// - Parameter simulatedNodes: without them, nothing maps VM names to servers, so SSH goes
    ///   to the inventory's addresses (tests then give loopback ones).
    ///   `fluxFaults`: what the simulated Flux controllers are to fail.
    ///   `nodeMonitorGracePeriod`: how long a silent kubelet's Node stays Ready, in seconds (0: not at all).
    init(
        inventory: String? = nil, simulatedNodes: Bool = true, fluxFaults: FluxFaults = FluxFaults(),
        nodeMonitorGracePeriod: Double = 0
    ) throws {
        home = try TemporaryDirectory("hlsh-lab")
        let key = home.file(".ssh/id_ed25519")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test@hlsh", "-f", key])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        var options = SimulatedLab.Options(
            pve: .seedLab(rootPassword: "pw", tokenSecret: "11111111-2222-3333-4444-555555555555", timings: .fastTest),
            nodeImage: simulatedNodes ? .ubuntu : nil)
        options.pve.timings.nodeMonitorGracePeriod = nodeMonitorGracePeriod
        options.fluxFaults = fluxFaults
        // The harness's key is the GitHub account's (the user's `~/.ssh/*.pub` are, in a lab).
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        options.git?.accountKeys = [publicKey.split(separator: " ").prefix(2).joined(separator: " ")]
        // The lab's GitHub serves the simulated Flux release, and source-controller reaches it.
        options.git?.assets = {
            ["fluxcd/flux2/\(FluxRelease.version)/install.yaml": Array(FluxRelease.installYAML.utf8)]
        }
        let gitPort = GitPort()
        options.gitHosts = { gitPort.port.withLock { $0 }.map { ["github.com": $0] } ?? [:] }
        let made = try SimulatedLab.temporary(options, under: TemporaryDirectory.root)
        lab = made
        gitPort.port.withLock { $0 = made.git?.port }
        self.environment = lab.environment.merging([
            "HOME": home.path, "XDG_STATE_HOME": home.file("state"),
        ]) { _, new in new }
        self.inventory = ""
        try useInventory(inventory ?? LabHarness.shippedInventory)
    }

    deinit { lab.stop() }

    static var shippedInventory: String {
        let path = repository + "/scripts/homelab.yaml"
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Writes the inventory text to `homelab.yaml` in the harness's folder.
    func useInventory(_ text: String) throws {
        inventory = try home.write("homelab.yaml", text)
    }

    /// Runs code after `lab use` of the harness's inventory.
    func run(_ code: String, options: RunOptions = RunOptions()) -> (status: Int32, out: String, err: String) {
        runInProcess("let lab_in_use = (lab use \"\(inventory)\")\n" + code, environment: environment, options: options)
    }

    /// Runs a script of the repository (`scripts/…`, or an absolute path) as `hlsh FILE INVENTORY` does, on the
    /// harness's inventory; its path keys the `--resume` journal.
    func runScript(_ path: String, options: RunOptions = RunOptions()) -> (status: Int32, out: String, err: String) {
        runScriptInProcess(path, arguments: [inventory], environment: environment, options: options)
    }

    static var repository: String { repositoryPath }

    /// Phase 2 of the runbook on every VM of the inventory: created, reachable over SSH (host
    /// keys accepted), hardened, k3s installed, the kubeconfig merged into the lab's `KUBECONFIG`.
    func installCluster(file: StaticString = #filePath, line: UInt = #line) {
        for step in [
            "vm apply --all", "node wait all --for ssh --accept-new --timeout 60s --every 200ms", "node harden all",
            "node disks all", "node k3s all", "node kubeconfig",
        ] {
            let result = run(step)
            XCTAssertEqual(result.status, 0, "\(step): \(result.err)", file: file, line: line)
        }
    }

    var registry: Registry { Commands.registry() }

    /// The API writes (anything but GET) the simulator has served.
    var writes: [String] { simulator.requestLog.filter { !$0.hasPrefix("GET ") } }
}

/// The lab's git port, known once the lab runs, for the `gitHosts` of its options.
final class GitPort: Sendable {
    let port = Mutex<UInt16?>(nil)
}
