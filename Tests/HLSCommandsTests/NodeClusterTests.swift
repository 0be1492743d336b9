import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import Kube
import LabSim
import Synchronization
import TestSupport
import XCTest

/// The `node` verbs that talk to the Kubernetes API (cordon, uncordon, drain, wait --for ready,
/// list's cluster columns), run through the interpreter against the simulated Kubernetes API.
final class NodeClusterTests: XCTestCase {
    // MARK: cordon, uncordon

    func testCordonPatchesOnceAndASecondCordonIsNoChange() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        var dryRun = RunOptions()
        dryRun.dryRun = true
        let planned = kube.run("node cordon k3s-wk-01 | get status | to json --compact", options: dryRun)
        XCTAssertEqual(planned.status, 0, planned.err)
        XCTAssertEqual(planned.out, "[\"planned\"]\n")
        XCTAssertEqual(kube.requests("PATCH"), [], "a dry run must not write")

        let first = kube.run("node cordon k3s-wk-01 | select target action status | to json --compact")
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(first.out, #"[{"target":"k3s-wk-01","action":"cordon","status":"applied"}]"# + "\n")
        XCTAssertTrue(kube.unschedulable)
        let second = kube.run("node cordon all")
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertTrue(second.err.contains("node cordon: no change"), second.err)
        XCTAssertEqual(kube.requests("PATCH /api/v1/nodes/k3s-wk-01").count, 1)

        let uncordon = kube.run("node uncordon k3s-wk-01 | get action | to json --compact")
        XCTAssertEqual(uncordon.status, 0, uncordon.err)
        XCTAssertEqual(uncordon.out, "[\"uncordon\"]\n")
        XCTAssertFalse(kube.unschedulable)
        XCTAssertTrue(kube.run("node uncordon k3s-wk-01").err.contains("node uncordon: no change"))
    }

