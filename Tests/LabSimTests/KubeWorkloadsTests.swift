import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import LabSim

/// k3s's built-in kube-controller-manager and kube-scheduler in the simulated cluster, driven
/// by a real kubectl: Deployments get ReplicaSets and pods that the scheduler binds and the
/// kubelet starts, `rollout status` and `get deploy` read what the controllers write, scaling,
/// rollovers, cascading deletes, DaemonSets, StatefulSets, FailedScheduling and PodDisruptionBudgets.
final class KubeWorkloadsTests: XCTestCase {
    private func cluster(
        nodes: [String] = ["k3s-wk-01", "k3s-wk-02"], taints: [String: String] = [:],
        options: KubeAPISimulator.Options = KubeAPISimulator.Options()
    ) throws -> KubeSimFixture {
        let kube = try KubeSimFixture(options: options)
        for (index, name) in nodes.enumerated() {
            try kube.sim.registerNode(
                KubeNodeRegistration(
                    name: name, internalIP: "192.168.10.\(31 + index)", controlPlane: false,
                    version: "v1.33.4+k3s1",
                    taints: taints[name].map { [KubeNodeRegistration.Taint(key: $0, value: "", effect: "NoSchedule")] }
                        ?? []))
        }
        return kube
    }

    /// Applies a Deployment `name` (label `app: NAME`, one container `nginx`) server-side.
    private func deploy(_ kube: KubeSimFixture, _ name: String = "web", image: String = "nginx:1.27", replicas: Int = 1)
        throws
    {
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name), namespace: default, labels: {app: \(name)}}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: {app: \(name)}}
                spec: {containers: [{name: nginx, image: "\(image)"}]}
            """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: manifest)
    }

    private func object(_ kube: KubeSimFixture, _ path: String) throws -> Document? {
        try kube.sim.object(path: path).map { try JSONCodec.decode($0) }
    }

    private func pods(_ kube: KubeSimFixture, _ selector: String) throws -> [Document] {
        try items(kube, "pods", selector)
    }

    private func replicaSets(_ kube: KubeSimFixture, _ selector: String) throws -> [Document] {
        try items(kube, "rs", selector)
    }

    private func items(_ kube: KubeSimFixture, _ kind: String, _ selector: String) throws -> [Document] {
        let out = try kube.kubectlOK(["get", kind, "-l", selector, "-o", "json"])
        return try JSONCodec.decode(out)["items"]?.items ?? []
    }

    /// The cells of `kubectl get KIND NAME`'s row but the last (AGE).
    private func row(_ kube: KubeSimFixture, _ kind: String, _ name: String) throws -> [String] {
        let lines = try kube.kubectlOK(["get", kind, name]).split(separator: "\n")
        return Array(
            (lines.last ?? "").split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.dropLast())
    }

    /// Each event's reason and message (kubectl's table of events is not served).
    private func events(_ kube: KubeSimFixture) throws -> [[String]] {
        let out = try kube.kubectlOK(["get", "events", "-o", "json"])
        return (try JSONCodec.decode(out)["items"]?.items ?? []).map {
            [$0.text("reason") ?? "", $0.text("message") ?? ""]
        }
    }

    private func eventually(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        XCTFail("never: \(what)")
    }

    func testADeploymentRollsOutThroughAReplicaSetAndReadsReadyInKubectl() throws {
        let kube = try cluster()
        try deploy(kube)
        let rollout = try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        XCTAssertTrue(rollout.hasSuffix("deployment \"web\" successfully rolled out\n"), rollout)
        let table = try kube.kubectlOK(["get", "deploy", "web"]).split(separator: "\n").map {
            $0.split(separator: " ").map(String.init)
        }
        XCTAssertEqual(table.first, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        XCTAssertEqual(table.last.map { Array($0.prefix(4)) }, ["web", "1/1", "1", "1"])

        let deployment = try XCTUnwrap(try object(kube, "/apis/apps/v1/namespaces/default/deployments/web"))
        let conditions = deployment.at(["status", "conditions"])?.items ?? []
        XCTAssertEqual(
            conditions.map { [$0.text("type"), $0.text("status"), $0.text("reason")] },
            [["Available", "True", "MinimumReplicasAvailable"], ["Progressing", "True", "NewReplicaSetAvailable"]])
        XCTAssertEqual(conditions.first?.text("message"), "Deployment has minimum availability.")
        XCTAssertEqual(deployment.at(["status", "observedGeneration"]), .int(1))
        XCTAssertNil(deployment.at(["status", "unavailableReplicas"]), "zero is left out, as the real status does")

        let sets = try replicaSets(kube, "app=web")
        XCTAssertEqual(sets.count, 1)
        let set = try XCTUnwrap(sets.first)
        let hash = try XCTUnwrap(set.text("metadata", "labels", "pod-template-hash"))
        XCTAssertEqual(set.text("metadata", "name"), "web-\(hash)")
        XCTAssertEqual(
            conditions.last?.text("message"), "ReplicaSet \"web-\(hash)\" has successfully progressed.")
        let owner = set.at(["metadata", "ownerReferences"])?.items.first
        XCTAssertEqual(owner?.text("kind"), "Deployment")
        XCTAssertEqual(owner?.text("uid"), deployment.text("metadata", "uid"))
        XCTAssertEqual(owner?.at(["controller"]), .bool(true))
        XCTAssertEqual(owner?.at(["blockOwnerDeletion"]), .bool(true))
        XCTAssertEqual(set.at(["status", "availableReplicas"]), .int(1))
        XCTAssertEqual(set.at(["status", "fullyLabeledReplicas"]), .int(1))

        let pod = try XCTUnwrap(try pods(kube, "app=web").first)
        let podName = try XCTUnwrap(pod.text("metadata", "name"))
        XCTAssertTrue(podName.hasPrefix("web-\(hash)-") && podName.count == "web-\(hash)-".count + 5, podName)
        XCTAssertEqual(pod.text("status", "phase"), "Running")
        let node = try XCTUnwrap(pod.text("spec", "nodeName"))
        XCTAssertTrue(
            try events(kube).contains(["Scheduled", "Successfully assigned default/\(podName) to \(node)"]))
        XCTAssertTrue(try events(kube).contains(["SuccessfulCreate", "Created pod: \(podName)"]))
    }

    func testScalingToThreeAndBackAndATemplateChangeRollsOver() throws {
        let kube = try cluster()
        try deploy(kube)
        try kube.kubectlOK(["scale", "deployment/web", "--replicas=3"])
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        XCTAssertTrue(try kube.kubectlOK(["get", "deploy", "web"]).contains(" 3/3 "))
        let three = try pods(kube, "app=web")
        XCTAssertEqual(three.count, 3)
        XCTAssertEqual(Set(three.compactMap { $0.text("spec", "nodeName") }).count, 2, "spread, least pods first")

        try kube.kubectlOK(["scale", "deployment/web", "--replicas=1"])
        try eventually("scaled back to one pod") { try pods(kube, "app=web").count == 1 }
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])

        try kube.kubectlOK(["set", "image", "deployment/web", "nginx=nginx:1.28"])
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        let sets = try replicaSets(kube, "app=web")
        XCTAssertEqual(sets.count, 2)
        let byImage = Dictionary(
            uniqueKeysWithValues: sets.map {
                ($0.at(["spec", "template", "spec", "containers"])?.items.first?.text("image") ?? "", $0)
            })
        XCTAssertEqual(byImage["nginx:1.27"]?.at(["spec", "replicas"]), .int(0))
        XCTAssertEqual(byImage["nginx:1.28"]?.at(["spec", "replicas"]), .int(1))
        XCTAssertEqual(byImage["nginx:1.28"]?.text("metadata", "annotations", "deployment.kubernetes.io/revision"), "2")
        try eventually("only the new pod is left") {
            try pods(kube, "app=web").map { $0.at(["spec", "containers"])?.items.first?.text("image") } == [
                "nginx:1.28"
            ]
        }
    }

    /// The same Deployment written again with every field in another order (as a client that
    /// keeps its own key order sends it: `kubectl replace --raw` sends the file as it is) is the
    /// same object to the API server, whose Go structs have no field order: no new generation,
    /// the same pod-template-hash, no rollout, the same pod.
    func testRewritingADeploymentWithItsFieldsInAnotherOrderRollsNothing() throws {
        let kube = try cluster()
        try deploy(kube)
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        let before = try pods(kube, "app=web").compactMap { $0.text("metadata", "uid") }
        XCTAssertEqual(before.count, 1)
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        let live = try XCTUnwrap(try object(kube, path))
        var reordered = live
        reordered.set("status", nil)
        reordered.set("spec", try XCTUnwrap(live["spec"]).keysReversed)
        let file = try kube.dir.write("reordered.json", JSONCodec.encode(reordered))
        try kube.kubectlOK(["replace", "--raw", path, "-f", file])
        let written = try XCTUnwrap(try object(kube, path))
        let keys = ["spec", "template", "spec", "containers"]
        XCTAssertEqual(
            written.at(keys)?.items.first?.pairs.map(\.key),
            live.at(keys)?.items.first?.pairs.map(\.key).reversed(), "stored as written")
        XCTAssertEqual(written.at(["metadata", "generation"]), .int(1), "no new generation")
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(try replicaSets(kube, "app=web").count, 1, "no second ReplicaSet")
        XCTAssertEqual(try pods(kube, "app=web").compactMap { $0.text("metadata", "uid") }, before, "the same pod")
    }

    func testDeletingADeploymentDeletesItsReplicaSetAndPods() throws {
        let kube = try cluster()
        try deploy(kube, replicas: 2)
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        XCTAssertEqual(try pods(kube, "app=web").count, 2)
        try kube.kubectlOK(["delete", "deployment", "web"])
        try eventually("dependents gone") {
            try pods(kube, "app=web").isEmpty
                && kube.kubectlOK(["get", "rs", "-o", "name"]).isEmpty
        }

        // Orphan: the ReplicaSet stays, without its owner reference, and keeps its pod.
        try deploy(kube, "api")
        try kube.kubectlOK(["rollout", "status", "deployment/api", "--timeout=30s"])
        try kube.kubectlOK(["delete", "deployment", "api", "--cascade=orphan"])
        let sets = try replicaSets(kube, "app=api")
        XCTAssertEqual(sets.count, 1)
        XCTAssertNil(sets.first?.at(["metadata", "ownerReferences"]))
        XCTAssertEqual(try pods(kube, "app=api").count, 1)
        // The same Deployment again adopts it rather than making another.
        try deploy(kube, "api")
        try kube.kubectlOK(["rollout", "status", "deployment/api", "--timeout=30s"])
        let adopted = try replicaSets(kube, "app=api")
        XCTAssertEqual(adopted.map { $0.text("metadata", "name") }, sets.map { $0.text("metadata", "name") })
        XCTAssertEqual(adopted.first?.at(["metadata", "ownerReferences"])?.items.first?.text("kind"), "Deployment")
    }

    func testADaemonSetGetsOnePodPerEligibleNodeAndAStatefulSetOrdinalPods() throws {
        let kube = try cluster(
            nodes: ["k3s-cp-01", "k3s-wk-01", "k3s-wk-02"],
            taints: ["k3s-cp-01": "node-role.kubernetes.io/control-plane"])
        let manifests = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: default}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec: {containers: [{name: agent, image: agent:1}]}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              replicas: 2
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: db, image: db:1}]}
            """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: manifests)
        try kube.kubectlOK(["rollout", "status", "daemonset/agent", "--timeout=30s"])
        let agents = try pods(kube, "app=agent")
        XCTAssertEqual(agents.compactMap { $0.text("spec", "nodeName") }.sorted(), ["k3s-wk-01", "k3s-wk-02"])
        let ds = try XCTUnwrap(try object(kube, "/apis/apps/v1/namespaces/default/daemonsets/agent"))
        for field in ["desiredNumberScheduled", "currentNumberScheduled", "numberReady", "numberAvailable"] {
            XCTAssertEqual(ds.at(["status", field]), .int(2), field)
        }
        XCTAssertEqual(ds.at(["status", "updatedNumberScheduled"]), .int(2))
        XCTAssertEqual(ds.at(["status", "numberMisscheduled"]), .int(0))
        XCTAssertEqual(
            try row(kube, "ds", "agent"), ["agent", "2", "2", "2", "2", "2", "<none>"], "DESIRED … NODE SELECTOR")

        try kube.kubectlOK(["rollout", "status", "statefulset/db", "--timeout=30s"])
        XCTAssertEqual(try pods(kube, "app=db").compactMap { $0.text("metadata", "name") }.sorted(), ["db-0", "db-1"])
        let sts = try XCTUnwrap(try object(kube, "/apis/apps/v1/namespaces/default/statefulsets/db"))
        for field in ["replicas", "readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas"] {
            XCTAssertEqual(sts.at(["status", field]), .int(2), field)
        }
        XCTAssertEqual(sts.text("status", "currentRevision"), sts.text("status", "updateRevision"))
        XCTAssertEqual(try row(kube, "sts", "db"), ["db", "2/2"])
        XCTAssertTrue(sts.text("status", "currentRevision")?.hasPrefix("db-") ?? false)
    }

    func testCordoningEveryNodeGivesFailedSchedulingAndUncordoningSchedules() throws {
        let kube = try cluster()
        try kube.kubectlOK(["cordon", "k3s-wk-01", "k3s-wk-02"])
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: v1, kind: Pod, metadata: {name: lonely, namespace: default}, "
                + "spec: {containers: [{name: nginx, image: nginx}]}}")
        let message =
            "0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: "
            + "2 Preemption is not helpful for scheduling."
        try eventually("FailedScheduling") { try events(kube).contains(["FailedScheduling", message]) }
        let pod = try XCTUnwrap(try object(kube, "/api/v1/namespaces/default/pods/lonely"))
        XCTAssertEqual(pod.text("status", "phase"), "Pending")
        XCTAssertNil(pod.text("spec", "nodeName"))
        try kube.kubectlOK(["uncordon", "k3s-wk-02"])
        try kube.kubectlOK(["wait", "--for=condition=Ready", "pod/lonely", "--timeout=30s"])
        XCTAssertEqual(
            try object(kube, "/api/v1/namespaces/default/pods/lonely")?.text("spec", "nodeName"), "k3s-wk-02")
    }

    /// kube-scheduler's VolumeBinding: a pod whose claim is missing or not yet bound (with an
    /// immediate-binding class) is not scheduled, in the scheduler's words, until the claim binds.
    func testAPodWaitsForItsClaimToExistAndBindBeforeItIsScheduled() throws {
        let kube = try cluster()
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: v1, kind: Pod, metadata: {name: stateful, namespace: default}, "
                + "spec: {containers: [{name: nginx, image: nginx}], "
                + "volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]}}")
        func message(_ reason: String) -> String {
            "0/2 nodes are available: \(reason). preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        }
        try eventually("FailedScheduling: no claim") {
            try events(kube).contains(["FailedScheduling", message("persistentvolumeclaim \"data\" not found")])
        }
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: default}, "
                + "spec: {storageClassName: '', accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}")
        try eventually("FailedScheduling: unbound") {
            try events(kube).contains(["FailedScheduling", message("pod has unbound immediate PersistentVolumeClaims")])
        }
        XCTAssertNil(try object(kube, "/api/v1/namespaces/default/pods/stateful")?.text("spec", "nodeName"))
        try kube.kubectlOK(["patch", "pvc", "data", "--type=merge", "-p", #"{"spec":{"volumeName":"pv-data"}}"#])
        try kube.kubectlOK(
            ["patch", "pvc", "data", "--subresource=status", "--type=merge", "-p", #"{"status":{"phase":"Bound"}}"#])
        try kube.kubectlOK(["wait", "--for=condition=Ready", "pod/stateful", "--timeout=30s"])
    }

    func testAnEvictionABudgetForbidsAnswers429AndADrainMovesControlledPods() throws {
        let kube = try cluster()
        try deploy(kube)
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: web, namespace: default}, "
                + "spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}}")
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        try eventually("the budget's status") {
            try object(kube, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web")?.at([
                "status", "currentHealthy",
            ]) == .int(1)
        }
        let pdb = try XCTUnwrap(try object(kube, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"))
        XCTAssertEqual(pdb.at(["status", "desiredHealthy"]), .int(1))
        XCTAssertEqual(pdb.at(["status", "expectedPods"]), .int(1))
        XCTAssertEqual(pdb.at(["status", "disruptionsAllowed"]), .int(0))
        XCTAssertEqual(pdb.at(["status", "observedGeneration"]), .int(1))
        XCTAssertEqual(
            try row(kube, "pdb", "web"), ["web", "1", "N/A", "0"], "MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED")
        let condition = pdb.at(["status", "conditions"])?.items.first
        XCTAssertEqual(
            [condition?.text("type"), condition?.text("status"), condition?.text("reason")],
            ["DisruptionAllowed", "False", "InsufficientPods"])

        let pod = try XCTUnwrap(try pods(kube, "app=web").first?.text("metadata", "name"))
        let eviction = #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"\#(pod)"}}"#
        let refused = try kube.kubectl(
            ["create", "--raw", "/api/v1/namespaces/default/pods/\(pod)/eviction", "-f", "-"], stdin: eviction)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.stderr.contains(
                "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget."
            ),
            refused.stderr)

        try kube.kubectlOK(["delete", "pdb", "web"])
        let from = try XCTUnwrap(try pods(kube, "app=web").first?.text("spec", "nodeName"))
        let out = try kube.kubectlOK(["drain", from, "--timeout=30s"])
        XCTAssertTrue(out.contains("pod/\(pod) evicted"), out)
        try kube.kubectlOK(["rollout", "status", "deployment/web", "--timeout=30s"])
        let moved = try XCTUnwrap(try pods(kube, "app=web").first)
        XCTAssertNotEqual(moved.text("metadata", "name"), pod)
        XCTAssertNotEqual(moved.text("spec", "nodeName"), from, "recreated on the node left schedulable")
    }

    /// A DaemonSet, a Deployment and a StatefulSet whose pods must be ready for an hour
    /// (`minReadySeconds: 3600`) before they count as available.
    private func slowToAvailable(_ kube: KubeSimFixture) throws {
        let manifests = ["DaemonSet", "Deployment", "StatefulSet"].map { kind in
            """
            apiVersion: apps/v1
            kind: \(kind)
            metadata: {name: \(kind.lowercased()), namespace: default}
            spec:
              minReadySeconds: 3600
              selector: {matchLabels: {app: \(kind.lowercased())}}
              \(kind == "StatefulSet" ? "serviceName: slow\n  " : "")template:
                metadata: {labels: {app: \(kind.lowercased())}}
                spec: {containers: [{name: c, image: slow:1}]}
            """
        }
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: manifests.joined(separator: "\n---\n"))
    }

    /// `(numberReady, numberAvailable)` of the DaemonSet and `(readyReplicas, availableReplicas)`
    /// of the ReplicaSet and the StatefulSet (0 for a count left out).
    private func readyAndAvailable(_ kube: KubeSimFixture) throws -> [[Int]] {
        func count(_ object: Document?, _ field: String) -> Int {
            if case .int(let n)? = object?.at(["status", field]) { return n }
            return 0
        }
        let ds = try object(kube, "/apis/apps/v1/namespaces/default/daemonsets/daemonset")
        let rs = try replicaSets(kube, "app=deployment").first
        let sts = try object(kube, "/apis/apps/v1/namespaces/default/statefulsets/statefulset")
        return [
            [count(ds, "numberReady"), count(ds, "numberAvailable")],
            [count(rs, "readyReplicas"), count(rs, "availableReplicas")],
            [count(sts, "readyReplicas"), count(sts, "availableReplicas")],
        ]
    }

    /// ADR 0058: an hour of `minReadySeconds` is 3.6 s of wall time at a requeue scale of 0.001;
    /// at scale 1 the ready pods stay unavailable.
    func testMinReadySecondsPassAtTheRequeueScale() throws {
        var options = KubeAPISimulator.Options()
        options.requeueScale = 0.001
        let fast = try cluster(options: options)
        try slowToAvailable(fast)
        try eventually("an hour of minReadySeconds passed at scale 0.001", timeout: 30) {
            try readyAndAvailable(fast) == [[2, 2], [1, 1], [1, 1]]
        }

        let real = try cluster()
        try slowToAvailable(real)
        try eventually("every pod ready") { try readyAndAvailable(real).map(\.first) == [2, 1, 1] }
        XCTAssertEqual(try readyAndAvailable(real), [[2, 0], [1, 0], [1, 0]], "ready, not yet for an hour")
        let ds = try XCTUnwrap(try object(real, "/apis/apps/v1/namespaces/default/daemonsets/daemonset"))
        XCTAssertEqual(ds.at(["status", "numberUnavailable"]), .int(2))
    }

    func testAnInstalledControllerActsOnceItsDeploymentsPodRuns() throws {
        let installed = KubeControllerRunnerTests.Installed()
        let kube = try KubeSimFixture(controllers: [installed])
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: v1, kind: ConfigMap, metadata: {name: waiting, namespace: default}}")
        try deploy(kube, "counter")
        usleep(300_000)
        XCTAssertEqual(installed.seen.withLock { $0 }, 0, "acted with no node to run its pod on")
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.31", controlPlane: false, version: "v1.33.4+k3s1"))
        try eventually("reconciled once its pod runs") { installed.seen.withLock { $0 } >= 1 }
    }
}

extension Document {
    /// The document with every object's keys in reverse order, recursively.
    fileprivate var keysReversed: Document {
        switch self {
        case .object(let pairs): .object(pairs.reversed().map { ($0.key, $0.value.keysReversed) })
        case .array(let items): .array(items.map(\.keysReversed))
        default: self
        }
    }
}
