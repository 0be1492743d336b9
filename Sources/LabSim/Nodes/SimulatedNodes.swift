import Dispatch
public import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The simulated lab's machines: one SSH server per booted VM, each inside namespaces of its own
/// whose `/` is a directory tree, the VM's root file system (`NodeNamespace`). It follows the PVE
/// simulator's guests — a VM that boots gets its server, a VM that stops loses it, a destroyed or
/// recreated VM loses its disk (root tree and host key), a disk taken from a running VM loses its
/// devices (`NodeHotplug`) — and keeps `DIR/ssh_config` describing how to reach each one:
///
///     Host k3s-cp-01 192.168.10.21
///         HostName 127.0.0.1
///         Port 40321
///         User <you>
///         UserKnownHostsFile DIR/known_hosts
///
/// so any SSH client (`ssh -F DIR/ssh_config k3s-cp-01`, or hlsh through `HLSH_SSH_CONFIG`)
/// reaches a VM by its name or inventory address. The known_hosts file starts empty: like a
/// freshly cloned VM, a node's host key is new and must be accepted on first contact.
public final class SimulatedNodes: Sendable {
    /// How a node's root tree is made and which `PATH` its sessions get.
    public struct Image: Sendable {
        /// Lays down a fresh VM's file system under the given root (an empty directory).
        public var install: @Sendable (_ root: String, _ guest: SimulatedGuest) throws(HLSError) -> Void
        /// The sessions' `PATH`, as the node sees it (the argument, the tree on the host, is
        /// not part of it): the node's own commands first.
        public var path: @Sendable (_ root: String) -> String

        public init(
            install: @escaping @Sendable (_ root: String, _ guest: SimulatedGuest) throws(HLSError) -> Void,
            path: @escaping @Sendable (_ root: String) -> String
        ) {
            self.install = install
            self.path = path
        }

        /// A fresh Ubuntu 24.04 cloud-image VM of the guest's size (`SimulatedNodeRoot`): its
        /// files, and stand-ins for the system commands the node scripts call, first in `PATH`.
        public static let ubuntu = Image(
            install: { root, guest throws(HLSError) in
                var machine = SimulatedNodeRoot.Machine()
                machine.hostname = guest.name
                machine.address = "\(guest.address ?? "10.0.2.15")/\(guest.prefixLength)"
                machine.cpus = guest.cpus
                machine.memoryBytes = guest.memory
                // Cloud images have no swap file.
                machine.swapFile = false
                if !guest.diskSizes.isEmpty {
                    machine.disks = zip(guest.diskSizes, guest.diskSlots).enumerated().map { index, disk in
                        ("sd" + String(UnicodeScalar(UInt8(97 + min(index, 25)))), disk.0, disk.1)
                    }
                }
                _ = try SimulatedNodeRoot.install(at: root, machine: machine)
            },
            path: { _ in "\(SimulatedNodeRoot.nodeBinDirectory):\(standardPath)" })

        /// Empty directories and the host's own commands: enough for `true` and `echo`.
        public static let bare = Image(
            install: { root, _ throws(HLSError) in
                for dir in ["etc", "root", "tmp", "var/log"] {
                    try? FileManager.default.createDirectory(
                        atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
                }
            }, path: { _ in standardPath })

        /// Ubuntu's `PATH` for a login.
        static let standardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    }

    public let directory: String
    public var sshConfigPath: String { directory + "/ssh_config" }
    public var knownHostsPath: String { directory + "/known_hosts" }