    func testCordonOfANodeTheClusterDoesNotHaveNamesItsNodes() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        let result = kube.run("node cordon k3s-wk-09")
        XCTAssertEqual(result.status, 2, result.err)
        XCTAssertTrue(result.err.contains("the cluster has no node k3s-wk-09"), result.err)
        XCTAssertTrue(result.err.contains("k3s-wk-01"), result.err)
    }

    // MARK: drain

    func testDrainEvictsAReplicaSetPodUntilGoneAndLeavesTheDaemonSetPod() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-cp-01", controlPlane: true)
        try kube.registerNode("k3s-wk-01")
        try kube.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"))
        try kube.pod("agent-x", on: "k3s-wk-01", controller: ("DaemonSet", "agent"))
        try kube.pod("web-2", on: "k3s-cp-01", controller: ("ReplicaSet", "web"))
        let result = kube.run("node drain k3s-wk-01 --timeout 20s | select target action status | to json --compact")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(
            result.out,
            #"[{"target":"k3s-wk-01","action":"cordon","status":"applied"},"#
                + #"{"target":"default/web-1","action":"evict","status":"applied"},"#
                + #"{"target":"default/agent-x","action":"skip","status":"skipped"}]"# + "\n")
        XCTAssertFalse(kube.exists(pod: "web-1"))
        XCTAssertTrue(kube.exists(pod: "agent-x"))
        XCTAssertTrue(kube.exists(pod: "web-2"), "a pod on another node stays")
        XCTAssertTrue(kube.unschedulable)
        XCTAssertEqual(
            kube.requests("POST"), ["POST /api/v1/namespaces/default/pods/web-1/eviction"], "only web-1 is evicted")
        XCTAssertFalse(result.err.contains("control-plane"), "a worker is not the control plane: \(result.err)")
    }

    func testDrainRefusesABarePodWithoutForceBeforeTouchingAnything() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.pod("bare", on: "k3s-wk-01")
        try kube.pod("cache", on: "k3s-wk-01", controller: ("ReplicaSet", "cache"), emptyDir: true)
        let before = kube.sim.requestLog.count
        let refused = kube.run("node drain k3s-wk-01")
        XCTAssertEqual(refused.status, 1, refused.err)
        XCTAssertTrue(refused.err.contains("default/bare has no controller"), refused.err)
        XCTAssertTrue(refused.err.contains("--force"), refused.err)
        XCTAssertTrue(refused.err.contains("default/cache uses emptyDir"), refused.err)
        XCTAssertEqual(
            kube.sim.requestLog.dropFirst(before).filter { !$0.hasPrefix("GET ") }, [], "nothing is cordoned or evicted"
        )
        XCTAssertFalse(kube.unschedulable)

        let forced = kube.run("node drain k3s-wk-01 --force --delete-emptydir-data --timeout 20s")
        XCTAssertEqual(forced.status, 0, forced.err)
        XCTAssertFalse(kube.exists(pod: "bare"))
        XCTAssertFalse(kube.exists(pod: "cache"))
    }

    func testDrainRetriesEvictionsABudgetRefusesThenSucceeds() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"))
        kube.sim.injectFault(.evictionBlocked(times: 2))
        let result = kube.run("node drain k3s-wk-01 --timeout 20s --every 100ms | get status | to json --compact")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, #"["applied","applied"]"# + "\n")
        XCTAssertEqual(kube.requests("POST /api/v1/namespaces/default/pods/web-1/eviction").count, 3)
        XCTAssertFalse(kube.exists(pod: "web-1"))
    }

    func testDrainTimesOutNamingThePodAndTheBudget() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"), labels: ["app": "web"])
        try kube.budget("web-budget", app: "web")
        let started = ContinuousClock.now
        let result = kube.run("node drain k3s-wk-01 --timeout 1s --every 200ms")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(
            result.err.contains("default/web-1 could not be evicted: k3s-wk-01 was not drained within 1s"), result.err)
        XCTAssertTrue(result.err.contains("web-budget"), result.err)
        XCTAssertGreaterThan(kube.requests("POST /api/v1/namespaces/default/pods/web-1/eviction").count, 2)
        XCTAssertTrue(kube.exists(pod: "web-1"))
    }

    func testDrainTimeoutBoundsTheWholeDrainOfANodeNotEachPod() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.pod("cache-1", on: "k3s-wk-01", controller: ("ReplicaSet", "cache"))
        try kube.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"), labels: ["app": "web"])
        try kube.budget("web-budget", app: "web")
        // cache-1 is refused for most of the timeout (8 tries 100 ms apart), then goes; web-1's budget
        // never lets it go. Timed per pod, web-1 would get a whole second (about 10 more tries).
        kube.sim.injectFault(.evictionBlocked(times: 8))
        let result = kube.run("node drain k3s-wk-01 --timeout 1s --every 100ms")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertFalse(kube.exists(pod: "cache-1"))
        XCTAssertTrue(kube.exists(pod: "web-1"))
        XCTAssertTrue(result.err.contains("default/web-1 could not be evicted"), result.err)
        XCTAssertTrue(result.err.contains("k3s-wk-01 was not drained within 1s"), result.err)
        let tries = kube.requests("POST /api/v1/namespaces/default/pods/web-1/eviction").count
        XCTAssertGreaterThan(tries, 0)
        XCTAssertLessThanOrEqual(tries, 12, "one try a round (100 ms) within the one second, not a second more")
    }

    /// As kubectl drain: every pod's eviction is asked for at once; a pod a budget holds does not
    /// keep the others waiting, and it alone fails when the timeout passes.
    func testDrainEvictsEveryPodAtOnceWhileABudgetHoldsOne() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.pod("api-1", on: "k3s-wk-01", controller: ("ReplicaSet", "api"), labels: ["app": "api"])
        try kube.budget("api-budget", app: "api")
        try kube.pod("web-1", on: "k3s-wk-01", controller: ("ReplicaSet", "web"))
        let result = kube.run("node drain k3s-wk-01 --timeout 1s --every 100ms")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertFalse(kube.exists(pod: "web-1"), "evicted while api-1's budget held api-1")
        XCTAssertTrue(kube.exists(pod: "api-1"))
        XCTAssertTrue(result.err.contains("default/api-1 could not be evicted"), result.err)
        XCTAssertTrue(result.err.contains("api-budget"), result.err)
        let posts = kube.requests("POST")
        XCTAssertEqual(
            Array(posts.prefix(2)),
            [
                "POST /api/v1/namespaces/default/pods/api-1/eviction",
                "POST /api/v1/namespaces/default/pods/web-1/eviction",
            ], "both evictions asked for in the first round")
    }

    func testDrainingTheOnlyControlPlaneWarnsThatTheAPIGoesWithIt() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-cp-01", controlPlane: true)
        try kube.registerNode("k3s-wk-01")
        let result = kube.run("node drain k3s-cp-01")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.err.contains("k3s-cp-01 is the cluster's only control-plane node"), result.err)
        XCTAssertTrue(result.err.contains("Kubernetes API goes with it"), result.err)
        XCTAssertFalse(kube.run("node drain k3s-wk-01").err.contains("warning"))
    }

    // MARK: wait --for ready

    func testWaitForReadyReturnsAsSoonAsTheNodeTurnsReady() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01", ready: false)
        let sim = kube.sim
        let turned = Mutex<ContinuousClock.Instant?>(nil)
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.8)
            turned.withLock { $0 = .now }
            try? sim.setNodeReady("k3s-wk-01", true)
        }
        thread.start()
        // --every 10s: only a watch sees the change before the next check would.
        let result = kube.run(
            "node wait k3s-wk-01 --for ready --timeout 20s --every 10s | get ready | to json --compact")
        let returned = ContinuousClock.now
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "[\"ready\"]\n")
        let at = try XCTUnwrap(turned.withLock { $0 }, "returned before the node turned Ready")
        // Well within --every: a loaded machine may be slow, a check every 10 s would be slower.
        XCTAssertLessThan(returned - at, .seconds(5), "the wait did not return promptly")
    }

    func testWaitForReadyOfAllWaitsForAnInventoryNodeThatHasNotRegisteredYet() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-cp-01", controlPlane: true)
        let inventory = try kube.dir.write("homelab.yaml", LabHarness.shippedInventory)
        let sim = kube.sim
        let registered = Mutex(false)
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            registered.withLock { $0 = true }
            try? sim.registerNode(
                KubeNodeRegistration(
                    name: "k3s-wk-01", internalIP: "192.168.10.22", controlPlane: false, version: "v1.33.4+k3s1"))
        }
        thread.start()
        // The agent's kubelet registers a moment after the control plane's: `all` is the
        // inventory's nodes, not the ones the cluster has so far.
        let result = kube.run(
            """
            let inventory = (lab use "\(inventory)")
            node wait all --for ready --timeout 20s --every 10s | select node ready | to json --compact
            """)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(
            result.out,
            #"[{"node":"k3s-cp-01","ready":"ready"},{"node":"k3s-wk-01","ready":"ready"}]"# + "\n")
        XCTAssertTrue(registered.withLock { $0 }, "returned before the worker registered")
    }

    func testDryRunWaitForReadySetsAsideOnlyAClusterNotBuiltYet() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        var dryRun = RunOptions()
        dryRun.dryRun = true
        // No kubeconfig, or none with the context: the cluster a first run would build is not there yet.
        var bare = kube.environment
        bare["KUBECONFIG"] = kube.dir.file("missing-kubeconfig")
        let missing = runInProcess(
            "node wait k3s-wk-01 --for ready | get ready | to json --compact", environment: bare, options: dryRun)
        XCTAssertEqual(missing.status, 0, missing.err)
        XCTAssertEqual(missing.out, "[]\n")
        XCTAssertTrue(missing.err.contains("note: node wait not run in a dry run: no kubeconfig"), missing.err)
        let noContext = kube.run(
            "node wait k3s-wk-01 --for ready --context homelab | get ready | to json --compact", options: dryRun)
        XCTAssertEqual(noContext.status, 0, noContext.err)
        XCTAssertTrue(
            noContext.err.contains("node wait not run in a dry run: context homelab is not defined"), noContext.err)
        // A misspelled node and an unreachable API are errors, dry run or not.
        let typo = kube.run("node wait k3s-wk-09 --for ready", options: dryRun)
        XCTAssertEqual(typo.status, 2, typo.out + typo.err)
        XCTAssertTrue(typo.err.contains("the cluster has no node k3s-wk-09"), typo.err)
        kube.sim.stop()
        let down = kube.run("node wait k3s-wk-01 --for ready", options: dryRun)
        XCTAssertEqual(down.status, 1, down.out + down.err)
        XCTAssertFalse(down.err.contains("not run in a dry run"), down.err)
    }

    func testWaitForReadyTimesOutNamingTheNodeAndItsLastCondition() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01", ready: false)
        let result = kube.run("node wait k3s-wk-01 --for ready --timeout 1s --every 200ms")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("node wait: k3s-wk-01 is not Ready after 1s"), result.err)
        XCTAssertTrue(result.err.contains("Ready=False (KubeletNotReady"), result.err)
    }
}

