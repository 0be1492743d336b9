import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import LabSim
import Synchronization
import TestSupport
import XCTest

/// A simulated Proxmox cluster (fast tasks) whose booted VMs answer on SSH, a HOME with an SSH
/// key, an inventory, and a way to run .hls against them in-process exactly as the binary does.
final class LabHarness {
    let simulator: PVESimulator
    /// The SSH servers of booted VMs, unless the harness was made without them.
    let nodes: SimulatedNodes?
    let home: TemporaryDirectory
    /// What the runs see; a test may change it (a wrong token, another endpoint).
    var environment: [String: String]
    var inventory: String

    /// - Parameter simulatedNodes: without them, nothing maps VM names to servers, so SSH goes
    ///   to the inventory's addresses (tests then give loopback ones).
    init(inventory: String? = nil, simulatedNodes: Bool = true) throws {
        home = try TemporaryDirectory("hlsh-lab")
        let key = home.file(".ssh/id_ed25519")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test@hlsh", "-f", key])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        var config = PVESimulatorConfig.seedLab(rootPassword: "pw", tokenSecret: "11111111-2222-3333-4444-555555555555")
        config.cloneDuration = 0.2
        config.taskDuration = 0.1
        config.bootDelay = 0.3
        config.shutdownDuration = 0.1
        config.unauthorizedDelay = 0
        simulator = PVESimulator(config: config)
        let endpoint = try simulator.start(tls: .generate(directory: home.file("pve")))
        let simulator = simulator
        var environment = [String: String]()
        if simulatedNodes {
            let nodes = SimulatedNodes(directory: home.file("sim"), image: .ubuntu) { simulator.guests }
            try nodes.start()
            self.nodes = nodes
            environment["HLSH_SSH_CONFIG"] = nodes.sshConfigPath
            environment["HLSH_SIM_LOOPBACK_ONLY"] = "1"
        } else {
            nodes = nil
        }
        self.environment = environment.merging([
            "HOME": home.path, "PROXMOX_VE_ENDPOINT": endpoint.url, "XDG_STATE_HOME": home.file("state"),
            "PROXMOX_VE_API_TOKEN": "root@pam!hlsh=11111111-2222-3333-4444-555555555555",
            "HLSH_PVE_CA_FILE": endpoint.caPath ?? "",
        ]) { a, _ in a }
        self.inventory = ""
        try useInventory(inventory ?? LabHarness.shippedInventory)
    }

    deinit {
        nodes?.stop()
        simulator.stop()
    }

    static var shippedInventory: String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Writes the inventory text to `homelab.yaml` in the harness's folder.
    func useInventory(_ text: String) throws {
        inventory = try home.write("homelab.yaml", text)
    }

    /// Runs code after `lab use` of the harness's inventory.
    func run(_ code: String, options: RunOptions = RunOptions()) -> (status: Int32, out: String, err: String) {
        let out = Mutex("")
        let err = Mutex("")
        let context = ExecutionContext(
            options: options, environment: environment, out: { t in out.withLock { $0 += t } },
            err: { t in err.withLock { $0 += t } })
        let runner = ScriptRunner(
            interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
        let status = runner.run(
            SourceFile(name: "test.hls", text: "let lab_in_use = (lab use \"\(inventory)\")\n" + code), arguments: [],
            scriptPath: nil)
        return (status, out.withLock { $0 }, err.withLock { $0 })
    }

    var registry: Registry { Commands.registry() }

    /// The API writes (anything but GET) the simulator has served.
    var writes: [String] { simulator.requestLog.filter { !$0.hasPrefix("GET ") } }
}
