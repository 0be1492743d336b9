public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A simulated node as a directory tree: what a fresh Ubuntu 24.04 VM built from the cloud image
/// looks like to the node scripts (`/etc`, `/proc`, `/sys`), plus stub system commands in
/// `usr/lib/hlsh-sim/bin` (`systemctl`, `journalctl`, `sysctl`, `modprobe`, `lsmod`, `swapoff`,
/// `nft`, `sshd`, `ss`, `apt-get`, `dpkg-query`, `curl`, `ip`, `sudo`, `apport`, `blkid`, `mkfs.ext4`,
/// `mount`, `findmnt`). Its disks are files, `dev/sdX`, holding what `blkid` finds on them, with
/// `dev/disk/by-id` links named after their PVE slots. A simulated node
/// runs with this tree as `/` (`NodeNamespace`), so scripts there act on it as on a real VM. Unit
/// tests run a script on the host instead, with `HLSH_ROOT` set to `path` and the stub directory
/// first in `PATH` (`environment(inheriting:)`).
///
/// The stubs are written from the real tools' behaviour (docs/adr/0008): each logs its argv to
/// `var/log/hlsh-sim.log` and its environment to `var/log/hlsh-sim.env`, keeps the machine's
/// state under the tree (`proc/sys`, `proc/swaps`, `sys/module` as the kernel would; units,
/// packages and nftables tables under `var/lib/hlsh-sim`), and finds the tree from its own path,
/// or from `/` inside a simulated node, so it can never touch the real system.
public struct SimulatedNodeRoot: Sendable {
    /// The machine the tree describes.
    public struct Machine: Sendable, Equatable {
        public var hostname = "k3s-cp-01"
        public var interface = "eth0"
        /// With prefix, as `ip addr` shows it.
        public var address = "192.168.10.21/24"
        public var cpus = 4
        public var memoryBytes: Int64 = 8 << 30
        /// Whole disks: kernel name, size in bytes, and the PVE slot it sits in (`scsi1`), which
        /// names its `/dev/disk/by-id` link as udev does for a QEMU SCSI disk.
        public var disks: [(name: String, bytes: Int64, slot: String)] = [
            ("sda", 50 << 30, "scsi0"), ("sdb", 100 << 30, "scsi1"),
        ]
        /// A server-ISO-style `/swap.img`, active and in fstab (cloud images have none).
        public var swapFile = true
        public var kernel = "6.8.0-52-generic"
        public var uptimeSeconds = 4242

        public init() {}

        public static func == (a: Machine, b: Machine) -> Bool {
            a.hostname == b.hostname && a.interface == b.interface && a.address == b.address && a.cpus == b.cpus
                && a.memoryBytes == b.memoryBytes && a.disks.elementsEqual(b.disks, by: ==)
                && a.swapFile == b.swapFile && a.kernel == b.kernel && a.uptimeSeconds == b.uptimeSeconds
        }
    }

    /// The tree's root: the value for `HLSH_ROOT`.
    public let path: String

    /// The stub commands, to put first in `PATH`.
    public var binDirectory: String { path + Self.nodeBinDirectory }
    /// The stub commands as a simulated node sees them.
    public static let nodeBinDirectory = "/usr/lib/hlsh-sim/bin"
    /// One line per stub invocation: the command name and its arguments.
    public var commandLogPath: String { path + "/var/log/hlsh-sim.log" }
    /// Each stub invocation's full environment, after a `--- NAME` line.
    public var environmentLogPath: String { path + "/var/log/hlsh-sim.env" }
    /// The stubs' machine state (units, packages, nftables tables, faults).
    public var stateDirectory: String { path + "/var/lib/hlsh-sim" }

    /// Lays a fresh machine down at `path` (created if needed; existing files are overwritten).
    @discardableResult
    public static func install(at path: String, machine: Machine = Machine()) throws(HLSError) -> SimulatedNodeRoot {
        let root = SimulatedNodeRoot(path: path)
        do {
            for (name, bytes) in NodeStubs.commands {
                try root.write("usr/lib/hlsh-sim/bin/\(name)", bytes, mode: 0o755)
            }
            try root.write("usr/lib/hlsh-sim/k3s-install.sh", NodeStubs.k3sInstaller, mode: 0o644)
            try root.write("usr/lib/hlsh-sim/k3s-binary.sh", NodeStubs.k3sBinary, mode: 0o644)
            for (file, text) in NodeImage.files(machine) {
                try root.write(file, Array(text.utf8), mode: file.hasPrefix("etc/ssh/ssh_host") ? 0o600 : 0o644)
            }
            for directory in NodeImage.directories {
                try FileManager.default.createDirectory(
                    atPath: "\(path)/\(directory)", withIntermediateDirectories: true)
            }
            for (link, disk) in NodeImage.diskLinks(machine) {
                try? FileManager.default.removeItem(atPath: "\(path)/\(link)")
                try FileManager.default.createSymbolicLink(atPath: "\(path)/\(link)", withDestinationPath: disk)
            }
        } catch let error as HLSError {
            throw error
        } catch {
            throw HLSError(
                .failed, "cannot lay down a simulated node at \(path)", hint: "check that the directory is writable",
                cause: "\(error)")
        }
        return root
    }

