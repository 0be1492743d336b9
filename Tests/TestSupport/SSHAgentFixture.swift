import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `ssh-agent` for tests, on a socket in its own temp dir, killed by `stop()` (also
/// run on deinit). Keys are added with the real `ssh-add`; a passphrase is supplied through
/// `SSH_ASKPASS` with `SSH_ASKPASS_REQUIRE=force`, as a desktop would.
public final class SSHAgentFixture: @unchecked Sendable {
    public let socketPath: String
    public let directory: TemporaryDirectory
    private let process: SpawnedProcess

    private init(socketPath: String, directory: TemporaryDirectory, process: SpawnedProcess) {
        self.socketPath = socketPath
        self.directory = directory
        self.process = process
    }

    public static func start() throws -> SSHAgentFixture {
        let directory = try TemporaryDirectory("hlsh-agent")
        let socket = directory.file("agent.sock")
        let process = try SpawnedProcess(
            "/usr/bin/ssh-agent", ["-D", "-a", socket], outputPath: directory.file("agent.log"))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket) {
                return SSHAgentFixture(socketPath: socket, directory: directory, process: process)
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        process.kill()
        throw SSHDFixture.FixtureError("ssh-agent did not create its socket")
    }

    /// Adds the private key at `path` to the agent, answering its passphrase prompt with
    /// `passphrase` when given.
    public func add(_ path: String, passphrase: String? = nil) throws {
        var environment = ["SSH_AUTH_SOCK": socketPath, "PATH": "/usr/bin:/bin"]
        if let passphrase {
            let script = try directory.write(
                "askpass.sh", "#!/bin/sh\nprintf '%s\\n' '\(passphrase)'\n", mode: 0o700)
            environment["SSH_ASKPASS"] = script
            environment["SSH_ASKPASS_REQUIRE"] = "force"
            environment["DISPLAY"] = ":0"
        }
        let result = try spawnAndWait("/usr/bin/ssh-add", [path], environment: environment)
        guard result.status == 0 else {
            throw SSHDFixture.FixtureError("ssh-add \(path) failed: \(result.stderr)\(result.stdout)")
        }
    }

    /// Kills the agent. Idempotent.
    public func stop() { process.kill() }

    deinit { stop() }
}

extension SSHDFixture {
    /// Makes a new ed25519 key pair protected by `passphrase`, not authorized; returns the
    /// private key's path.
    public func makeKey(named name: String, passphrase: String) throws -> String {
        let path = directory.file(name)
        let result = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", path])
        guard result.status == 0 else { throw FixtureError("ssh-keygen failed: \(result.stderr)") }
        return path
    }
}