    private let guests: @Sendable () -> [SimulatedGuest]
    private let image: Image
    private let handing: @Sendable (SimulatedGuest) -> [(String, String)]
    private struct Node {
        var instance: String
        var server: SimulatedNodeServer?
        var guest: SimulatedGuest
        /// When the machine went down for a reboot it asked for (`NodeBoot`); nil when not rebooting.
        var rebootingSince: ContinuousClock.Instant?
        /// The SSH port it last listened on: a machine that boots again keeps its address.
        var port: UInt16?
        /// When the machine last booted, and the uptime last written to its `/proc/uptime`
        /// (rewritten once a second at most, as passes come).
        var bootedAt: ContinuousClock.Instant?
        var uptimeWritten = -1
    }
    private let nodes = Mutex<[String: Node]>([:])
    private let problems = Mutex<[String: String]>([:])
    private let stopping = Atomic<Bool>(false)
    /// Serializes `reconcile` passes (the watcher's and a caller's).
    private let pass = Mutex<Void>(())
    /// A machine's boot (its root tree, host key and sshd) runs on a thread of its own, as VMs
    /// boot side by side on their hosts: a pass starts it and goes on, so a VM started a moment
    /// after another is not held up by its boot. The boots under way, by guest name and
    /// instance, until a pass takes what they left in `landed`.
    private let underWay = Mutex<[String: String]>([:])
    private let landed = Mutex<[Landed]>([])
    private let boots = DispatchGroup()
    private struct Landed {
        var name: String
        var instance: String
        var fresh: Bool
        /// Back from a reboot: systemd starts its enabled units once sshd is up.
        var startsUnits: Bool
        var server: Result<SimulatedNodeServer, HLSError>
    }
    /// The time between the watcher's passes.
    private let every: Duration

    /// The time between the passes of the nodes and of their kubelets: 200 ms, and 20 ms for the
    /// `zero` timings (a requeue scale of 0.01 or less), which thus see a booted VM's sshd, or a
    /// started k3s's Node, 10 times sooner; the other presets, the tests' among them, as before
    /// (docs/adr/0052).
    public static func passInterval(requeueScale: Double) -> Duration {
        requeueScale > 0.01 ? .milliseconds(200) : .milliseconds(20)
    }

    /// - Parameters:
    ///   - directory: where `ssh_config`, `known_hosts` and `nodes/NAME/` go.
    ///   - guests: the cluster's guests now (usually `PVESimulator.guests`).
    ///   - handing: more files (name, text) a node finds read-only in `/run/hlsh-sim` when it
    ///     boots, besides its name and authorized keys (the simulated k3s's kubeconfig).
    ///   - every: the time between the watcher's passes (`passInterval`).
    public init(
        directory: String, image: Image = .bare,
        handing: @escaping @Sendable (SimulatedGuest) -> [(String, String)] = { _ in [] },
        every: Duration = .milliseconds(200), guests: @escaping @Sendable () -> [SimulatedGuest]
    ) {
        self.every = every
        self.directory = directory
        self.image = image
        self.handing = handing
        self.guests = guests
    }

    /// Follows the guests in the background (a pass every `every`, 200 ms by default) until `stop`.
    public func start() throws(HLSError) {
        try reconcile()
        Threads.detach { [self] in
            while !stopping.load(ordering: .acquiring) {
                try? follow()
                Threads.sleep(for: every)
            }
        }
    }

    /// Stops following and stops every node's SSH server. Node trees stay on disk.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        boots.wait()
        pass.withLock { _ in
            let all = nodes.withLock { n in
                defer { n.removeAll() }
                return n
            }
            for node in all.values { node.server?.stop() }
            for boot in landed.withLock({ l in
                defer { l.removeAll() }
                return l
            }) {
                try? boot.server.get().stop()
            }
        }
    }

    /// Why a booted node has no SSH server, by name (empty when all are up).
    public var failures: [String: String] { problems.withLock { $0 } }

    /// The SSH port of a node that is up.
    public func port(of name: String) -> UInt16? { nodes.withLock { $0[name]?.server?.port } }

    /// Drops every SSH connection to a node that is up, as a network cut does: its sshd's
    /// per-connection processes die, so each client's socket closes mid-session; the commands
    /// they ran are left to notice (or not), and the server keeps accepting new connections.
    /// How many sshd processes it killed (0: no connection was open).
    @discardableResult
    public func dropConnections(of name: String) -> Int {
        nodes.withLock { $0[name]?.server }?.dropConnections() ?? 0
    }

    /// The root tree of a VM (which exists once the VM first booted).
    public func root(of name: String) -> String { Self.root(of: name, in: directory) }

