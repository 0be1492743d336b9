import Foundation

/// `hlsh sim serve --dir DIR` running in the background: the simulated lab as another tool (kubectl,
/// a second hlsh) sees it, through `DIR/env` and `DIR/kubeconfig`. Stopped by `stop()` or deinit.
public final class SimServe: @unchecked Sendable {
    /// The lab's directory (`DIR`).
    public let directory: String
    let process = Process()

    /// Starts the lab in `directory` (which must not exist yet) and waits up to `timeout` seconds
    /// for it to serve: `DIR/env` is written last. `environment` adds to the server's (such as
    /// `testTimings`).
    public init(directory: String, home: String, timeout: TimeInterval = 30, environment: [String: String] = [:])
        throws
    {
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: BuiltBinary.hlsh)
        process.arguments = ["sim", "serve", "--dir", directory]
        process.environment = environment.merging(["HOME": home, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]) {
            _, fixed in fixed
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: file("env")), process.isRunning, Date() < deadline {
            usleep(50_000)
        }
    }

    /// The environment that gives a simulated lab (`sim serve`, `--sim`) the tests' timings: tasks
    /// of a tenth of a second, VMs booted after 0.3 s.
    public static let testTimings = ["HLSH_SIM_TIMINGS": "test"]

    /// A file of the lab's directory: `env`, `kubeconfig`.
    public func file(_ name: String) -> String { directory + "/" + name }

    /// Whether the lab came up (its env file is there) and still runs.
    public var serving: Bool { process.isRunning && FileManager.default.fileExists(atPath: file("env")) }

    /// The environment of another shell after `. DIR/env`, from nothing else, with `HOME`, a
    /// plain `PATH`, `NO_COLOR` and `XDG_STATE_HOME` (`state`).
    public func shellEnvironment(home: String, state: String) throws -> [String: String] {
        let run = try runProcess(
            "/usr/bin/env", ["-i", "/bin/sh", "-c", #". "$1" && exec /usr/bin/env"#, "sh", file("env")])
        guard run.status == 0 else { throw SSHDFixture.FixtureError(". \(file("env")) failed: \(run.stderr)") }
        var env: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            env[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        for name in ["PWD", "SHLVL", "_"] { env.removeValue(forKey: name) }
        return env.merging(["HOME": home, "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "XDG_STATE_HOME": state]) {
            _, new in new
        }
    }

    /// Brings up the lab's control plane, which serves its Kubernetes API (the API refuses
    /// connections while no VM runs a k3s server): `k3s-cp-01` of `inventory` created, reached
    /// over SSH (its host key accepted) and given its k3s server, through `hlsh` in `environment`
    /// (a `shellEnvironment`). The lab should run with `testTimings`, or the VM boots slowly.
    public func startControlPlane(environment: [String: String], inventory: String) throws {
        let steps = [
            "lab use \"\(inventory)\"", "vm apply k3s-cp-01",
            "node wait k3s-cp-01 --for ssh --accept-new --timeout 60s --every 200ms", "node k3s k3s-cp-01",
        ]
        let run = try runProcess(BuiltBinary.hlsh, ["-c", steps.joined(separator: "\n")], environment: environment)
        guard run.status == 0 else { throw SSHDFixture.FixtureError("the control plane did not start: \(run.stderr)") }
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
