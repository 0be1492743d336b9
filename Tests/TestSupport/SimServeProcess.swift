import Foundation

/// `hlsh sim serve --dir DIR` running in the background for one test: started, waited for until
/// it wrote `DIR/env` (and `DIR/kubeconfig`), and stopped when released.
public final class SimServeProcess {
    public let dir: String
    private let process = Process()

    public init(dir: String, home: String) throws {
        self.dir = dir
        process.executableURL = URL(fileURLWithPath: BuiltBinary.hlsh)
        process.arguments = ["sim", "serve", "--dir", dir]
        process.environment = ["HOME": home, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: dir + "/env"), process.isRunning, Date() < deadline {
            usleep(50_000)
        }
    }

    public var kubeconfig: String { dir + "/kubeconfig" }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
