import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// Every example in the help of the command modules runs, against a simulated lab whose VMs
/// exist (the builtins' examples are run by HLSLanguageTests).
final class CommandExamplesTests: XCTestCase {
    func testEveryCommandExampleRuns() throws {
        let builtins = Set(Builtins.registry.specs.map(\.name))
        let specs = Commands.registry().specs.filter { !builtins.contains($0.name) && !$0.examples.isEmpty }
        XCTAssertFalse(specs.isEmpty)
        var ran = 0
        for spec in specs {
            for example in spec.examples {
                if spec.name == "sim serve" {
                    try runSimServe(example.code)
                    ran += 1
                    continue
                }
                let lab = try LabHarness()
                XCTAssertEqual(lab.run("vm apply --all").status, 0, "setting up the lab for \(spec.name)")
                if spec.path.first == "node" {
                    // New VMs: their host keys are accepted once, as the runbook does.
                    let setup = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
                    XCTAssertEqual(setup.status, 0, "the simulated nodes answer on SSH: \(setup.err)")
                }
                if spec.name == "node kubeconfig" { XCTAssertEqual(lab.run("node k3s all").status, 0) }
                let result = lab.run(example.code)
                XCTAssertEqual(result.status, 0, "example of \(spec.name) failed: \(example.code)\n\(result.err)")
                if let expected = example.output {
                    XCTAssertEqual(result.out, expected, "output of the example of \(spec.name): \(example.code)")
                }
                ran += 1
            }
        }
        XCTAssertEqual(ran, specs.map(\.examples.count).reduce(0, +))
    }

    /// `sim serve` runs until Ctrl-C: run it, wait for its env file, then cancel it.
    func runSimServe(_ code: String) throws {
        let dir = try TemporaryDirectory("hlsh-serve")
        let cancellation = Cancellation()
        let context = ExecutionContext(cancellation: cancellation, out: { _ in }, err: { _ in })
        let runner = ScriptRunner(
            interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
        let text = code.replacingOccurrences(of: "/tmp/lab", with: dir.path)
        XCTAssertNotEqual(text, code, "the example's directory is replaced by a temporary one")
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var status: Int32 = -1
        Thread.detachNewThread {
            status = runner.run(SourceFile(name: "example.hls", text: text), arguments: [], scriptPath: nil)
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: dir.file("env")) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let env = try String(contentsOfFile: dir.file("env"), encoding: .utf8)
        XCTAssertTrue(env.contains("export PROXMOX_VE_ENDPOINT='https://127.0.0.1:"), env)
        cancellation.cancel()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success, "sim serve stops when cancelled")
        XCTAssertEqual(status, 0, "Ctrl-C is how sim serve is meant to stop")
    }
}
