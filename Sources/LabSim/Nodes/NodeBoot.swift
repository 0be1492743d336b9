import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A simulated machine's boots, as files of its root tree: the kernel's boot id
/// (`/proc/sys/kernel/random/boot_id`, new at every boot; the kubelet reports it as the Node's
/// `status.nodeInfo.bootID`), a reboot the machine asked for (the simulated `systemctl reboot`
/// leaves `/var/lib/hlsh-sim/reboot-requested`), and systemd's units going down with the machine
/// and the enabled ones starting again when it is back.
enum NodeBoot {
    static let bootIDPath = "/proc/sys/kernel/random/boot_id"
    static let rebootRequestPath = "/var/lib/hlsh-sim/reboot-requested"
    /// The simulated systemctl's markers: `UNIT.enabled`, `UNIT.active`, `UNIT.activating`.
    static let unitStatePath = "/var/lib/hlsh-sim/systemd"
    /// How long a rebooting machine stays down (no SSH, no units): long enough for the kubelets'
    /// pass (every 200 ms) to see the Node go NotReady.
    static let downtime = Duration.seconds(1)

    /// Gives the machine a fresh boot id: it has just booted. A reboot asked for before it went
    /// down (a VM stopped before the simulator took the request) is gone with the old boot.
    static func booted(root: String) {
        let path = root + bootIDPath
        try? FileManager.default.createDirectory(
            atPath: FilePaths.directory(of: path), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: path, contents: Data((UUID().uuidString.lowercased() + "\n").utf8))
        try? FileManager.default.removeItem(atPath: root + rebootRequestPath)
    }

    /// `/proc/uptime`: seconds since the machine booted, then the idle seconds of its CPUs, as
    /// the kernel writes it (`facts.sh` reads the first).
    static func writeUptime(root: String, seconds: Int, cpus: Int) {
        _ = FileManager.default.createFile(
            atPath: root + "/proc/uptime", contents: Data("\(seconds).00 \(seconds * max(1, cpus)).00\n".utf8))
    }

    /// The machine's boot id, nil before its first boot.
    static func bootID(root: String) -> String? {
        (try? String(contentsOfFile: root + bootIDPath, encoding: .utf8))?.trimmingWhitespace()
    }

    static func rebootRequested(root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + rebootRequestPath)
    }

    /// The machine goes down: the request is taken, and every unit stops.
    static func shutDown(root: String) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: root + rebootRequestPath)
        let units = root + unitStatePath
        for marker in (try? fm.contentsOfDirectory(atPath: units)) ?? []
        where marker.hasSuffix(".active") || marker.hasSuffix(".activating") {
            try? fm.removeItem(atPath: units + "/" + marker)
        }
    }

    /// The machine is back: systemd starts its enabled units, here through the node's simulated
    /// systemctl inside the node (`systemctl --no-block start UNIT…`, in the background), so each
    /// runs its ExecStart and ends active, failed or activating as it would on a real boot.
    static func startEnabledUnits(_ node: NodeNamespace, path: String) {
        let fm = FileManager.default
        let units = ((try? fm.contentsOfDirectory(atPath: node.root + unitStatePath)) ?? []).sorted()
            .filter { $0.hasSuffix(".enabled") }.map { String($0.dropLast(".enabled".count)) }
        let systemctl = SimulatedNodeRoot.nodeBinDirectory + "/systemctl"
        guard !units.isEmpty, fm.isExecutableFile(atPath: node.root + systemctl),
            let arguments = try? node.arguments(running: [systemctl, "--no-block", "start"] + units)
        else { return }
        Threads.detach {
            _ = try? ChildProcess(NodeNamespace.bwrap, arguments, environment: ["PATH": path], tethered: true).wait()
        }
    }
}
