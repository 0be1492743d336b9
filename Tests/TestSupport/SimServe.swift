import Foundation

/// `hlsh sim serve --dir DIR` running in the background: the simulated lab as another tool (kubectl,
/// a second hlsh) sees it, through `DIR/env` and `DIR/kubeconfig`. Stopped by `stop()` or deinit.
public final class SimServe: @unchecked Sendable {
    /// The lab's directory (`DIR`).
    public let directory: String
    let process = Process()

    /// Starts the lab in `directory` (which must not exist yet) and waits up to `timeout` seconds
    /// for it to serve: `DIR/env` is written last.
    public init(directory: String, home: String, timeout: TimeInterval = 30) throws {
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: BuiltBinary.hlsh)
        process.arguments = ["sim", "serve", "--dir", directory]
        process.environment = ["HOME": home, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: file("env")), process.isRunning, Date() < deadline {
            usleep(50_000)
        }
    }

    /// A file of the lab's directory: `env`, `kubeconfig`.
    public func file(_ name: String) -> String { directory + "/" + name }

    /// Whether the lab came up (its env file is there) and still runs.
    public var serving: Bool { process.isRunning && FileManager.default.fileExists(atPath: file("env")) }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
