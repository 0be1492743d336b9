import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// The events the simulated kubelets and node controller record, and `pods/log`, called
/// in-process on the store tests' API.
extension KubeStoreTests {
    private func node(_ name: String, ready: Bool = true, bootID: String = "boot-1") -> KubeNodeRegistration {
        var node = KubeNodeRegistration(
            name: name, internalIP: "192.168.10.22", controlPlane: false, version: "v1.33.4+k3s1", ready: ready)
        node.bootID = bootID
        return node
    }

    /// The events in `default` that the field selector picks, oldest first.
    private func events(_ selector: String) throws -> [Document] {
        let query = "fieldSelector=" + selector.replacingOccurrences(of: "=", with: "%3D")
        return try call("GET", "/api/v1/namespaces/default/events", query).body["items"]?.items ?? []
    }

    /// A `pods/log` request: the status and the body as text.
    private func log(_ pod: String, _ query: String = "") -> (status: Int, text: String) {
        let request = KubeHTTPRequest(
            method: "GET", path: "/api/v1/namespaces/default/pods/\(pod)/log",
            query: KubeHTTPRequest.parseQuery(query), headers: [], body: [], certificateUser: admin)
        guard case .complete(let response) = api.handle(request) else { return (0, "streamed") }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Waits (up to 5 s) for the simulated kubelet to start `pod`.
    private func waitRunning(_ pod: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let phase = try call("GET", "/api/v1/namespaces/default/pods/\(pod)").body.text("status", "phase")
            if phase == "Running" { return }
            usleep(20_000)
        }
        XCTFail("\(pod) never ran")
    }

    func testKubeletAndNodeControllerRecordNodeEvents() throws {
        try api.register(node("wk"))
        let all = try events("involvedObject.name=wk")
        XCTAssertEqual(
            all.compactMap { $0.text("reason") },
            [
                "Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID",
                "NodeAllocatableEnforced", "RegisteredNode", "NodeReady",
            ])
        guard all.count == 7 else { return }
        let starting = all[0]
        XCTAssertEqual(starting.text("message"), "Starting kubelet.")
        XCTAssertEqual(starting.text("type"), "Normal")
        XCTAssertEqual(
            starting.at(["involvedObject"]),
            .object([("kind", .string("Node")), ("name", .string("wk")), ("uid", .string("wk"))]))
        XCTAssertEqual(starting.at(["source"]), .object([("component", .string("kubelet")), ("host", .string("wk"))]))
        XCTAssertEqual(starting.text("reportingComponent"), "kubelet")
        XCTAssertEqual(starting.text("reportingInstance"), "wk")
        XCTAssertEqual(starting["count"], .int(1))
        XCTAssertNotNil(starting.text("firstTimestamp"))
        XCTAssertEqual(starting.text("firstTimestamp"), starting.text("lastTimestamp"))
        XCTAssertTrue(starting.text("metadata", "name")?.hasPrefix("wk.") ?? false)
        XCTAssertEqual(all[1].text("message"), "Node wk status is now: NodeHasSufficientMemory")
        let registered = all[5]
        let uid = try call("GET", "/api/v1/nodes/wk").body.text("metadata", "uid")
        XCTAssertEqual(registered.text("involvedObject", "uid"), uid, "the node controller refers to the Node's uid")
        XCTAssertEqual(registered.text("message"), "Node wk event: Registered Node wk in Controller")
        XCTAssertEqual(registered.at(["source"]), .object([("component", .string("node-controller"))]))

        // Cordon and uncordon: the node's kubelet reports the change.
        for unschedulable in [true, false] {
            try call(
                "PATCH", "/api/v1/nodes/wk", body: #"{"spec":{"unschedulable":\#(unschedulable)}}"#,
                contentType: "application/strategic-merge-patch+json")
        }
        XCTAssertEqual(
            try events("involvedObject.name=wk,source=kubelet").suffix(2).compactMap { $0.text("message") },
            ["Node wk status is now: NodeNotSchedulable", "Node wk status is now: NodeSchedulable"])

        // The kubelet stops: the node controller says NotReady; it starts again (same boot): a new
        // kubelet records new events, and no reboot.
        try api.setNodeReady("wk", false)
        let lost = try events("involvedObject.name=wk,reason=NodeNotReady")
        XCTAssertEqual(lost.map { $0.text("source", "component") }, ["node-controller"])
        try api.register(node("wk"))
        let restarted = try events("involvedObject.name=wk,reason=Starting")
        XCTAssertEqual(restarted.map { $0["count"] }, [.int(1), .int(1)], "two kubelet starts, two events")
        XCTAssertEqual(try events("involvedObject.name=wk,reason=NodeReady").count, 2)
        XCTAssertEqual(try events("involvedObject.name=wk,reason=Rebooted"), [])

        // The machine rebooted: its kubelet registers with a new boot id and says so.
        try api.setNodeReady("wk", false)
        try api.register(node("wk", bootID: "boot-2"))
        let rebooted = try events("involvedObject.name=wk,reason=Rebooted")
        XCTAssertEqual(rebooted.map { $0.text("type") }, ["Warning"])
        XCTAssertEqual(rebooted.first?.text("message"), "Node wk has been rebooted, boot id: boot-2")
        XCTAssertEqual(rebooted.first?.text("source", "component"), "kubelet")
        XCTAssertEqual(
            try events("involvedObject.name=wk,source=kubelet").suffix(2).compactMap { $0.text("reason") },
            ["Rebooted", "NodeReady"])
    }

