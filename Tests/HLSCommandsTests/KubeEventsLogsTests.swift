import Foundation
import HLSCore
import Kube
import LabSim
import TestSupport
import XCTest

/// `kube events` and `kube logs` through the interpreter against the simulated Kubernetes API.
final class KubeEventsLogsTests: XCTestCase {
    func testEventsAreTheKubeletsOldestFirstAndForOneObject() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01", bootID: "boot-1")
        // The machine reboots: its kubelet registers again with a new boot id.
        try kube.registerNode("k3s-wk-01", ready: false, bootID: "boot-1")
        try kube.registerNode("k3s-wk-01", bootID: "boot-2")
        try kube.client.mergePatch(
            .nodes, "k3s-wk-01", patch: .object([("spec", .object([("unschedulable", .bool(true))]))]))
        // An older event stored under a name that sorts last comes first: the order is by time.
        try kube.create(
            """
            apiVersion: v1
            kind: Event
            metadata: {name: zzz-old, namespace: default}
            involvedObject: {kind: Node, name: k3s-wk-01, uid: k3s-wk-01}
            reason: NodeNotReady
            message: "Node k3s-wk-01 status is now: NodeNotReady"
            type: Normal
            firstTimestamp: "2020-01-01T00:00:00Z"
            lastTimestamp: "2020-01-01T00:00:00Z"
            count: 1
            source: {component: kubelet, host: k3s-wk-01}
            """)

