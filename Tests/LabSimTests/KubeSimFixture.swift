import Foundation
import TestSupport
import XCTest

@testable import LabSim

/// A running simulated Kubernetes API for one test, with a kubeconfig and a kubectl that uses
/// its own discovery cache (`--cache-dir`) and home, so nothing leaks between tests.
final class KubeSimFixture {
    let sim: KubeAPISimulator
    let endpoint: KubeAPISimulator.Endpoint
    let dir: TemporaryDirectory
    let kubeconfig: String
    let kubectlPath: String

    /// Starts `sim` (by default a simulator made from `options`); `controllers` run besides
    /// k3s's built-in ones, as those a lab installs.
    init(
        options: KubeAPISimulator.Options = KubeAPISimulator.Options(), controllers: [any SimulatedController] = [],
        sim: KubeAPISimulator? = nil
    ) throws {
        kubectlPath = try Kubectl.path()
        dir = try TemporaryDirectory("labsim-kube")
        self.sim = sim ?? KubeAPISimulator(options: options, controllers: controllers)
        endpoint = try self.sim.start()
        kubeconfig = dir.file("kubeconfig")
        try self.sim.writeKubeconfig(to: kubeconfig)
    }

    deinit { sim.stop() }

    var environment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path,
            "KUBECONFIG": kubeconfig,
        ]
    }

    var baseArguments: [String] { ["--kubeconfig", kubeconfig, "--cache-dir", dir.file("cache")] }

    /// Runs kubectl to completion.
    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try runProcess(kubectlPath, baseArguments + arguments, stdin: stdin, environment: environment)
    }

    /// Runs kubectl and fails the test unless it exits 0; returns its standard output.
    @discardableResult
    func kubectlOK(_ arguments: [String], stdin: String? = nil, file: StaticString = #filePath, line: UInt = #line)
        throws -> String
    {
        let result = try kubectl(arguments, stdin: stdin)
        XCTAssertEqual(
            result.status, 0, "kubectl \(arguments.joined(separator: " ")) failed:\n\(result.stderr)\(result.stdout)",
            file: file, line: line)
        return result.stdout
    }

    /// Starts kubectl in the background; its output collects in files under the fixture's directory.
    func kubectlInBackground(_ arguments: [String], name: String) throws -> BackgroundProcess {
        try BackgroundProcess(
            kubectlPath, baseArguments + arguments, environment: environment, output: dir.file("\(name).out"))
    }
}

/// A child process whose output goes to a file, read while it runs; killed when released.
final class BackgroundProcess {
    let process = Process()
    let output: String

    init(_ executable: String, _ arguments: [String], environment: [String: String], output: String) throws {
        self.output = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// Waits up to `timeout` seconds for the output to satisfy `condition`.
    @discardableResult
    func waitForOutput(timeout: Double = 15, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(text) { return true }
            usleep(50_000)
        }
        return condition(text)
    }

    /// Waits up to `timeout` seconds for the process to exit; nil if it did not.
    func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