    func testPodLogErrorsAreTheServersAndARunningPodHasItsLog() throws {
        try api.register(node("wk"))
        try api.register(node("down", ready: false))
        let pod = { (name: String, node: String?, containers: [String]) in
            let spec = containers.map { #"{"name":"\#($0)","image":"nginx"}"# }.joined(separator: ",")
            let bound = node.map { #""nodeName":"\#($0)","# } ?? ""
            return #"{"metadata":{"name":"\#(name)"},"spec":{\#(bound)"containers":[\#(spec)]}}"#
        }
        try call("POST", "/api/v1/namespaces/default/pods", body: pod("two", "wk", ["a", "b"]))
        try call("POST", "/api/v1/namespaces/default/pods", body: pod("waiting", "down", ["web"]))
        try call("POST", "/api/v1/namespaces/default/pods", body: pod("unbound", nil, ["web"]))

        let missing = try call("GET", "/api/v1/namespaces/default/pods/nope/log")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body.text("message"), #"pods "nope" not found"#)
        let unknown = try call("GET", "/api/v1/namespaces/default/pods/two/log", "container=x")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.body.text("reason"), "BadRequest")
        XCTAssertEqual(unknown.body.text("message"), "container x is not valid for pod two")
        let ambiguous = try call("GET", "/api/v1/namespaces/default/pods/two/log")
        XCTAssertEqual(ambiguous.status, 400)
        XCTAssertEqual(
            ambiguous.body.text("message"), "a container name must be specified for pod two, choose one of: [a b]")
        let waiting = try call("GET", "/api/v1/namespaces/default/pods/waiting/log")
        XCTAssertEqual(waiting.status, 400)
        XCTAssertEqual(
            waiting.body.text("message"), #"container "web" in pod "waiting" is waiting to start: ContainerCreating"#)
        XCTAssertEqual(log("unbound").status, 200)
        XCTAssertEqual(log("unbound").text, "", "a pod not on a node has an empty log")

        try waitRunning("two")
        XCTAssertEqual(log("two", "container=a").text, "hlsh-sim: container a started (image nginx)\n")
        try api.store.transact { $0.appendLog(namespace: "default", pod: "two", container: "b", "one\ntwo\nthree") }
        XCTAssertEqual(log("two", "container=b&tailLines=2").text, "two\nthree\n")
        XCTAssertEqual(log("two", "container=b&sinceSeconds=60").text.split(separator: "\n").count, 4)
        XCTAssertEqual(
            try events("involvedObject.name=two").compactMap { $0.text("reason") },
            ["Created", "Started", "Created", "Started"])
        let created = try events("involvedObject.name=two,reason=Created").first
        XCTAssertEqual(created?.text("involvedObject", "fieldPath"), "spec.containers{a}")
        XCTAssertEqual(created?.text("message"), "Created container: a")
        XCTAssertEqual(created?.at(["source"]), .object([("component", .string("kubelet")), ("host", .string("wk"))]))

        // Evicted: the kubelet stops its containers.
        try call(
            "POST", "/api/v1/namespaces/default/pods/two/eviction",
            body: #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"two","namespace":"default"}}"#)
        XCTAssertEqual(
            try events("involvedObject.name=two,reason=Killing").compactMap { $0.text("message") },
            ["Stopping container a", "Stopping container b"])
    }

    /// Whether the store still holds log lines of a container of `pod` in `namespace`.
    private func hasLogs(_ namespace: String, _ pod: String) -> Bool {
        api.store.transact { state in state.logs.keys.contains { $0.hasPrefix("\(namespace)/\(pod)/") } }
    }

    /// Waits (up to 5 s) for `condition`.
    private func eventually(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        XCTFail("never: \(what)")
    }

    func testAPodRemovedByItsLastFinalizerOrItsNamespaceIsKilledAndLosesItsLogs() throws {
        try api.register(node("wk"))
        let pod = { (name: String, finalizers: String) in
            #"{"metadata":{"name":"\#(name)","finalizers":[\#(finalizers)]},"spec":{"nodeName":"wk","containers":[{"name":"web","image":"nginx"}]}}"#
        }
        // A pod held by a finalizer: the DELETE only marks it; removing the finalizer removes it.
        try call("POST", "/api/v1/namespaces/default/pods", body: pod("held", #""example.com/hold""#))
        try waitRunning("held")
        try api.store.transact { $0.appendLog(namespace: "default", pod: "held", container: "web", "old line") }
        XCTAssertEqual(try call("DELETE", "/api/v1/namespaces/default/pods/held").status, 200)
        XCTAssertTrue(hasLogs("default", "held"), "marked for deletion, it still runs")
        try call(
            "PATCH", "/api/v1/namespaces/default/pods/held", body: #"{"metadata":{"finalizers":null}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(try call("GET", "/api/v1/namespaces/default/pods/held").status, 404)
        XCTAssertEqual(
            try events("involvedObject.name=held,reason=Killing").compactMap { $0.text("message") },
            ["Stopping container web"])
        XCTAssertFalse(hasLogs("default", "held"), "a removed pod's logs go with it")
        // A pod of the same name again has only its own log.
        try call("POST", "/api/v1/namespaces/default/pods", body: pod("held", ""))
        try waitRunning("held")
        XCTAssertEqual(log("held").text, "hlsh-sim: container web started (image nginx)\n")

        // A namespace's pods go with it (the kubelet's Killing events are refused in a
        // terminating namespace, as NamespaceLifecycle refuses them on a real cluster).
        try call("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"team"}}"#)
        try call("POST", "/api/v1/namespaces/team/pods", body: pod("web", ""))
        try eventually("team/web runs") {
            try call("GET", "/api/v1/namespaces/team/pods/web").body.text("status", "phase") == "Running"
        }
        XCTAssertTrue(hasLogs("team", "web"))
        try call("DELETE", "/api/v1/namespaces/team")
        try eventually("team is gone") { try call("GET", "/api/v1/namespaces/team").status == 404 }
        XCTAssertFalse(hasLogs("team", "web"), "a pod removed with its namespace loses its logs")
    }

    func testTheSharedReadinessAndAddressHelpersReadRegisteredNodes() throws {
        try api.register(node("up"))
        try api.register(node("down", ready: false))
        let up = try call("GET", "/api/v1/nodes/up").body
        let down = try call("GET", "/api/v1/nodes/down").body
        XCTAssertTrue(KubeStoreState.kubeletRuns(on: up))
        XCTAssertFalse(KubeStoreState.kubeletRuns(on: down))
        XCTAssertFalse(KubeStoreState.conditionIsTrue(up, "MemoryPressure"))
        XCTAssertEqual(KubeStoreState.internalIP(of: up), "192.168.10.22")
        XCTAssertNil(KubeStoreState.internalIP(of: .object([])))
        XCTAssertEqual(KubeStoreState.pods.kind, "Pod")
        XCTAssertEqual(KubeStoreState.services.storeKey, SimulatedServiceLB(runs: { true }).resource.storeKey)
    }
}
