import Foundation
import HLSCommands
import HLSCore
import HLSFormats
import HLSLanguage
import Kube
import Synchronization
import TestSupport

@testable import LabSim

/// A simulated Kubernetes API started for one test, its admin kubeconfig as `KUBECONFIG`, and a
/// way to run .hls against it in-process exactly as the binary does.
final class KubeHarness {
    let sim: KubeAPISimulator
    let dir: TemporaryDirectory
    let environment: [String: String]
    /// A client of its own, to set up and inspect the cluster apart from the code under test.
    let client: KubeClient

    /// Starts `sim` (by default one made from `options`, running k3s's built-in controllers).
    init(options: KubeAPISimulator.Options = KubeAPISimulator.Options(), sim: KubeAPISimulator? = nil) throws {
        self.sim = sim ?? KubeAPISimulator(options: options)
        dir = try TemporaryDirectory("hlsh-kube")
        _ = try self.sim.start()
        let kubeconfig = dir.file("kubeconfig")
        try self.sim.writeKubeconfig(to: kubeconfig)
        environment = ["KUBECONFIG": kubeconfig, "HOME": dir.path, "XDG_STATE_HOME": dir.file("state")]
        client = try KubeClient(environment: environment)
    }

    deinit { sim.stop() }

    func run(
        _ code: String, options: RunOptions = RunOptions(), cancellation: Cancellation = Cancellation(),
        stderrTerminal: Terminal = .plain, watch: (@Sendable (String) -> Void)? = nil
    ) -> (status: Int32, out: String, err: String) {
        runInProcess(
            code, environment: environment, options: options, cancellation: cancellation,
            stderrTerminal: stderrTerminal, watch: watch)
    }

    /// Applies YAML through the harness's own client.
    func create(_ yaml: String) throws {
        for document in try YAMLCodec.decodeAll(yaml) { try client.apply(document) }
    }

    /// Two Ready nodes (the seed's control plane and worker), so the simulated k3s's scheduler
    /// and kubelets run the pods of Deployments and DaemonSets; a second call does nothing.
    func runWorkloads() throws {
        guard (try? client.get(.nodes, "k3s-cp-01")) == nil else { return }
        try registerNode("k3s-cp-01", controlPlane: true)
        try registerNode("k3s-wk-01")
    }

    /// Waits until each Deployment in `namespace` has an available pod, as its controller reports.
    func waitAvailable(_ deployments: [String], namespace: String, timeout: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + timeout
        for name in deployments {
            while true {
                let path = "/apis/apps/v1/namespaces/\(namespace)/deployments/\(name)"
                if let object = try? sim.inProcessClient(manager: "tests")?.get(path),
                    case .int(let available) = object.at(["status", "availableReplicas"]) ?? .null, available >= 1
                {
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw HLSError(.failed, "deployment \(namespace)/\(name) has no available pod after \(timeout)")
                }
                usleep(20_000)
            }
        }
    }

    func registerNode(_ name: String, controlPlane: Bool = false, ready: Bool = true, bootID: String = "") throws {
        var node = KubeNodeRegistration(
            name: name, internalIP: "192.168.10.2\(controlPlane ? 1 : 2)", controlPlane: controlPlane,
            version: "v1.33.4+k3s1", ready: ready)
        node.bootID = bootID
        try sim.registerNode(node)
    }
}

/// .hls code running on a thread of its own until it ends or its `cancellation` (its Ctrl-C)
/// fires, as `kube logs -f` and `kube events -w` do; its output is seen as it is written.
final class BackgroundRun: @unchecked Sendable {
    let cancellation = Cancellation()
    private let output = Mutex("")
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<(status: Int32, out: String, err: String)?>(nil)

    init(_ code: String, on kube: KubeHarness) {
        nonisolated(unsafe) let kube = kube
        Thread.detachNewThread { [self] in
            let result = kube.run(code, cancellation: cancellation) { text in self.output.withLock { $0 += text } }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    var text: String { output.withLock { $0 } }

    /// Waits (up to `timeout` seconds) until the output holds `expected`.
    @discardableResult
    func waitForOutput(_ expected: String, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !text.contains(expected) && Date() < deadline { usleep(20_000) }
        return text.contains(expected)
    }

    /// How the run ended, nil when it did not within `timeout` seconds.
    func result(timeout: TimeInterval = 10) -> (status: Int32, out: String, err: String)? {
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        return outcome.withLock { $0 }
    }
}