        let reasons = kube.run(
            "kube events --for node/k3s-wk-01 | get reason | to json --compact")
        XCTAssertEqual(reasons.status, 0, reasons.err)
        let start =
            #""Starting","NodeHasSufficientMemory","NodeHasNoDiskPressure","NodeHasSufficientPID","#
            + #""NodeAllocatableEnforced","#
        XCTAssertEqual(
            reasons.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"["NodeNotReady","# + start + #""RegisteredNode","NodeReady","# + start + #""NodeNotReady","#
                + start + #""Rebooted","NodeReady","NodeNotSchedulable"]"#)
        let row = kube.run(
            "kube events --for no/k3s-wk-01 | last | select type reason object message | to json --compact")
        XCTAssertEqual(
            row.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"{"type":"Normal","reason":"NodeNotSchedulable","object":"Node/k3s-wk-01","#
                + #""message":"Node k3s-wk-01 status is now: NodeNotSchedulable"}"#, row.err)
        let warnings = kube.run(
            #"kube events -A | where type == "Warning" | select namespace reason | to json --compact"#)
        XCTAssertEqual(
            warnings.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"namespace":"default","reason":"Rebooted"}]"#, warnings.err)
        let rebooted = kube.run(#"kube events --for node/k3s-wk-01 | where reason == "Rebooted" | get message"#)
        XCTAssertEqual(
            rebooted.out.trimmingCharacters(in: .whitespacesAndNewlines),
            "Node k3s-wk-01 has been rebooted, boot id: boot-2", rebooted.err)
        XCTAssertTrue(
            kube.sim.requestLog.contains {
                $0.contains("/events?")
                    && $0.contains("fieldSelector=involvedObject.kind=Node,involvedObject.name=k3s-wk-01")
            }, "the server filters: \(kube.sim.requestLog.filter { $0.contains("events") })")

        let raw = kube.run("kube events --for node/k3s-wk-01 -o json")
        let objects = try JSONSerialization.jsonObject(with: Data(raw.out.utf8)) as? [[String: Any]]
        XCTAssertEqual(objects?.first?["kind"] as? String, "Event", raw.out)
        XCTAssertEqual((objects?.last?["source"] as? [String: String])?["component"], "kubelet", raw.out)

        let bad = kube.run("kube events --for pod")
        XCTAssertEqual(bad.status, 2, bad.err)
        XCTAssertTrue(bad.err.contains("--for takes KIND/NAME"), bad.err)
    }

    func testEventsWatchPrintsTheListThenEachNewEventUntilCtrlC() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        let watch = BackgroundRun("kube events -w --for node/k3s-wk-01", on: kube)
        XCTAssertTrue(watch.waitForOutput("NodeReady"), watch.text)
        try kube.client.mergePatch(
            .nodes, "k3s-wk-01", patch: .object([("spec", .object([("unschedulable", .bool(true))]))]))
        XCTAssertTrue(watch.waitForOutput("NodeNotSchedulable"), watch.text)
        watch.cancellation.cancel()
        let result = try XCTUnwrap(watch.result(), "-w stops on Ctrl-C")
        let lines = watch.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.contains("reason") }.count, 1, "one header: \(lines)")
        XCTAssertTrue(lines.first?.contains("message") ?? false, "\(lines)")
        XCTAssertTrue(lines.last?.contains("Node/k3s-wk-01") ?? false, "\(lines)")
        XCTAssertTrue(lines.last?.contains("NodeNotSchedulable") ?? false, "the new event comes last: \(lines)")
        XCTAssertEqual(lines.count, 1 + 7 + 1, "\(lines)")
        XCTAssertNotEqual(result.status, 1, result.err)
    }

    /// A pod bound to the worker, run by its kubelet.
    private func runningPod(_ kube: KubeHarness, _ name: String, containers: [String]) throws {
        let list = containers.map { "{name: \($0), image: nginx}" }.joined(separator: ", ")
        try kube.create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name), namespace: default}\n"
                + "spec: {nodeName: k3s-wk-01, containers: [\(list)]}\n")
        let ready = kube.run("kube wait pod \(name) --for condition=Ready --timeout 10s")
        XCTAssertEqual(ready.status, 0, ready.err)
    }

    func testLogsReadAContainerWithTailAndGiveTheServersErrors() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try runningPod(kube, "web", containers: ["web"])
        try runningPod(kube, "two", containers: ["a", "b"])
        try kube.sim.appendLog(namespace: "default", pod: "web", container: "web", "GET / 200\nGET /health 200")

        let all = kube.run("kube logs web")
        XCTAssertEqual(all.status, 0, all.err)
        XCTAssertEqual(all.out, "hlsh-sim: container web started (image nginx)\nGET / 200\nGET /health 200\n")
        XCTAssertEqual(kube.run("kube logs web --tail 1").out, "GET /health 200\n")
        XCTAssertEqual(kube.run("kube logs web --since 1h | lines | count").out, "3\n")
        XCTAssertEqual(kube.run("kube logs two -c b").out, "hlsh-sim: container b started (image nginx)\n")

        let ambiguous = kube.run("kube logs two")
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(
            ambiguous.err.contains("a container name must be specified for pod two, choose one of: [a b]"),
            ambiguous.err)
        let unknown = kube.run("kube logs two -c x")
        XCTAssertTrue(unknown.err.contains("container x is not valid for pod two"), unknown.err)
        let missing = kube.run("kube logs nope")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains(#"pods "nope" not found"#), missing.err)
        try kube.registerNode("k3s-wk-02", ready: false)
        try kube.create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: later, namespace: default}\n"
                + "spec: {nodeName: k3s-wk-02, containers: [{name: app, image: nginx}]}\n")
        let waiting = kube.run("kube logs later")
        XCTAssertTrue(
            waiting.err.contains(#"container "app" in pod "later" is waiting to start: ContainerCreating"#), waiting.err
        )
    }

    /// `kube logs deploy/web`, as kubectl takes it: one pod of the Deployment's selector, and a
    /// note naming it when there are several; a kind without a selector is refused.
    func testLogsOfAWorkloadReadOneOfItsPodsAsKubectlDoes() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.create(TestManifests.webDeployment(image: "nginx"))
        let available = kube.run("kube wait deploy web --for condition=Available --timeout 20s")
        XCTAssertEqual(available.status, 0, available.err)
        let logs = kube.run("kube logs deploy/web")
        XCTAssertEqual(logs.status, 0, logs.err)
        XCTAssertEqual(logs.out, "hlsh-sim: container web started (image nginx)\n")
        XCTAssertTrue(logs.err.hasPrefix("found 2 pods, using pod/web-"), logs.err)
        let pod = try XCTUnwrap(logs.err.split(separator: "/").last).trimmingCharacters(in: .newlines)
        XCTAssertEqual(kube.run("kube logs pod/\(pod)").out, logs.out)
        try kube.create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\n")
        let refused = kube.run("kube logs cm/settings")
        XCTAssertEqual(refused.status, 2, refused.err)
        XCTAssertTrue(refused.err.contains("configmaps/settings has no pod selector"), refused.err)
    }

    func testKubectlLogsGivesTheSameLinesAsKubeLogs() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try runningPod(kube, "web", containers: ["web"])
        try kube.sim.appendLog(namespace: "default", pod: "web", container: "web", "GET / 200\nGET /health 200")
        let arguments = ["--kubeconfig", kube.environment["KUBECONFIG"]!, "--cache-dir", kube.dir.file("cache")]
        for (hlsh, kubectl) in [
            ("kube logs web", ["logs", "web"]), ("kube logs web --tail 2", ["logs", "web", "--tail=2"]),
        ] {
            let ours = kube.run(hlsh)
            XCTAssertEqual(ours.status, 0, ours.err)
            let theirs = try runProcess(
                try Kubectl.path(), arguments + kubectl, environment: ["HOME": kube.dir.path, "PATH": "/usr/bin:/bin"])
            XCTAssertEqual(theirs.status, 0, theirs.stderr)
            XCTAssertEqual(theirs.stdout, ours.out, hlsh)
        }
    }

    func testLogsFollowPrintsNewLinesAndStopsOnCtrlCOrWhenThePodGoes() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try runningPod(kube, "web", containers: ["web"])
        for ending in ["Ctrl-C", "pod deleted"] {
            let follow = BackgroundRun("kube logs web -f", on: kube)
            XCTAssertTrue(follow.waitForOutput("started"), follow.text)
            try kube.sim.appendLog(namespace: "default", pod: "web", container: "web", "after \(ending)")
            XCTAssertTrue(follow.waitForOutput("after \(ending)\n"), "followed: \(follow.text)")
            if ending == "Ctrl-C" {
                follow.cancellation.cancel()
            } else {
                try kube.client.delete(.pods, "web", namespace: "default")
            }
            let result = try XCTUnwrap(follow.result(), "-f stops on \(ending)")
            XCTAssertNotEqual(result.status, 1, "\(ending): \(result.err)")
        }
    }
}