    /// A VM's root tree in the lab directory `directory`.
    static func root(of name: String, in directory: String) -> String { "\(directory)/nodes/\(name)/root" }

    /// One pass: servers for booted guests, none for the others, trees of vanished VMs removed,
    /// and `ssh_config` rewritten when anything changed. Returns once the boots it started (and
    /// any under way) are done and taken in.
    public func reconcile() throws(HLSError) {
        try follow()
        boots.wait()
        try follow()
    }

    /// One pass that starts the boots it finds due and does not wait for them: each boot, once
    /// done, makes a pass of its own, which takes it in.
    private func follow() throws(HLSError) {
        try pass.withLock { _ throws(HLSError) in
            guard !stopping.load(ordering: .acquiring) else { return }
            let current = guests()
            var changed = false
            var backFromReboot: Set<String> = []
            // The guests whose sshd starts in this pass: the port it had, and whether the machine boots.
            var booting: [(guest: SimulatedGuest, port: UInt16?, fresh: Bool)] = []
            var current_ = nodes.withLock { $0 }
            let names = Set(current.map(\.name))
            // A VM gone or made anew while its boot is under way keeps its tree until the boot is done.
            let bootsUnderWay = underWay.withLock { $0 }
            for (name, node) in current_ where !names.contains(name) && bootsUnderWay[name] == nil {
                node.server?.stop()
                try? FileManager.default.removeItem(atPath: "\(directory)/nodes/\(name)")
                current_[name] = nil
                changed = true
            }
            for guest in current {
                if let instance = bootsUnderWay[guest.name], instance != guest.instance { continue }
                var node = current_[guest.name]
                if let existing = node, existing.instance != guest.instance {
                    existing.server?.stop()
                    try? FileManager.default.removeItem(atPath: "\(directory)/nodes/\(guest.name)")
                    node = nil
                }
                // The machine boots now if it starts (was off, or new to the simulator) or is back from a
                // reboot: only then a new boot id. sshd starting again on a running machine is no boot.
                var boots = node.map { !$0.guest.booted } ?? true
                if node == nil {
                    node = Node(instance: guest.instance, server: nil, guest: guest)
                    changed = true
                }
                let root = root(of: guest.name)
                if let before = node?.guest.diskSlots, before != guest.diskSlots {
                    NodeHotplug.unplug(slots: before.filter { !guest.diskSlots.contains($0) }, root: root)
                }
                node!.guest = guest
                if guest.booted, node!.server?.isRunning == true, NodeBoot.rebootRequested(root: root) {
                    // `systemctl reboot`: SSH drops and the units stop; the machine is back after a moment.
                    node!.server?.stop()
                    node!.server = nil
                    NodeBoot.shutDown(root: root)
                    node!.rebootingSince = .now
                    changed = true
                }
                if let since = node!.rebootingSince {
                    if guest.booted, since.duration(to: .now) < NodeBoot.downtime {
                        current_[guest.name] = node
                        continue
                    }
                    node!.rebootingSince = nil
                    boots = true
                    // systemd starts the enabled units (k3s) once the machine is up, sshd first.
                    if guest.booted { backFromReboot.insert(guest.name) }
                }
                if guest.booted, node!.server?.isRunning != true {
                    if underWay.withLock({ $0[guest.name] == nil }) { booting.append((guest, node!.port, boots)) }
                } else if !guest.booted, let server = node!.server {
                    server.stop()
                    node!.server = nil
                    changed = true
                }
                current_[guest.name] = node
            }
            for (guest, port, fresh) in booting {
                let startsUnits = backFromReboot.contains(guest.name)
                underWay.withLock { $0[guest.name] = guest.instance }
                boots.enter()
                Threads.detach { [self] in
                    let server = Result { () throws(HLSError) in try boot(guest, port: port, fresh: fresh) }
                    landed.withLock {
                        $0.append(
                            Landed(
                                name: guest.name, instance: guest.instance, fresh: fresh, startsUnits: startsUnits,
                                server: server))
                    }
                    try? follow()
                    boots.leave()
                }
            }
            // The boots done since the last pass: a machine still booted (the same VM) gets its server.
            var up: [String] = []
            for boot in landed.withLock({ l in
                defer { l.removeAll() }
                return l
            }) {
                underWay.withLock { $0[boot.name] = nil }
                guard var node = current_[boot.name], node.instance == boot.instance, node.guest.booted,
                    node.server?.isRunning != true, node.rebootingSince == nil
                else {
                    try? boot.server.get().stop()
                    continue
                }
                switch boot.server {
                case .success(let server):
                    node.server = server
                    node.port = server.port
                    if boot.fresh || node.bootedAt == nil { node.bootedAt = .now }
                    problems.withLock { $0[boot.name] = nil }
                    if boot.startsUnits { up.append(boot.name) }
                case .failure(let error):
                    problems.withLock { $0[boot.name] = error.message }
                }
                current_[boot.name] = node
                changed = true
            }
            for guest in current where guest.booted {
                guard var node = current_[guest.name], let at = node.bootedAt, node.rebootingSince == nil else {
                    continue
                }
                let seconds = Int(at.duration(to: .now).components.seconds)
                if seconds != node.uptimeWritten {
                    NodeBoot.writeUptime(root: root(of: guest.name), seconds: seconds, cpus: guest.cpus)
                    node.uptimeWritten = seconds
                    current_[guest.name] = node
                }
            }
            nodes.withLock { $0 = current_ }
            if changed || !FileManager.default.fileExists(atPath: sshConfigPath) { try writeSSHConfig(current_) }
            for name in up {
                let root = root(of: name)
                NodeBoot.startEnabledUnits(
                    NodeNamespace(root: root, handedDirectory: "\(directory)/nodes/\(name)/handed", hostname: name),
                    path: image.path(root))
            }
        }
    }