    public init(path: String) { self.path = path }

    /// `base` with `HLSH_ROOT` set to this tree and the stubs first in `PATH`.
    public func environment(inheriting base: [String: String]) -> [String: String] {
        var environment = base
        environment["HLSH_ROOT"] = path
        environment["PATH"] = binDirectory + ":" + (base["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    /// The stub invocations so far, one `name arg…` line each.
    public func commandLog() -> [String] {
        guard let text = try? String(contentsOfFile: commandLogPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Makes the machine fail `name` from now on: `nft-check` (every `nft -c`), `apt` (every
    /// `apt-get`), `apt-lists-lock` (an apt-daily run holds the lists lock for `detail` seconds,
    /// default 5), `curl` (the k3s installer unreachable), `k3s-token` (the server rejects the
    /// agent's join token: k3s-agent never becomes ready), `modprobe-MODULE`.
    public func injectFault(_ name: String, detail: String = "") throws(HLSError) {
        try write("var/lib/hlsh-sim/faults/\(name)", Array(detail.utf8), mode: 0o644)
    }

    /// Puts what `blkid -p -o export` would report on a disk (`sdb`) there, as another system
    /// left it: `["TYPE=xfs", "UUID=…"]` for a file system, `["PTTYPE=gpt", …]` for a partition table.
    public func injectDiskContents(_ disk: String, _ lines: [String]) throws(HLSError) {
        try write("dev/\(disk)", Array(lines.map { $0 + "\n" }.joined().utf8), mode: 0o660)
    }

    /// Simulates an older OpenSSH: `sshd -t` accepts only these KexAlgorithms.
    public func setSupportedKexAlgorithms(_ names: [String]) throws(HLSError) {
        try write("var/lib/hlsh-sim/sshd-kex", Array(names.joined(separator: "\n").utf8), mode: 0o644)
    }

    /// Whether the simulated systemd has `unit` running.
    public func isActive(_ unit: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(stateDirectory)/systemd/\(unit).active")
    }

    /// Whether the simulated systemd starts `unit` at boot.
    public func isEnabled(_ unit: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(stateDirectory)/systemd/\(unit).enabled")
    }

    /// The nftables tables loaded in the simulated kernel, as `FAMILY-NAME`.
    public func nftablesTables() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/nft")) ?? []).sorted()
    }

    /// Writes `bytes` to `relative` under the tree, creating directories, with `mode`.
    public func write(_ relative: String, _ bytes: [UInt8], mode: Int) throws(HLSError) {
        let full = "\(path)/\(relative)"
        do {
            try FileManager.default.createDirectory(
                atPath: FilePaths.directory(of: full), withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: full))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        } catch {
            throw HLSError(.failed, "cannot write \(full)", cause: "\(error)")
        }
    }
}

/// The stub commands and the simulated k3s, as compiled in from `Sources/LabSim/Node`.
enum NodeStubs {
    static let commands: [(String, [UInt8])] = [
        ("hlsh-sim.sh", PackageResources.hlsh_sim_sh),
        ("apt-get", PackageResources.apt_get),
        ("curl", PackageResources.curl),
        ("dpkg-query", PackageResources.dpkg_query),
        ("ip", PackageResources.ip),
        ("modprobe", PackageResources.modprobe),
        ("nft", PackageResources.nft),
        ("sshd", PackageResources.sshd),
        ("sudo", PackageResources.sudo),
        ("swapoff", PackageResources.swapoff),
        ("swapon", PackageResources.swapon),
        ("sysctl", PackageResources.sysctl),
        ("systemctl", PackageResources.systemctl),
        ("journalctl", PackageResources.journalctl),
        ("ss", PackageResources.ss),
        ("lsmod", PackageResources.lsmod),
        ("apport", PackageResources.apport),
        ("nft-json.awk", PackageResources.nft_json_awk),
        ("blkid", PackageResources.blkid),
        ("mkfs.ext4", PackageResources.mkfs_ext4),
        ("mount", PackageResources.mount),
        ("findmnt", PackageResources.findmnt),
    ]
    static var k3sInstaller: [UInt8] { PackageResources.k3s_install_sh }
    static var k3sBinary: [UInt8] { PackageResources.k3s_binary_sh }
}
