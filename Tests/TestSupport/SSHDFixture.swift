import Foundation
import HLSCore

#if canImport(Glibc)
    import Glibc
#endif

/// A real OpenSSH `sshd` for tests: its own config, ed25519 host key, authorized user key,
/// pid file and log in a temp dir, listening on a free 127.0.0.1 port, running in the
/// foreground (`-D -e`) as the current user — which is the only user it can log in.
///
/// Sessions get `HOME` = `remoteHome` (so the real user's shell startup files stay out of the
/// way). Several fixtures can run at once. `stop()` (also run on deinit) kills the listener and
/// every process its sessions started — even commands that outlived their connection — then
/// removes the directory. Typical use in an XCTestCase:
///
///     let sshd = try SSHDFixture.start()
///     addTeardownBlock { sshd.stop() }
public final class SSHDFixture: @unchecked Sendable {
    public let host = "127.0.0.1"
    public let port: UInt16
    /// The login name sshd accepts (the user running the tests).
    public let user: String
    /// The fixture's temp dir: config, keys, known_hosts, log.
    public let directory: TemporaryDirectory
    /// A known_hosts file that lists this server's host key as `[127.0.0.1]:PORT ssh-ed25519 …`.
    public let knownHostsPath: String
    /// An ed25519 private key the server authorizes; its public key is at `identityPath + ".pub"`.
    public let identityPath: String
    /// The host's public key as `ssh-ed25519 AAAA…` (no comment).
    public let hostPublicKey: String
    /// The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:…`.
    public let hostKeyFingerprint: String
    public let logPath: String
    /// The environment entry every session process carries.
    private var marker: String { "HLSH_TEST_SSHD=\(directory.path)" }
    /// `HOME` of every session on this server (a directory in the fixture, not the user's home).
    public var remoteHome: String { directory.file("home") }

    private let process: SpawnedProcess
    private let lock = NSLock()
    private var stopped = false

    /// The name this server has in known_hosts: `[127.0.0.1]:PORT`.
    public var knownHostsName: String { "[\(host)]:\(port)" }
    /// The known_hosts line for this server.
    public var knownHostsLine: String { "\(knownHostsName) \(hostPublicKey)" }
    /// Everything sshd logged so far (useful in failure messages).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    public var pid: Int32 { process.pid }

    private init(
        port: UInt16, user: String, directory: TemporaryDirectory, identityPath: String, hostPublicKey: String,
        hostKeyFingerprint: String, process: SpawnedProcess
    ) throws {
        self.port = port
        self.user = user
        self.directory = directory
        self.identityPath = identityPath
        self.hostPublicKey = hostPublicKey
        self.hostKeyFingerprint = hostKeyFingerprint
        self.process = process
        self.logPath = directory.file("sshd.log")
        self.knownHostsPath = directory.file("known_hosts")
        try "\(knownHostsLine)\n".write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
    }

    /// Starts an sshd and waits until it listens. `extraConfig` lines are added to its
    /// sshd_config, replacing the fixture's own line for the same keyword (`LogLevel DEBUG1`,
    /// `MaxAuthTries 2`, `AllowTcpForwarding no`). Retries on a fresh port when another process took the chosen one first.
    public static func start(extraConfig: [String] = []) throws -> SSHDFixture {
        try FileManager.default.createDirectory(
            atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let directory = try TemporaryDirectory("hlsh-sshd")
        let hostKey = directory.file("ssh_host_ed25519_key")
        try generateKey(at: hostKey)
        let identity = directory.file("id_ed25519")
        try generateKey(at: identity)
        try FileManager.default.copyItem(atPath: identity + ".pub", toPath: directory.file("authorized_keys"))
        let hostPublicKey = try publicKey(at: hostKey + ".pub")
        let fingerprint = try Self.fingerprint(ofPublicKeyAt: hostKey + ".pub")
        let user = currentUserName()
        try FileManager.default.createDirectory(
            atPath: directory.file("home"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        var lastLog = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let config = configuration(port: port, directory: directory, hostKey: hostKey, extra: extraConfig)
            let configPath = try directory.write("sshd_config", config, mode: 0o600)
            let logPath = directory.file("sshd.log")
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let process = try SpawnedProcess(
                "/usr/sbin/sshd", ["-D", "-e", "-f", configPath], outputPath: logPath)

            let listening = "Server listening on 127.0.0.1 port \(port)."
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                if log.contains(listening) {
                    do {
                        return try SSHDFixture(
                            port: port, user: user, directory: directory, identityPath: identity,
                            hostPublicKey: hostPublicKey, hostKeyFingerprint: fingerprint, process: process)
                    } catch {
                        process.kill()
                        throw error
                    }
                }
                if !process.isRunning { break }
                usleep(20_000)
            }
            process.kill()
            lastLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if !lastLog.contains("Address already in use") { break }
        }
        throw FixtureError("sshd did not start listening:\n\(lastLog)")
    }

    /// Kills every process the listener started (the per-connection sshd processes and the
    /// commands they run), dropping all connections; the listener keeps accepting new ones.
    public func killConnections() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped, process.isRunning else { return }
        ProcessTree.kill(below: process.pid, marker: marker)
    }

