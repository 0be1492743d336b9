import HLSCore
import HLSFormats
import NIOPosix
import XCTest

@testable import LabSim

/// The simulated Kubernetes API's store and verbs, called in-process: selectors,
/// resourceVersion and generation bookkeeping, server-side apply, patches, pagination, eviction.
final class KubeStoreTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    var api: KubeAPI!
    let admin = KubeUser(name: "system:admin", groups: ["system:masters"])

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        api = KubeAPI(config: KubeAPIConfig(), faults: KubeFaultInjector(), controllers: group.next())
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

    /// One request as an authenticated admin; the status and the body as a document.
    @discardableResult
    func call(
        _ method: String, _ path: String, _ query: String = "", body: String = "",
        contentType: String = "application/json"
    ) throws -> (status: Int, body: Document) {
        let request = KubeHTTPRequest(
            method: method, path: path, query: KubeHTTPRequest.parseQuery(query),
            headers: [("Content-Type", contentType), ("User-Agent", "tests/1.0")], body: Array(body.utf8),
            certificateUser: admin)
        guard case .complete(let response) = api.handle(request) else {
            XCTFail("\(method) \(path) streamed")
            return (0, .null)
        }
        return (response.status, try JSONCodec.decode(String(decoding: response.body, as: UTF8.self)))
    }

    private func configMap(_ name: String, labels: String = "{}", data: String = #"{"k":"v"}"#) -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","labels":\#(labels)},"data":\#(data)}"#
    }

    func testLabelSelectorOperators() throws {
        let selector = try KubeLabelSelector(parsing: "app=web,tier!=db,env in (prod, stage),!legacy,owner")
        XCTAssertTrue(selector.matches(["app": "web", "env": "prod", "owner": "x"]))
        XCTAssertTrue(selector.matches(["app": "web", "env": "stage", "owner": "x", "tier": "front"]))
        XCTAssertFalse(selector.matches(["app": "web", "env": "prod", "owner": "x", "tier": "db"]))
        XCTAssertFalse(selector.matches(["app": "web", "env": "dev", "owner": "x"]))
        XCTAssertFalse(selector.matches(["app": "web", "env": "prod", "owner": "x", "legacy": "1"]))
        XCTAssertFalse(selector.matches(["app": "web", "env": "prod"]))
        XCTAssertTrue(try KubeLabelSelector(parsing: "env notin (prod)").matches([:]))
        XCTAssertThrowsError(try KubeLabelSelector(parsing: "app in prod")) { error in
            XCTAssertEqual((error as? KubeStatus)?.code, 400)
        }
    }

    func testListFiltersBySelectorsAndRejectsUnknownFields() throws {
        try call("POST", "/api/v1/namespaces/default/configmaps", body: configMap("a", labels: #"{"app":"web"}"#))
        try call("POST", "/api/v1/namespaces/default/configmaps", body: configMap("b", labels: #"{"app":"db"}"#))
        let web = try call("GET", "/api/v1/configmaps", "labelSelector=app%3Dweb")
        XCTAssertEqual(web.body["items"]?.items.compactMap { $0.text("metadata", "name") }, ["a"])
        let named = try call("GET", "/api/v1/namespaces/default/configmaps", "fieldSelector=metadata.name!%3Da")
        XCTAssertEqual(named.body["items"]?.items.compactMap { $0.text("metadata", "name") }, ["b"])
        XCTAssertEqual(named.body.text("kind"), "ConfigMapList")
        let bad = try call("GET", "/api/v1/configmaps", "fieldSelector=spec.nodeName%3Dx")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.body.text("message"), "field label not supported: spec.nodeName")
        let pods = try call("GET", "/api/v1/pods", "fieldSelector=spec.nodeName%3Dx")
        XCTAssertEqual(pods.status, 200)
    }

    func testResourceVersionIsOneCounterAndNoOpWritesKeepIt() throws {
        let a = try call("POST", "/api/v1/namespaces/default/configmaps", body: configMap("a"))
        let b = try call("POST", "/api/v1/namespaces/default/secrets", body: #"{"metadata":{"name":"s"}}"#)
        let rvA = Int(a.body.text("metadata", "resourceVersion") ?? "") ?? 0
        XCTAssertEqual(Int(b.body.text("metadata", "resourceVersion") ?? ""), rvA + 1)
        let same = try call(
            "PATCH", "/api/v1/namespaces/default/configmaps/a", body: #"{"data":{"k":"v"}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(same.body.text("metadata", "resourceVersion"), String(rvA), "a no-op patch writes nothing")
        let stale = try call(
            "PUT", "/api/v1/namespaces/default/configmaps/a",
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"1"},"data":{}}"#)
        XCTAssertEqual(stale.status, 409)
        XCTAssertEqual(
            stale.body.text("message"),
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
        )
        let missing = try call("GET", "/api/v1/namespaces/default/configmaps/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body.text("message"), "configmaps \"nope\" not found")
        XCTAssertEqual(missing.body.text("details", "kind"), "configmaps")
        let deployment = try call("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
        XCTAssertEqual(deployment.body.text("message"), "deployments.apps \"nope\" not found")
    }

    func testGenerationCountsSpecChangesOnly() throws {
        let deployment =
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"#
        let created = try call("POST", "/apis/apps/v1/namespaces/default/deployments", body: deployment)
        XCTAssertEqual(created.body.at(["metadata", "generation"]), .int(1))
        let labelled = try call(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", body: #"{"metadata":{"labels":{"a":"b"}}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(labelled.body.at(["metadata", "generation"]), .int(1))
        let scaled = try call(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", body: #"{"spec":{"replicas":3}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(scaled.body.at(["metadata", "generation"]), .int(2))
        let status = try call(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/status",
            body: #"{"status":{"readyReplicas":3},"spec":{"replicas":9}}"#, contentType: "application/merge-patch+json")
        XCTAssertEqual(status.body.at(["metadata", "generation"]), .int(2))
        XCTAssertEqual(status.body.at(["spec", "replicas"]), .int(3), "/status changes status only")
        XCTAssertEqual(status.body.at(["status", "readyReplicas"]), .int(3))
    }

    func testServerSideApplyConflictsAndRemovesDroppedFields() throws {
        let path = "/api/v1/namespaces/default/configmaps/cfg"
        let apply = { (manager: String, data: String, force: Bool) throws -> (status: Int, body: Document) in
            try self.call(
                "PATCH", path, "fieldManager=\(manager)" + (force ? "&force=true" : ""),
                body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":\#(data)}"#,
                contentType: "application/apply-patch+yaml")
        }
        XCTAssertEqual(try apply("alpha", #"{"x":"1","y":"2"}"#, false).status, 201)
        let conflict = try apply("beta", #"{"x":"9","z":"3"}"#, false)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.body.text("message"), "Apply failed with 1 conflict: conflict with \"alpha\": .data.x")
        XCTAssertEqual(
            conflict.body.at(["details", "causes"]),
            .array([
                .object([
                    ("reason", .string("FieldManagerConflict")), ("message", .string("conflict with \"alpha\"")),
                    ("field", .string(".data.x")),
                ])
            ]))
        XCTAssertEqual(try apply("beta", #"{"x":"1","z":"3"}"#, false).status, 200, "same value: shared, no conflict")
        XCTAssertEqual(try apply("beta", #"{"x":"9","z":"3"}"#, true).status, 200)
        let lost = try apply("alpha", #"{"x":"1"}"#, false)
        XCTAssertEqual(lost.body.text("message"), "Apply failed with 1 conflict: conflict with \"beta\": .data.x")
        let alphaDrops = try apply("alpha", #"{}"#, false)
        XCTAssertEqual(alphaDrops.body["data"], .object([("x", .string("9")), ("z", .string("3"))]), "y went")
        let missingManager = try call(
            "PATCH", path, body: "{}", contentType: "application/apply-patch+yaml")
        XCTAssertEqual(missingManager.status, 422)
        let path404 = try call(
            "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", body: "{}",
            contentType: "application/strategic-merge-patch+json")
        XCTAssertEqual(path404.status, 404, "no such resource before the CRD")
        XCTAssertEqual(path404.body.text("message"), "the server could not find the requested resource")
        let crd =
            #"{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},"versions":[{"name":"v1","served":true,"storage":true}]}}"#
        let established = try call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: crd)
        XCTAssertEqual(
            established.body.at(["status", "conditions"])?.items.map {
                "\($0.text("type") ?? "")=\($0.text("status") ?? "")"
            },
            ["NamesAccepted=True", "Established=True"])
        try call(
            "POST", "/apis/example.com/v1/namespaces/default/widgets",
            body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
        let smpOnCustom = try call(
            "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", body: "{}",
            contentType: "application/strategic-merge-patch+json")
        XCTAssertEqual(smpOnCustom.status, 415)
        XCTAssertEqual(
            smpOnCustom.body.text("message"),
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        )
    }

    func testStrategicMergeMergesContainersByName() throws {
        let pod =
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}"#
        try call("POST", "/api/v1/namespaces/default/pods", body: pod)
        let patched = try call(
            "PATCH", "/api/v1/namespaces/default/pods/p",
            body:
                #"{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b","image":"b:2"}]}}"#,
            contentType: "application/strategic-merge-patch+json")
        XCTAssertEqual(
            patched.body.at(["spec", "containers"])?.items.compactMap { $0.text("image") }, ["a:1", "b:2"])
        let merge = try call(
            "PATCH", "/api/v1/namespaces/default/pods/p",
            body: #"{"spec":{"containers":[{"name":"b","image":"b:3"}]}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(merge.body.at(["spec", "containers"])?.items.compactMap { $0.text("image") }, ["b:3"])
        let json = try call(
            "PATCH", "/api/v1/namespaces/default/pods/p",
            body:
                #"[{"op":"add","path":"/metadata/labels","value":{"x":"y"}},{"op":"replace","path":"/spec/containers/0/image","value":"c"}]"#,
            contentType: "application/json-patch+json")
        XCTAssertEqual(json.body.text("metadata", "labels", "x"), "y")
        XCTAssertEqual(json.body.at(["spec", "containers"])?.items.first?.text("image"), "c")
    }

    func testPaginationWithLimitAndContinue() throws {
        for name in ["a", "b", "c", "d", "e"] {
            try call("POST", "/api/v1/namespaces/default/configmaps", body: configMap(name))
        }
        var names: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let page = try call(
                "GET", "/api/v1/namespaces/default/configmaps", "limit=2" + (token.isEmpty ? "" : "&continue=\(token)"))
            names += page.body["items"]?.items.compactMap { $0.text("metadata", "name") } ?? []
            token = page.body.text("metadata", "continue") ?? ""
            pages += 1
        } while !token.isEmpty && pages < 10
        XCTAssertEqual(names, ["a", "b", "c", "d", "e"])
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(try call("GET", "/api/v1/configmaps", "continue=garbage").status, 400)
    }

    func testEvictionRespectsDisruptionBudget() throws {
        for name in ["web-1", "web-2"] {
            try call(
                "POST", "/api/v1/namespaces/default/pods",
                body:
                    #"{"metadata":{"name":"\#(name)","labels":{"app":"web"}},"spec":{"containers":[{"name":"w","image":"w"}]}}"#
            )
            try call(
                "PATCH", "/api/v1/namespaces/default/pods/\(name)/status",
                body: #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
                contentType: "application/merge-patch+json")
        }
        try call(
            "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
            body: #"{"metadata":{"name":"web"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}}"#)
        let eviction = { (name: String) in
            #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"\#(name)","namespace":"default"}}"#
        }
        let first = try call("POST", "/api/v1/namespaces/default/pods/web-1/eviction", body: eviction("web-1"))
        XCTAssertEqual(first.status, 201)
        XCTAssertEqual(first.body.text("status"), "Success")
        XCTAssertEqual(try call("GET", "/api/v1/namespaces/default/pods/web-1").status, 404, "evicted pods go")
        let second = try call("POST", "/api/v1/namespaces/default/pods/web-2/eviction", body: eviction("web-2"))
        XCTAssertEqual(second.status, 429)
        XCTAssertEqual(second.body.text("reason"), "TooManyRequests")
        XCTAssertEqual(second.body.text("message"), "Cannot evict pod as it would violate the pod's disruption budget.")
        XCTAssertEqual(
            second.body.at(["details", "causes"])?.items.first?.text("message"),
            "The disruption budget web needs 1 healthy pods and has 1 currently")
        XCTAssertEqual(try call("GET", "/api/v1/namespaces/default/pods/web-2").status, 200)
    }

    func testNamespaceTerminatingRefusesNewContent() throws {
        try call("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"team"}}"#)
        api.updateConfig { $0.namespaceCleanupDelay = 30 }
        let deleted = try call("DELETE", "/api/v1/namespaces/team")
        XCTAssertEqual(deleted.body.text("status", "phase"), "Terminating")
        let again = try call("DELETE", "/api/v1/namespaces/team")
        XCTAssertEqual(again.status, 409)
        let refused = try call("POST", "/api/v1/namespaces/team/configmaps", body: configMap("x"))
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(
            refused.body.text("message"),
            "configmaps \"x\" is forbidden: unable to create new content in namespace team because it is being terminated"
        )
        XCTAssertEqual(refused.body.at(["details", "causes"])?.items.first?.text("reason"), "NamespaceTerminating")
        let missing = try call("POST", "/api/v1/namespaces/nowhere/configmaps", body: configMap("x"))
        XCTAssertEqual(missing.body.text("message"), "namespaces \"nowhere\" not found")
    }

    func testUnauthenticatedRequestsGet401() throws {
        let request = KubeHTTPRequest(
            method: "GET", path: "/version", query: [], headers: [("Authorization", "Bearer wrong")], body: [],
            certificateUser: nil)
        guard case .complete(let response) = api.handle(request) else { return XCTFail("streamed") }
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(
            String(decoding: response.body, as: UTF8.self),
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
        )
    }

    func testTimeHelpers() {
        XCTAssertEqual(KubeTime.rfc3339(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(KubeTime.rfc3339(1_782_907_200), "2026-07-01T12:00:00Z")
        XCTAssertEqual(KubeTime.parse("2026-07-01T12:00:00Z"), 1_782_907_200)
        XCTAssertEqual(KubeTime.age(45), "45s")
        XCTAssertEqual(KubeTime.age(200), "3m20s")
        XCTAssertEqual(KubeTime.age(3 * 3600 + 600), "3h10m")
        XCTAssertEqual(KubeTime.age(3 * 86400 + 4 * 3600), "3d4h")
    }
}
