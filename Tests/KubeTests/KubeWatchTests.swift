import Foundation
import HLSCore
import HLSTransport
import Kube
import TestSupport
import XCTest

/// Watches on the wire: events cut at any byte, bookmarks, a stream that drops, and 410 in both
/// of its forms.
final class KubeWatchTests: XCTestCase {
    let path = "/api/v1/namespaces/default/pods"

    func list(_ version: String, _ names: [String]) -> [String: Any] {
        Script.reply(
            200,
            [
                "kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": version],
                "items": names.map { ["metadata": ["name": $0]] },
            ])
    }

    func event(_ type: String, _ name: String, _ version: String) -> String {
        Script.json(["type": type, "object": ["kind": "Pod", "metadata": ["name": name, "resourceVersion": version]]])
            + "\n"
    }

    /// `text` cut into pieces of 1, 2, 3, … bytes (so boundaries fall everywhere, also inside
    /// strings and escapes).
    func pieces(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        var size = 1
        while !rest.isEmpty {
            out.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
            size = size % 7 + 1
        }
        return out
    }

    /// What the receiver saw, in a form easy to compare.
    func summary(_ event: KubeWatchEvent) -> String {
        func name(_ object: Document) -> String {
            if case .string(let name)? = object["metadata"]?["name"] { return name }
            return "?"
        }
        switch event {
        case .listed(let items, let version): return "listed \(items.map(name)) at \(version)"
        case .added(let object): return "added \(name(object))"
        case .modified(let object): return "modified \(name(object))"
        case .deleted(let object): return "deleted \(name(object))"
        case .bookmark(let version): return "bookmark \(version)"
        }
    }

    func testEventsCutAtArbitraryBytesArriveWholeAndInOrder() throws {
        let tricky = Script.json([
            "type": "ADDED",
            "object": [
                "kind": "Pod", "metadata": ["name": "a", "resourceVersion": "11", "annotations": ["x": "}{\"\\"]],
            ],
        ])
        let body = tricky + event("BOOKMARK", "", "12") + event("MODIFIED", "a", "13") + event("DELETED", "a", "14")
        let (server, client) = try scriptedServer([
            Script.rule("GET", path, query: ["watch": "true"], [Script.stream(pieces(body))]),
            Script.rule("GET", path, [list("10", [])]),
        ])
        defer { server.stop() }
        var seen: [String] = []
        let stopped = try client.watch(.pods, namespace: "default", deadline: .now + .seconds(10)) { event in
            seen.append(summary(event))
            if case .deleted = event { return .stop }
            return .continue
        }
        XCTAssertTrue(stopped)
        XCTAssertEqual(seen, ["listed [] at 10", "added a", "bookmark 12", "modified a", "deleted a"])
        let sent = try paths(server)
        XCTAssertEqual(sent.first, "GET \(path)?limit=500")
        XCTAssertTrue(
            sent.last?.wholeMatch(
                of:
                    /GET \/api\/v1\/namespaces\/default\/pods\?allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=(10|11)&watch=true/
            ) != nil, "\(sent)")
    }

    func testADroppedStreamResumesFromTheLastVersionAndAn410EventListsAgain() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, query: ["watch": "true", "resourceVersion": "10"],
                [Script.stream([event("ADDED", "x", "11"), event("BOOKMARK", "", "15")], drop: true)]),
            Script.rule(
                "GET", path, query: ["watch": "true", "resourceVersion": "15"],
                [
                    Script.stream([
                        Script.json([
                            "type": "ERROR",
                            "object": [
                                "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410,
                                "reason": "Expired", "message": "too old resource version: 15 (20)",
                            ],
                        ]) + "\n"
                    ])
                ]),
            Script.rule(
                "GET", path, query: ["watch": "true", "resourceVersion": "20"],
                [Script.stream([event("ADDED", "c", "21")])]),
            Script.rule("GET", path, [list("10", ["a"]), list("20", ["a", "b"])]),
        ])
        defer { server.stop() }
        var seen: [String] = []
        let stopped = try client.watch(.pods, namespace: "default", deadline: .now + .seconds(10)) { event in
            seen.append(summary(event))
            if case .added(let object) = event, object["metadata"]?["name"] == .string("c") { return .stop }
            return .continue
        }
        XCTAssertTrue(stopped)
        XCTAssertEqual(
            seen, ["listed [\"a\"] at 10", "added x", "bookmark 15", "listed [\"a\", \"b\"] at 20", "added c"])
        XCTAssertEqual(
            try paths(server).map { $0.replacing(/timeoutSeconds=\d+&/, with: "") },
            [
                "GET \(path)?limit=500",
                "GET \(path)?allowWatchBookmarks=true&resourceVersion=10&watch=true",
                "GET \(path)?allowWatchBookmarks=true&resourceVersion=15&watch=true",
                "GET \(path)?limit=500",
                "GET \(path)?allowWatchBookmarks=true&resourceVersion=20&watch=true",
            ])
    }

    func testAn410StatusListsAgainAndOtherErrorEventsAreThrown() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, query: ["watch": "true", "resourceVersion": "10"],
                [Script.status(410, "Gone", "too old resource version")]),
            Script.rule(
                "GET", path, query: ["watch": "true", "resourceVersion": "20"],
                [
                    Script.stream([
                        Script.json([
                            "type": "ERROR",
                            "object": [
                                "kind": "Status", "code": 500, "reason": "InternalError", "message": "etcd is down",
                            ],
                        ])
                    ])
                ]),
            Script.rule("GET", path, [list("10", []), list("20", ["b"])]),
        ])
        defer { server.stop() }
        var seen: [String] = []
        let error = caught {
            try client.watch(.pods, namespace: "default", deadline: .now + .seconds(10)) { event in
                seen.append(summary(event))
                return .continue
            }
        }
        XCTAssertEqual(seen, ["listed [] at 10", "listed [\"b\"] at 20"])
        XCTAssertEqual(error?.message, "etcd is down")
    }

    func testAWatchThatGoesSilentIsReopenedWithinItsRequestLimitFromTheLastVersion() throws {
        // The server sends one event, then nothing for a minute, ignoring timeoutSeconds: a
        // connection gone half-open looks like this from the client.
        var silent = Script.stream([event("ADDED", "a", "11")])
        silent["interval"] = 60
        let server = try HTTPServerFixture(
            script: Script.text([Script.rule("GET", path, query: ["watch": "true"], [silent])]))
        defer { server.stop() }
        let client = KubeClient(
            endpoint: KubeEndpoint(
                context: "lab", cluster: "lab", user: "admin", server: server.baseURL, credential: .token("tok")),
            retry: .never, watchTimeout: .seconds(1))
        var seen: [String] = []
        let stopped = try client.watch(
            .pods, namespace: "default", resourceVersion: "10", deadline: .now + .seconds(10)
        ) { event in
            seen.append(summary(event))
            return seen.count == 2 ? .stop : .continue
        }
        XCTAssertTrue(stopped, "the silent watch was not reopened before the deadline: \(seen)")
        XCTAssertEqual(seen, ["added a", "added a"])
        let watches = try server.requests().compactMap { $0["path"] as? String }
        XCTAssertEqual(watches.count, 2, "\(watches)")
        XCTAssertTrue(watches.first?.contains("timeoutSeconds=1") ?? false, "\(watches)")
        XCTAssertTrue(
            watches.last?.contains("resourceVersion=11") ?? false, "reopened from the last version: \(watches)")
    }

    func testTheWatchEndsAtItsDeadline() throws {
        let (server, client) = try scriptedServer([
            Script.rule("GET", path, query: ["watch": "true"], [Script.stream([event("ADDED", "a", "11")])]),
            Script.rule("GET", path, [list("10", [])]),
        ])
        defer { server.stop() }
        let started = ContinuousClock.now
        let stopped = try client.watch(.pods, namespace: "default", deadline: .now + .milliseconds(600)) { _ in
            .continue
        }
        XCTAssertFalse(stopped)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }
}