    /// Kills sshd and everything it started, and removes its directory. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        // XCTest keeps test cases (and their teardown blocks) alive until the run ends, so the
        // directory is removed here rather than left to TemporaryDirectory's deinit.
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        // Only signal a pid that is still our (unreaped) child: once reaped, it may be anyone's.
        guard process.isRunning else {
            ProcessTree.kill(below: nil, marker: marker)
            return
        }
        ProcessTree.kill(below: process.pid, marker: marker)
        process.kill()
    }

    deinit { stop() }

    /// Makes a new ed25519 key pair in the fixture's directory that the server does not
    /// authorize (yet); returns the private key's path.
    public func makeKey(named name: String) throws -> String {
        let path = directory.file(name)
        try Self.generateKey(at: path)
        return path
    }

    /// Adds the public key at `publicKeyPath` to the server's authorized keys.
    public func authorize(publicKeyPath: String) throws {
        let key = try String(contentsOfFile: publicKeyPath, encoding: .utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("authorized_keys")))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(key.utf8))
    }

    // MARK: - Helpers

    public struct FixtureError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    private static func configuration(port: UInt16, directory: TemporaryDirectory, hostKey: String, extra: [String])
        -> String
    {
        var lines = [
            "Port \(port)",
            "ListenAddress 127.0.0.1",
            "HostKey \(hostKey)",
            "PidFile \(directory.file("sshd.pid"))",
            "AuthorizedKeysFile \(directory.file("authorized_keys"))",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UseDNS no",
            "PrintMotd no",
            "MaxStartups 100",
            "LogLevel INFO",
            "Subsystem sftp internal-sftp",
            // Sessions get the fixture's own home: the real user's shell startup files (a
            // ~/.bashrc running `pyenv rehash` in the background, say) must not slow or hold up
            // test commands, and tests must not write into the real home.
            // HLSH_TEST_SSHD marks every process a session starts, so `stop()` finds commands that
            // outlived their connection (sshd leaves a command without a terminal running).
            "SetEnv HOME=\(directory.file("home")) HLSH_TEST_SSHD=\(directory.path)",
        ]
        // OpenSSH 9.8+ would penalize the address of a client whose connection a test kills.
        if supportsPerSourcePenalties { lines.append("PerSourcePenalties no") }
        // sshd takes the first value of a keyword: an extra line replaces the default above.
        let overridden = Set(extra.compactMap { $0.split(separator: " ").first?.lowercased() })
        lines.removeAll { overridden.contains($0.split(separator: " ").first?.lowercased() ?? "") }
        return (lines + extra).joined(separator: "\n") + "\n"
    }

    private static let supportsPerSourcePenalties: Bool = {
        guard let result = try? runProcess("/usr/sbin/sshd", ["-V"]) else { return false }
        let text = result.stderr + result.stdout
        guard let range = text.range(of: "OpenSSH_") else { return false }
        let version = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".")
        let major = Int(version.first ?? "") ?? 0
        let minor = version.count > 1 ? Int(version[1]) ?? 0 : 0
        return major > 9 || (major == 9 && minor >= 8)
    }()

    private static func generateKey(at path: String) throws {
        let result = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "hlsh-test", "-f", path])
        guard result.status == 0 else { throw FixtureError("ssh-keygen failed: \(result.stderr)") }
    }

    /// The `TYPE BASE64` fields of the public key file at `path` (no comment).
    public static func publicKey(at path: String) throws -> String {
        let fields = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ")
        guard fields.count >= 2 else { throw FixtureError("unexpected public key file \(path)") }
        return "\(fields[0]) \(fields[1])"
    }

    /// `SHA256:…` of the public key file at `path`, as `ssh-keygen -l` prints it.
    public static func fingerprint(ofPublicKeyAt path: String) throws -> String {
        let result = try runProcess("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", path])
        guard result.status == 0, let field = result.stdout.split(separator: " ").dropFirst().first else {
            throw FixtureError("ssh-keygen -l failed: \(result.stderr)")
        }
        return String(field)
    }

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

}

/// A child started with `posix_spawn` and reaped with `waitpid`, not Foundation's `Process`:
/// Foundation notices a child's exit by an inherited socket closing, and sshd closes every
/// inherited descriptor at startup — Foundation then blocks in `waitpid` on a live sshd and
/// every later `Process` in the test run hangs.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var reaped = false

    /// Starts `path` with `arguments`, stdin from /dev/null, stdout and stderr appended to
    /// `outputPath`, default signal handling and an empty signal mask.
    convenience init(_ path: String, _ arguments: [String], outputPath: String) throws {
        do {
            try self.init(path, arguments, stdoutPath: outputPath, stderrPath: nil, append: true)
        } catch {
            throw SSHDFixture.FixtureError("cannot start \(path): \(error)")
        }
    }

    /// Starts `path` with `arguments` (and `environment`, else this process's): stdin from
    /// /dev/null, stdout to `stdoutPath`, stderr to `stderrPath` (or with stdout when nil).
    public init(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, stdoutPath: String,
        stderrPath: String?, append: Bool
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let mode = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, mode, 0o600)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, mode, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for e in env ?? [] { free(e) } }
        var child: pid_t = 0
        let rc =
            env.map { e in posix_spawn(&child, path, &actions, &attributes, argv, e) }
            ?? posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        pid = child
    }

    /// Waits for the child to exit; its exit status, or 128 + the signal that ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        lock.withLock { reaped = true }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if reaped { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return !reaped
    }

    /// SIGKILLs the child if it still runs, and reaps it.
    public func kill() {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
    }
}
