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
        // What the command modules declare, read from the registries apart from the loop below,
        // so that an example the loop skips or cannot start is named at the end.
        let declared = Self.examples(of: Commands.registry()).subtracting(Self.examples(of: Builtins.registry))
        XCTAssertFalse(declared.isEmpty)
        let builtins = Set(Builtins.registry.specs.map(\.name))
        var ran: Set<String> = []
        for spec in Commands.registry().specs where !builtins.contains(spec.name) {
            for example in spec.examples {
                do {
                    try run(example, of: spec)
                    ran.insert(Self.label(spec, example))
                } catch {
                    XCTFail("the example of \(spec.name) could not run: \(example.code)\n\(error)")
                }
            }
        }
        XCTAssertEqual(declared.subtracting(ran).sorted(), [], "declared examples that were not run")
    }

    /// `verb: code`, naming one example.
    static func label(_ spec: CommandSpec, _ example: Example) -> String { "\(spec.name): \(example.code)" }

    /// Every example of every verb of `registry`.
    static func examples(of registry: Registry) -> Set<String> {
        Set(registry.specs.flatMap { spec in spec.examples.map { label(spec, $0) } })
    }

    /// Runs one example in a fresh simulated lab whose VMs exist (and, for node verbs, answer on SSH).
    func run(_ example: Example, of spec: CommandSpec) throws {
        if spec.name == "sim serve" { return try runSimServe(example.code) }
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0, "setting up the lab for \(spec.name)")
        if spec.path.first == "node" {
            // New VMs: their host keys are accepted once, as the runbook does.
            let setup = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
            XCTAssertEqual(setup.status, 0, "the simulated nodes answer on SSH: \(setup.err)")
        }
        if spec.name == "node kubeconfig" { XCTAssertEqual(lab.run("node k3s all").status, 0) }
        var code = example.code
        // A verb that takes --context talks to the cluster (kube, and node's cluster verbs).
        if spec.path.first == "kube" || spec.flags.contains(where: { $0.name == "context" }) {
            code = try makeCluster(lab, for: code)
        }
        let result = lab.run(code)
        XCTAssertEqual(result.status, 0, "example of \(spec.name) failed: \(example.code)\n\(result.err)")
        if let expected = example.output {
            XCTAssertEqual(result.out, expected, "output of the example of \(spec.name): \(example.code)")
        }
    }

    /// Phase 2 on the lab (SSH, k3s, the kubeconfig merged, the worker Ready), then the objects the
    /// kube examples name: namespaces `apps` and `scratch`, ConfigMap `apps/settings`, pod `apps/web`
    /// running on the worker, and a `manifests/` folder (the example's relative path becomes the
    /// harness's folder).
    func makeCluster(_ lab: LabHarness, for code: String) throws -> String {
        let setup = lab.run(
            "node wait all --for ssh --accept-new --timeout 60s --every 200ms\nnode k3s all\nnode kubeconfig\n"
                + "kube wait node k3s-wk-01 --for condition=Ready --timeout 60s")
        XCTAssertEqual(setup.status, 0, "the simulated cluster for the kube examples: \(setup.err)")
        let objects = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: apps}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: scratch}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: apps}
            data: {greeting: hello}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: apps}
            spec:
              nodeName: k3s-wk-01
              containers: [{name: web, image: nginx}]
            """
        let manifests = try lab.home.write("manifests/objects.yaml", objects)
        let applied = lab.run("kube apply -f \"\(manifests)\"")
        XCTAssertEqual(applied.status, 0, "the kube examples' objects: \(applied.err)")
        let running = lab.run("kube wait pod web -n apps --for condition=Ready --timeout 30s")
        XCTAssertEqual(running.status, 0, "the worker's kubelet runs the examples' pod: \(running.err)")
        return code.replacingOccurrences(of: "manifests/", with: lab.home.file("manifests") + "/")
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
