public import HLSCore
import LabSim

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A simulated lab inside this process for `hlsh --sim`: the PVE API over HTTPS on a loopback
/// port with its own CA, an SSH server per booted VM, and the environment that points hlsh's
/// clients at them (`HLSH_SSH_CONFIG` names the ssh_config that maps VM names to the servers).
public final class SimulatedLab: Sendable {
    let simulator: PVESimulator
    let nodes: SimulatedNodes
    /// `PROXMOX_VE_*` and `HLSH_PVE_*` variables for the clients.
    public let environment: [String: String]
    public let directory: String
    /// Whether `stop()` removes `directory` (a temporary lab's).
    let removesDirectory: Bool

    /// A lab in a fresh directory `hlsh-sim-PID` of the temporary directory, removed by `stop()`
    /// once the lab has stopped (or at once when the lab cannot start).
    public static func temporary() throws(HLSError) -> SimulatedLab {
        let dir = FileManager.default.temporaryDirectory.path + "/hlsh-sim-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot create \(dir)", cause: "\(error)")
        }
        do throws(HLSError) {
            return try SimulatedLab(directory: dir, removesDirectory: true)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    /// Starts the simulated Proxmox VE cluster of the seed lab (pve1 and pve2, the Ubuntu
    /// 24.04 template on each), with tasks short enough for a demo.
    public init(directory: String, removesDirectory: Bool = false) throws(HLSError) {
        self.removesDirectory = removesDirectory
        let token = UUID().uuidString.lowercased()
        var config = PVESimulatorConfig.seedLab(rootPassword: UUID().uuidString, tokenSecret: token)
        config.cloneDuration = 2
        config.taskDuration = 0.5
        config.bootDelay = 3
        config.shutdownDuration = 1
        config.unauthorizedDelay = 0.5
        simulator = PVESimulator(config: config)
        let endpoint = try simulator.start(tls: .generate(directory: directory))
        self.directory = directory
        var env = [
            "PROXMOX_VE_ENDPOINT": endpoint.url,
            "PROXMOX_VE_API_TOKEN": "root@pam!hlsh=\(token)",
            "PROXMOX_VE_INSECURE": "false",
        ]
        if let ca = endpoint.caPath { env["HLSH_PVE_CA_FILE"] = ca }
        // Set even beside the CA: it must win over a real lab's `proxmox.fingerprint` in the inventory.
        if let fingerprint = endpoint.fingerprint { env["HLSH_PVE_FINGERPRINT"] = fingerprint }
        let simulator = simulator
        nodes = SimulatedNodes(directory: directory, image: .ubuntu) { simulator.guests }
        env["HLSH_SSH_CONFIG"] = nodes.sshConfigPath
        env["HLSH_SIM_LOOPBACK_ONLY"] = "1"
        environment = env
        do throws(HLSError) {
            try nodes.start()
        } catch {
            simulator.stop()
            throw error
        }
    }

    /// Stops the nodes and the API, then removes a temporary lab's directory.
    public func stop() {
        nodes.stop()
        simulator.stop()
        if removesDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
