import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import Kube

/// Names resolved as kubectl resolves them, discovery read from the wire and refreshed on a miss,
/// and the pieces under the watch (the JSON value splitter) and exec plugins (RFC 3339 times).
final class KubeDiscoveryTests: XCTestCase {
    let discovery = KubeDiscovery(resources: [
        KubeResource(
            group: "", version: "v1", name: "pods", singularName: "pod", kind: "Pod", namespaced: true,
            shortNames: ["po"]),
        KubeResource(
            group: "", version: "v1", name: "events", singularName: "event", kind: "Event", namespaced: true,
            shortNames: ["ev"]),
        KubeResource(
            group: "apps", version: "v1", name: "deployments", singularName: "deployment", kind: "Deployment",
            namespaced: true, shortNames: ["deploy"]),
        KubeResource(
            group: "events.k8s.io", version: "v1", name: "events", singularName: "event", kind: "Event",
            namespaced: true, shortNames: ["ev"]),
        KubeResource(
            group: "kustomize.toolkit.fluxcd.io", version: "v1", name: "kustomizations", singularName: "kustomization",
            kind: "Kustomization", namespaced: true, shortNames: ["ks"]),
        KubeResource(
            group: "kustomize.toolkit.fluxcd.io", version: "v1beta2", name: "kustomizations",
            singularName: "kustomization", kind: "Kustomization", namespaced: true, shortNames: ["ks"]),
    ])

    func testNamesResolveAsKubectlResolvesThem() {
        func resolved(_ word: String) -> String? {
            discovery.resolve(word).map { "\($0.name).\($0.group)/\($0.version)" }
        }
        XCTAssertEqual(resolved("po"), "pods./v1")
        XCTAssertEqual(resolved("pods"), "pods./v1")
        XCTAssertEqual(resolved("pod"), "pods./v1")
        XCTAssertEqual(resolved("Pod"), "pods./v1")
        XCTAssertEqual(resolved("deploy"), "deployments.apps/v1")
        XCTAssertEqual(resolved("deployment.apps"), "deployments.apps/v1")
        XCTAssertEqual(resolved("Deployment.apps"), "deployments.apps/v1")
        XCTAssertEqual(resolved("events"), "events./v1", "the core group comes first")
        XCTAssertEqual(resolved("events.events.k8s.io"), "events.events.k8s.io/v1")
        XCTAssertEqual(resolved("ks"), "kustomizations.kustomize.toolkit.fluxcd.io/v1", "the preferred version first")
        XCTAssertEqual(
            resolved("kustomizations.v1beta2.kustomize.toolkit.fluxcd.io"),
            "kustomizations.kustomize.toolkit.fluxcd.io/v1beta2")
        XCTAssertNil(resolved("deployments.batch"))
        XCTAssertNil(resolved("widgets"))
    }

    func testDiscoveryIsReadFromTheServerAndRefreshedWhenANameIsMissing() throws {
        let widgets: [String: Any] = [
            "name": "widgets", "singularName": "widget", "namespaced": false, "kind": "Widget", "verbs": ["get"],
        ]
        let (server, client) = try scriptedServer([
            Script.rule("GET", "/api", [Script.reply(200, ["kind": "APIVersions", "versions": ["v1"]])]),
            Script.rule(
                "GET", "/apis",
                [
                    Script.reply(
                        200,
                        [
                            "kind": "APIGroupList",
                            "groups": [
                                [
                                    "name": "example.com", "preferredVersion": ["version": "v1"],
                                    "versions": [["groupVersion": "example.com/v1", "version": "v1"]],
                                ]
                            ],
                        ])
                ]),
            Script.rule(
                "GET", "/api/v1",
                [
                    Script.reply(
                        200,
                        [
                            "kind": "APIResourceList",
                            "resources": [
                                [
                                    "name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
                                    "shortNames": ["po"],
                                ],
                                ["name": "pods/eviction", "namespaced": true, "kind": "Eviction", "group": "policy"],
                            ],
                        ])
                ]),
            // The CRD is Established between the first and the second discovery.
            Script.rule(
                "GET", "/apis/example.com/v1",
                [
                    Script.status(404, "NotFound", "the server could not find the requested resource"),
                    Script.reply(200, ["kind": "APIResourceList", "resources": [widgets]]),
                ]),
        ])
        defer { server.stop() }
        XCTAssertEqual(try client.resolve("po").subresources, ["eviction"])
        let widget = try client.resolve("widget")
        XCTAssertEqual(widget.path(namespace: "x", name: "w1"), "/apis/example.com/v1/widgets/w1", "cluster-scoped")
        XCTAssertEqual(try paths(server).filter { $0 == "GET /apis/example.com/v1" }.count, 2)
        let error = caught { try client.resolve("gadgets") }
        XCTAssertEqual(error?.message, "the server doesn't have a resource type \"gadgets\"")
    }

    func testTheSplitterCutsConcatenatedValuesWhereverThePiecesEnd() {
        let text = #"{"a":"}{\"\\"}[1,[2]]{"b":{"c":[]}}"# + "\n" + #"{"d":1}"#
        let bytes = Array(text.utf8)
        for size in 1...bytes.count {
            var splitter = JSONValueSplitter()
            var values: [String] = []
            var index = 0
            while index < bytes.count {
                values += splitter.feed(Array(bytes[index..<min(index + size, bytes.count)])).map {
                    String(decoding: $0, as: UTF8.self)
                }
                index += size
            }
            XCTAssertEqual(
                values, [#"{"a":"}{\"\\"}"#, "[1,[2]]", #"{"b":{"c":[]}}"#, #"{"d":1}"#], "pieces of \(size)")
        }
    }

    func testRFC3339TimesAsTheAPIWritesThem() {
        XCTAssertEqual(RFC3339.seconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(RFC3339.seconds("2024-02-29T12:00:00Z"), 1_709_208_000)
        XCTAssertEqual(RFC3339.seconds("2024-02-29T14:00:00+02:00"), 1_709_208_000)
        XCTAssertEqual(RFC3339.seconds("2024-02-29T12:00:00.5Z"), 1_709_208_000.5)
        XCTAssertNil(RFC3339.seconds("2024-02-29 12:00"))
        XCTAssertNil(RFC3339.seconds("2024-13-01T00:00:00Z"))
    }

    /// `now()` (the one UTC timestamp of sops's `lastmodified`, age-keygen's `# created:` and
    /// probe's `not_after`) is whole seconds with `Z`, and reads back as the time now.
    func testRFC3339NowIsTheTimeNowInWholeSecondsUTC() {
        XCTAssertEqual(RFC3339.format(1_709_208_000), "2024-02-29T12:00:00Z")
        let before = Double(time(nil))
        let now = RFC3339.now()
        XCTAssertEqual(now.count, 20, now)
        XCTAssertTrue(now.hasSuffix("Z"), now)
        let seconds = RFC3339.seconds(now) ?? 0
        XCTAssertTrue((before...(before + 2)).contains(seconds), "\(now) is not now (\(before))")
    }
}
