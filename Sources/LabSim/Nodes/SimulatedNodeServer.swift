import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// One simulated VM's SSH server: a real OpenSSH `sshd` on a loopback port, started inside the
/// node's own namespaces (`NodeNamespace`) so that the node's tree is `/` for it and for every
/// session and command it starts, all of which die with it. It uses the node's host key
/// (`/etc/ssh/ssh_host_ed25519_key`, made on first boot) and the keys cloud-init installed; its
/// own configuration comes from the simulator (read-only at `/run/hlsh-sim`), not from the node's
/// `/etc/ssh/sshd_config`, which belongs to the node scripts. Sessions get a `PATH` with the
/// node's stand-in system commands first and no root prefix: node scripts act on `/`, as on a
/// real VM.
final class SimulatedNodeServer: Sendable {
    let name: String
    let directory: String
    let port: UInt16
    let hostPublicKey: String
    private let process: ChildProcess
    /// The environment entry every session of this server carries (`ProcessTree` finds them).
    private var marker: String { "HLSH_SIM_NODE=\(directory)" }

    static let sshd = "/usr/sbin/sshd"
    static let keygen = "/usr/bin/ssh-keygen"

    /// Starts sshd for the node whose tree is `root` and whose simulator files live in
    /// `directory` (host key made on first use), and waits until it listens. `home` (the login's
    /// home) and `path` (the sessions' `PATH`) are paths as the node sees them; `handing` are
    /// more files for `/run/hlsh-sim`. `port` is the one to listen on when it is free (the port a
    /// rebooted node had, so known_hosts still knows it there), else any free one. `login` is the
    /// account keys log in to (default: the invoking user's name, as the lab's ssh_config names it).
    init(
        name: String, directory: String, root: String, home: String, path: String, authorizedKeys: [String],
        handing: [(String, String)] = [], port preferred: UInt16? = nil, login: String? = nil
    ) throws(HLSError) {
        self.name = name
        self.directory = directory
        let fm = FileManager.default
        for tool in [Self.sshd, Self.keygen] where !fm.isExecutableFile(atPath: tool) {
            throw HLSError(
                .failed, "the simulated node \(name) needs OpenSSH's \(tool)",
                hint: "install it: apt-get install openssh-server openssh-client")
        }
        let handed = directory + "/handed"
        let hostKey = root + Self.hostKey
        do {
            try fm.createDirectory(
                atPath: FilePaths.directory(of: hostKey), withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot prepare simulated node \(name) in \(directory)", cause: "\(error)")
        }
        if !fm.fileExists(atPath: hostKey) {
            let status = try ChildProcess(
                Self.keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "root@\(name)", "-f", hostKey]
            ).wait()
            guard status == 0 else { throw HLSError(.failed, "ssh-keygen could not make a host key for \(name)") }
        }
        let publicKey = (try? String(contentsOfFile: hostKey + ".pub", encoding: .utf8)) ?? ""
        hostPublicKey = publicKey.split(separator: " ").prefix(2).joined(separator: " ")
        try NodeAccounts.ensure(root: root, login: login ?? SimulatedNodes.currentUser(), home: home)
        let namespace = NodeNamespace(root: root, handedDirectory: handed, hostname: name)
        try namespace.handOver([("authorized_keys", authorizedKeys.joined(separator: "\n") + "\n")] + handing)

        var lastLog = ""
        for attempt in 0..<5 {
            let port: UInt16
            if attempt == 0, let preferred { port = preferred } else { port = try Self.freePort() }
            let configPath = handed + "/sshd_config"
            let config = Self.configuration(port: port, path: path, marker: "HLSH_SIM_NODE=\(directory)")
            guard fm.createFile(atPath: configPath, contents: Data(config.utf8), attributes: [.posixPermissions: 0o600])
            else { throw HLSError(.failed, "cannot write \(configPath)") }
            let logPath = directory + "/sshd.log"
            let arguments = try namespace.arguments(
                running: [Self.sshd, "-D", "-e", "-f", NodeNamespace.handedPath + "/sshd_config"])
            let process = try ChildProcess(
                NodeNamespace.bwrap, arguments, stdout: .file(logPath, append: false),
                stderr: .file(logPath, append: true), tethered: true)
            let listening = "Server listening on 127.0.0.1 port \(port)."
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                lastLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                if lastLog.contains(listening) {
                    self.port = port
                    self.process = process
                    return
                }
                if !process.isRunning { break }
                usleep(10_000)
            }
            process.kill()
            if !lastLog.contains("Address already in use") { break }
        }
        throw HLSError(
            .failed, "the SSH server of simulated node \(name) did not start",
            cause: lastLog.split(separator: "\n").suffix(3).joined(separator: "\n"))
    }

    var isRunning: Bool { process.isRunning }

    /// Stops the server and every session and command it started (as a VM's power-off does).
    func stop() {
        if process.isRunning {
            ProcessTree.kill(below: process.pid, marker: marker)
            process.kill()
        } else {
            ProcessTree.kill(below: nil, marker: marker)
        }
    }

    /// Kills sshd's per-connection processes (`sshd: USER [priv]`, `sshd: USER@notty`), not the
    /// listener nor the sessions' commands; how many it killed.
    func dropConnections() -> Int {
        guard process.isRunning else { return 0 }
        let connections = ProcessTree.members(below: process.pid, marker: marker).filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return line.hasPrefix("sshd: ") && !line.contains("[listener]")
        }
        for pid in connections { kill(pid, SIGKILL) }
        return connections.count
    }

    /// The node's host key, as the node sees it (and relative to its tree on the host).
    static let hostKey = "/etc/ssh/ssh_host_ed25519_key"

    private static func configuration(port: UInt16, path: String, marker: String) -> String {
        [
            "# sshd of a simulated node, generated by the hlsh lab simulator",
            "Port \(port)",
            "ListenAddress 127.0.0.1",
            "HostKey \(hostKey)",
            "PidFile /run/sshd.pid",
            "AuthorizedKeysFile \(NodeNamespace.handedPath)/authorized_keys",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            "MaxStartups 100",
            "MaxSessions 20",
            "LogLevel VERBOSE",
            "AllowTcpForwarding yes",
            "Subsystem sftp internal-sftp",
            "SetEnv PATH=\(path) \(marker)",
        ].joined(separator: "\n") + "\n"
    }

    /// A loopback port nobody listens on right now (sshd retries when it loses the race).
    private static func freePort() throws(HLSError) -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HLSError(.failed, "cannot create a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw HLSError(.failed, "cannot find a free loopback port") }
        return UInt16(bigEndian: address.sin_port)
    }
}
