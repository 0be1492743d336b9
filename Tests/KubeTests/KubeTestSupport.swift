import Foundation
import HLSCore
import HLSTransport
import Kube
import TestSupport
import XCTest

/// Builds the script of a scripted `HTTPServerFixture` (see its documentation).
enum Script {
    static func rule(
        _ method: String, _ path: String, query: [String: String] = [:], _ responses: [[String: Any]]
    ) -> [String: Any] {
        ["method": method, "path": path, "query": query, "responses": responses]
    }

    static func reply(_ status: Int = 200, _ body: Any, headers: [[String]] = []) -> [String: Any] {
        ["status": status, "body": body is String ? body : json(body), "headers": headers]
    }

    static func stream(_ chunks: [String], drop: Bool = false) -> [String: Any] {
        ["status": 200, "chunks": chunks, "drop": drop, "interval": 0.005]
    }

    /// A `Status` body.
    static func status(
        _ code: Int, _ reason: String, _ message: String, details: [String: Any] = [:]
    ) -> [String: Any] {
        reply(
            code,
            [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": message,
                "reason": reason, "details": details, "code": code,
            ])
    }

    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    static func text(_ rules: [[String: Any]]) -> String { json(rules) }
}

/// A scripted API server and a client of it (context `lab`, user `admin`, bearer token `tok`).
func scriptedServer(_ rules: [[String: Any]]) throws -> (HTTPServerFixture, KubeClient) {
    let server = try HTTPServerFixture(script: Script.text(rules))
    let client = KubeClient(
        endpoint: KubeEndpoint(
            context: "lab", cluster: "lab", user: "admin", server: server.baseURL, credential: .token("tok")),
        retry: .never, evictionRetryDelay: .milliseconds(50))
    return (server, client)
}

/// The `HLSError` `body` throws, or nil when it returns (any other error fails the test).
func caught<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> HLSError? {
    do {
        _ = try body()
        return nil
    } catch let error as HLSError {
        return error
    } catch {
        XCTFail("expected an HLSError, got \(error)", file: file, line: line)
        return nil
    }
}

/// `path` (with query) of each request the server got.
func paths(_ server: HTTPServerFixture) throws -> [String] {
    try server.requests().map { "\($0["method"]!) \($0["path"]!)" }
}

/// Legacy discovery for a server with `resources` in the core group only.
func coreDiscovery(_ resources: [[String: Any]]) -> [[String: Any]] {
    [
        Script.rule("GET", "/api", [Script.reply(200, ["kind": "APIVersions", "versions": ["v1"]])]),
        Script.rule("GET", "/apis", [Script.reply(200, ["kind": "APIGroupList", "groups": []])]),
        Script.rule(
            "GET", "/api/v1",
            [Script.reply(200, ["kind": "APIResourceList", "groupVersion": "v1", "resources": resources])]),
    ]
}

var configMapsResource: [String: Any] {
    [
        "name": "configmaps", "singularName": "configmap", "namespaced": true, "kind": "ConfigMap",
        "verbs": ["get", "list", "watch", "patch"], "shortNames": ["cm"],
    ]
}