    /// Starts the node's SSH server; `fresh` when the machine boots (a new boot id), not when only
    /// its sshd starts again.
    private func boot(_ guest: SimulatedGuest, port: UInt16?, fresh: Bool) throws(HLSError) -> SimulatedNodeServer {
        let nodeDir = "\(directory)/nodes/\(guest.name)"
        let root = nodeDir + "/root"
        let fm = FileManager.default
        if !fm.fileExists(atPath: root) {
            do {
                try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw HLSError(.failed, "cannot create the root of simulated node \(guest.name)", cause: "\(error)")
            }
            try image.install(root, guest)
        }
        if fresh { NodeBoot.booted(root: root) }
        let home = "/home/\(guest.user ?? "ubuntu")"
        try? fm.createDirectory(atPath: root + home, withIntermediateDirectories: true)
        return try SimulatedNodeServer(
            name: guest.name, directory: nodeDir, root: root, home: home, path: image.path(root),
            authorizedKeys: guest.authorizedKeys, handing: handing(guest), port: port)
    }

    private func writeSSHConfig(_ nodes: [String: Node]) throws(HLSError) {
        let user = Self.currentUser()
        var text = """
            # How to reach the simulated lab's VMs (written by the hlsh lab simulator; rewritten as
            # VMs boot and stop). Use: ssh -F \(sshConfigPath) NAME
            # The lab's other SSH servers (its git host) are described in ssh_config.d.
            Include \(directory)/ssh_config.d/*.conf

            """
        for name in nodes.keys.sorted() {
            guard let node = nodes[name], let server = node.server else { continue }
            let aliases = [name] + (node.guest.address.map { [$0] } ?? [])
            text += """
                Host \(aliases.joined(separator: " "))
                    HostName 127.0.0.1
                    Port \(server.port)
                    User \(user)
                    UserKnownHostsFile \(knownHostsPath)

                """
        }
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !fm.fileExists(atPath: knownHostsPath) {
            _ = fm.createFile(atPath: knownHostsPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let temporary = sshConfigPath + ".tmp"
        guard fm.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]),
            rename(temporary, sshConfigPath) == 0
        else { throw HLSError(.failed, "cannot write \(sshConfigPath)") }
    }

    /// The invoking user's name: the login the simulated nodes accept.
    static func currentUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