/// `node list`'s cluster columns, on the simulated lab's inventory.
final class NodeListClusterTests: XCTestCase {
    func testNodeListMergesTheKubernetesNodeAndSaysWhyWhenThereIsNoCluster() throws {
        let lab = try LabHarness(simulatedNodes: false)
        let bare = lab.run(#"node list | get ready | to json --compact"#)
        XCTAssertEqual(bare.status, 0, bare.err)
        XCTAssertTrue(bare.out.hasPrefix(#"["? no kubeconfig"#), bare.out)
        let kube = try KubeHarness()
        try kube.registerNode("k3s-cp-01", controlPlane: true)
        lab.environment["KUBECONFIG"] = kube.environment["KUBECONFIG"]
        let list = lab.run(#"node list | select name ready roles version internal-ip | to json --compact"#)
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertEqual(
            list.out,
            #"[{"name":"k3s-cp-01","ready":"Ready","roles":"control-plane,master","version":"v1.33.4+k3s1","#
                + #""internal-ip":"192.168.10.21"},{"name":"k3s-wk-01","ready":"? not in the cluster","roles":"","#
                + #""version":"","internal-ip":""}]"# + "\n")
    }
}

/// Pods and checks for the node cluster tests, on the shared harness.
extension KubeHarness {
    /// A pod bound to `node`, owned by a `controller` (`ReplicaSet web`) when given, Ready.
    func pod(
        _ name: String, on node: String, controller: (kind: String, name: String)? = nil,
        labels: [String: String] = [:], emptyDir: Bool = false
    ) throws {
        try Self.pod(name, on: node, controller: controller, labels: labels, emptyDir: emptyDir, client: client)
    }

    /// A pod made through `client` (a lab's, say).
    static func pod(
        _ name: String, on node: String, controller: (kind: String, name: String)? = nil,
        labels: [String: String] = [:], emptyDir: Bool = false, client: KubeClient
    ) throws {
        var metadata: [(key: String, value: Document)] = [
            ("name", .string(name)), ("namespace", .string("default")),
            ("labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        if let controller {
            metadata.append(
                (
                    "ownerReferences",
                    .array([
                        .object([
                            ("apiVersion", .string("apps/v1")), ("kind", .string(controller.kind)),
                            ("name", .string(controller.name)),
                            ("uid", .string("11111111-2222-3333-4444-555555555555")), ("controller", .bool(true)),
                        ])
                    ])
                ))
        }
        var spec: [(key: String, value: Document)] = [
            ("nodeName", .string(node)),
            ("containers", .array([.object([("name", .string("c")), ("image", .string("nginx"))])])),
        ]
        if emptyDir {
            spec.append(
                ("volumes", .array([.object([("name", .string("scratch")), ("emptyDir", .object([]))])])))
        }
        try client.apply(
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Pod")), ("metadata", .object(metadata)),
                ("spec", .object(spec)),
            ]))
        let ready = Document.object([("type", .string("Ready")), ("status", .string("True"))])
        try client.mergePatch(
            .pods, name, namespace: "default",
            patch: .object([
                ("status", .object([("phase", .string("Running")), ("conditions", .array([ready]))]))
            ]), subresource: "status")
    }

    /// A PodDisruptionBudget that keeps at least one pod labelled `app` running.
    func budget(_ name: String, app: String) throws {
        try client.apply(
            .object([
                ("apiVersion", .string("policy/v1")), ("kind", .string("PodDisruptionBudget")),
                ("metadata", .object([("name", .string(name)), ("namespace", .string("default"))])),
                (
                    "spec",
                    .object([
                        ("minAvailable", .int(1)),
                        ("selector", .object([("matchLabels", .object([("app", .string(app))]))])),
                    ])
                ),
            ]))
    }

    func exists(pod name: String) -> Bool { sim.object(path: "/api/v1/namespaces/default/pods/\(name)") != nil }

    func requests(_ prefix: String) -> [String] { sim.requestLog.filter { $0.hasPrefix(prefix) } }

    var unschedulable: Bool {
        (sim.object(path: "/api/v1/nodes/k3s-wk-01") ?? "").contains(#""unschedulable":true"#)
    }
}
