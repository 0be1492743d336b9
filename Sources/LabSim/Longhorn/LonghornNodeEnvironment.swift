import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What Longhorn's environment check (controller/monitor/environment_check_monitor.go) finds on
/// a node, read from the simulated node's root tree: the packages dpkg knows, the kernel
/// modules loaded, whether iscsid and multipathd run, and whether multipathd's configuration
/// blacklists the `sd` devices Longhorn's iSCSI volumes appear as.
struct LonghornNodeEnvironment: Sendable, Equatable {
    /// The packages Longhorn requires on Debian and Ubuntu that are missing (`dmsetup` comes
    /// with the server image, so only the others are looked up).
    var missingPackages: [String]
    /// Longhorn's kernel modules (iscsi_tcp for the iSCSI frontend, dm_crypt) not loaded.
    var unloadedModules: [String]
    var iscsidRunning: Bool
    /// multipathd runs and nothing blacklists `^sd`: it claims Longhorn's devices.
    var multipathdClaims: Bool

    static let packages = ["nfs-common", "open-iscsi", "cryptsetup", "dmsetup"]
    static let modules = ["iscsi_tcp", "dm_crypt"]

    /// The environment of the Kubernetes node `node`, whose root tree `root` gives (nil: a node
    /// the lab does not know, where nothing is installed).
    init(node: String, root: (String) -> String?) { self.init(root: root(node) ?? "/nonexistent") }

    init(root: String) {
        let fm = FileManager.default
        missingPackages = Self.packages.filter {
            $0 != "dmsetup" && !fm.fileExists(atPath: root + "/var/lib/hlsh-sim/dpkg/" + $0)
        }
        unloadedModules = Self.modules.filter { !fm.fileExists(atPath: root + "/sys/module/" + $0) }
        let units = root + NodeBoot.unitStatePath
        iscsidRunning = fm.fileExists(atPath: units + "/iscsid.service.active")
        let multipathd = fm.fileExists(atPath: units + "/multipathd.service.active")
        let configs =
            [root + "/etc/multipath.conf"]
            + ((try? fm.contentsOfDirectory(atPath: root + "/etc/multipath/conf.d")) ?? []).filter {
                $0.hasSuffix(".conf")
            }.map { root + "/etc/multipath/conf.d/" + $0 }
        let blacklisted = configs.contains { path in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.contains("blacklist") && text.contains("devnode \"^sd")
        }
        multipathdClaims = multipathd && !blacklisted
    }

    /// Why a volume's engine cannot attach its iSCSI frontend here, nil when it can: the
    /// message iscsiadm (or its absence) gives.
    var attachFailure: String? {
        if missingPackages.contains("open-iscsi") {
            return "failed to start engine: exec: \"iscsiadm\": executable file not found in $PATH"
        }
        if !iscsidRunning { return "failed to start engine: iscsiadm: can not connect to iSCSI daemon (111)!" }
        if unloadedModules.contains("iscsi_tcp") {
            return "failed to start engine: iscsiadm: Could not insert module tcp. Kmod error -2"
        }
        return nil
    }

    /// The environment check's conditions, as Longhorn words them.
    func conditions(old: [Document]) -> [Document] {
        let packages =
            missingPackages.isEmpty
            ? Longhorn.condition(
                "RequiredPackages", true, message: "All required packages \(Self.list(Self.packages)) are installed",
                old: old)
            : Longhorn.condition(
                "RequiredPackages", false, reason: "PackagesNotInstalled",
                message: "Missing packages: \(Self.list(missingPackages))", old: old)
        let modules =
            unloadedModules.isEmpty
            ? Longhorn.condition(
                "KernelModulesLoaded", true, message: "Kernel modules \(Self.list(Self.modules)) are loaded", old: old)
            : Longhorn.condition(
                "KernelModulesLoaded", false, reason: "KernelModulesNotLoaded",
                message: "Kernel modules \(Self.list(unloadedModules)) are not loaded", old: old)
        let multipath =
            multipathdClaims
            ? Longhorn.condition(
                "Multipathd", false, reason: "MultipathdIsRunning",
                message:
                    "multipathd is running with a known issue that affects Longhorn. See description and solution at https://longhorn.io/kb/troubleshooting-volume-with-multipath",
                old: old)
            : Longhorn.condition("Multipathd", true, old: old)
        return [packages, modules, multipath]
    }

    /// A list as Go's `%v` prints a slice: `[a b]`.
    static func list(_ items: [String]) -> String { "[" + items.joined(separator: " ") + "]" }
}
