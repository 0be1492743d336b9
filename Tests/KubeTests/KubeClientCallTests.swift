import Foundation
import HLSCore
import HLSTransport
import Kube
import TestSupport
import XCTest

/// The calls on the wire, against a scripted server: the exact requests, and what becomes of the
/// answers.
final class KubeClientCallTests: XCTestCase {
    func testAMissingObjectIsNamedWithTheCall() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", "/api/v1/namespaces/x/pods/y",
                [Script.status(404, "NotFound", "pods \"y\" not found", details: ["name": "y", "kind": "pods"])])
        ])
        defer { server.stop() }
        let error = caught { try client.get(.pods, "y", namespace: "x") }
        XCTAssertEqual(error?.description, "GET /api/v1/namespaces/x/pods/y: error: pods \"y\" not found")
        XCTAssertNil(try client.getIfPresent(.pods, "y", namespace: "x"))
        let request = try XCTUnwrap(server.requests().first)
        let headers = try XCTUnwrap(request["headers"] as? [String: String])
        XCTAssertEqual(headers["Accept"], "application/json")
        XCTAssertEqual(headers["Authorization"], "Bearer tok")
    }

    func testAnErrorThatIsNotAStatusShowsTheHTTPStatus() throws {
        let (server, client) = try scriptedServer([
            Script.rule("GET", "/api/v1/nodes/n1", [Script.reply(502, "<html>bad gateway</html>")])
        ])
        defer { server.stop() }
        XCTAssertEqual(
            caught { try client.get(.nodes, "n1") }?.message, "HTTP 502 Bad Gateway: <html>bad gateway</html>")
    }

    func testAListFollowsContinueTokensToTheLastPage() throws {
        let path = "/api/v1/namespaces/default/configmaps"
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, query: ["continue": "page2"],
                [
                    Script.reply(
                        200,
                        [
                            "kind": "ConfigMapList", "metadata": ["resourceVersion": "42"],
                            "items": [["metadata": ["name": "c"]]],
                        ])
                ]),
            Script.rule(
                "GET", path,
                [
                    Script.reply(
                        200,
                        [
                            "kind": "ConfigMapList", "metadata": ["resourceVersion": "41", "continue": "page2"],
                            "items": [["metadata": ["name": "a"]], ["metadata": ["name": "b"]]],
                        ])
                ]),
        ])
        defer { server.stop() }
        let resource = KubeResource(group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true)
        let list = try client.list(
            resource, namespace: "default", options: KubeListOptions(labelSelector: "app=web", limit: 2))
        XCTAssertEqual(list.items.count, 3)
        XCTAssertEqual(list.items.last?["metadata"]?["name"], .string("c"))
        XCTAssertEqual(list.resourceVersion, "42")
        XCTAssertEqual(list.kind, "ConfigMapList")
        XCTAssertEqual(
            try paths(server),
            [
                "GET \(path)?labelSelector=app%3Dweb&limit=2",
                "GET \(path)?continue=page2&labelSelector=app%3Dweb&limit=2",
            ])
    }

    func testServerSideApplySendsTheManifestAndAConflictNamesTheFieldsAndTheirManagers() throws {
        let object = "/api/v1/namespaces/default/configmaps/cfg"
        let conflict = Script.status(
            409, "Conflict",
            "Apply failed with 2 conflicts: conflict with \"kubectl-client-side-apply\" using v1: .data.a\nconflict with \"flux\": .data.b",
            details: [
                "name": "cfg", "kind": "configmaps",
                "causes": [
                    [
                        "reason": "FieldManagerConflict", "field": ".data.a",
                        "message": "conflict with \"kubectl-client-side-apply\" using v1",
                    ],
                    ["reason": "FieldManagerConflict", "field": ".data.b", "message": "conflict with \"flux\""],
                ],
            ])
        let applied: [String: Any] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"]]
        let (server, client) = try scriptedServer(
            coreDiscovery([configMapsResource]) + [
                Script.rule("PATCH", object, query: ["force": "true"], [Script.reply(200, applied)]),
                Script.rule("PATCH", object, [conflict]),
            ])
        defer { server.stop() }
        let manifest = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
            ("metadata", .object([("name", .string("cfg"))])), ("data", .object([("a", .string("1"))])),
        ])
        let error = caught { try client.apply(manifest) }
        XCTAssertEqual(
            error?.message,
            "apply of configmaps/cfg in namespace default conflicts on 2 fields other managers own: "
                + ".data.a (owned by kubectl-client-side-apply), .data.b (owned by flux)")
        XCTAssertEqual(error?.place?.description, "PATCH \(object)?fieldManager=hlsh")
        XCTAssertTrue(error?.hint?.hasPrefix("flux, kubectl-client-side-apply set them; apply with force") ?? false)
        XCTAssertEqual(try client.apply(manifest, force: true)["metadata"]?["name"], .string("cfg"))

        let patches = try server.requests().filter { $0["method"] as? String == "PATCH" }
        XCTAssertEqual(
            patches.map { $0["path"] as? String },
            ["\(object)?fieldManager=hlsh", "\(object)?fieldManager=hlsh&force=true"])
        let headers = try XCTUnwrap(patches[0]["headers"] as? [String: String])
        XCTAssertEqual(headers["Content-Type"], "application/apply-patch+yaml")
        XCTAssertEqual(
            patches[0]["body"] as? String,
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}}"#)
    }

    func testMergePatchOfTheStatusAndDeleteWithPropagation() throws {
        let object = "/api/v1/namespaces/default/configmaps/cfg"
        let (server, client) = try scriptedServer([
            Script.rule("PATCH", object + "/status", [Script.reply(200, ["kind": "ConfigMap"])]),
            Script.rule("DELETE", object, [Script.reply(200, ["kind": "Status", "status": "Success"])]),
            Script.rule("DELETE", object + "x", [Script.status(404, "NotFound", "configmaps \"cfgx\" not found")]),
        ])
        defer { server.stop() }
        let resource = KubeResource(group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true)
        try client.mergePatch(
            resource, "cfg", patch: .object([("status", .object([("phase", .null)]))]), subresource: "status")
        try client.delete(resource, "cfg", propagation: .foreground)
        XCTAssertNil(try client.delete(resource, "cfgx", ignoreMissing: true))
        let requests = try server.requests()
        XCTAssertEqual(requests[0]["path"] as? String, object + "/status?fieldManager=hlsh")
        XCTAssertEqual((requests[0]["headers"] as? [String: String])?["Content-Type"], "application/merge-patch+json")
        XCTAssertEqual(requests[0]["body"] as? String, #"{"status":{"phase":null}}"#)
        XCTAssertEqual(
            requests[1]["body"] as? String,
            #"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"}"#)
    }

    func testEvictionRetriesWhileADisruptionBudgetBlocksIt() throws {
        let path = "/api/v1/namespaces/web/pods/p1/eviction"
        let blocked = Script.status(
            429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.")
        let (server, client) = try scriptedServer([
            Script.rule("POST", path, [blocked, blocked, Script.reply(201, ["kind": "Status", "status": "Success"])]),
            Script.rule("POST", "/api/v1/namespaces/web/pods/p2/eviction", [blocked]),
            Script.rule(
                "POST", "/api/v1/namespaces/web/pods/p3/eviction",
                [
                    Script.reply(429, ["kind": "Status", "code": 429], headers: [["Retry-After", "1"]]),
                    Script.reply(200, [:]),
                ]),
        ])
        defer { server.stop() }
        XCTAssertEqual(try client.evict(pod: "p1", namespace: "web", timeout: .seconds(5)), .evicted)
        let evictions = try server.requests()
        XCTAssertEqual(evictions.count, 3)
        XCTAssertEqual(
            evictions[0]["body"] as? String,
            #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p1","namespace":"web"}}"#)

        let error = caught { try client.evict(pod: "p2", namespace: "web", timeout: .milliseconds(300)) }
        XCTAssertEqual(error?.kind, .timeout)
        XCTAssertTrue(
            error?.message.hasPrefix("pod web/p2 could not be evicted within 300ms") ?? false,
            "\(String(describing: error))")
        XCTAssertTrue(error?.message.hasSuffix("would violate the pod's disruption budget.") ?? false)

        let started = ContinuousClock.now
        XCTAssertEqual(try client.evict(pod: "p3", namespace: "web", timeout: .seconds(5)), .evicted)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(950), "Retry-After: 1 is honoured")
    }

    func testAnUnreachableAPIIsNamedWithTheContextAndTheServer() throws {
        let port = try freeLoopbackPort()
        let client = KubeClient(
            endpoint: KubeEndpoint(
                context: "homelab", cluster: "lab", user: "admin", server: "http://127.0.0.1:\(port)"),
            retry: .never)
        let error = caught { try client.get(.nodes, "n1") }
        XCTAssertEqual(
            error?.message,
            "Kubernetes API of context homelab (http://127.0.0.1:\(port)): cannot connect to http://127.0.0.1:\(port)")
        XCTAssertEqual(error?.place?.description, "GET /api/v1/nodes/n1")
        XCTAssertTrue(error?.hint?.contains("is the cluster up") ?? false)
    }

    func testARefusedTokenIsNamedWithTheUserAndContext() throws {
        let (server, client) = try scriptedServer([
            Script.rule("GET", "/api/v1/nodes", [Script.status(401, "Unauthorized", "Unauthorized")])
        ])
        defer { server.stop() }
        let error = caught { try client.list(.nodes) }
        XCTAssertEqual(
            error?.message,
            "the Kubernetes API of context lab (\(server.baseURL)) refused the credentials of user admin: Unauthorized")
        XCTAssertEqual(error?.hint, "the bearer token of user admin is wrong or has expired")
    }
}
