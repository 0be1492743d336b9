import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import Kube

/// `lokiQueryRange` on the wire, against a scripted API server that answers as the apiserver's
/// service proxy passes Loki's answers on: the request Loki's HTTP API reference describes, Loki's
/// JSON (the reference's own examples, with the statistics it documents) decoded, and whose refusal
/// each error is (the apiserver's Status, Loki's 400 text, nginx's 502 page).
final class KubeLokiQueryTests: XCTestCase {
    private let service = KubeServiceReference(namespace: "monitoring", name: "loki-gateway", port: "80")
    private let path = "/api/v1/namespaces/monitoring/services/loki-gateway:80/proxy/loki/api/v1/query_range"
    private let base: Int64 = 1_569_266_490_000_000_000

    /// A `streams` answer as Loki writes it: two streams, each newest first, and the statistics.
    private var streams: [String: Any] {
        [
            "status": "success",
            "data": [
                "resultType": "streams",
                "result": [
                    [
                        "stream": ["namespace": "apps", "pod": "web-1", "container": "web"],
                        "values": [["1569266497240578000", "GET /x 404"], ["1569266492548155000", "GET / 200"]],
                    ],
                    [
                        "stream": ["namespace": "apps", "pod": "db-0", "container": "db"],
                        "values": [["1569266495000000000", "checkpoint complete"]],
                    ],
                ],
                "stats": [
                    "summary": [
                        "bytesProcessedPerSecond": 1234, "execTime": 0.002, "linesProcessedPerSecond": 3,
                        "queueTime": 0.0001, "totalBytesProcessed": 40, "totalLinesProcessed": 3,
                    ]
                ],
            ],
        ]
    }

    func testARangeQueryGoesThroughTheServiceProxyWithLokisParametersAndMergesTheStreamsNewestFirst() throws {
        let (server, client) = try scriptedServer([Script.rule("GET", path, [Script.reply(200, streams)])])
        defer { server.stop() }
        let query = LokiQuery(
            #"{namespace="apps"} |= "GET""#, start: base + 10_000_000_000 - 3_600_000_000_000,
            end: base + 10_000_000_000, limit: 50)
        let result = try client.lokiQueryRange(query, service: service)
        XCTAssertEqual(
            result,
            .streams([
                LokiEntry(
                    labels: ["namespace": "apps", "pod": "web-1", "container": "web"], time: 1_569_266_497_240_578_000,
                    line: "GET /x 404"),
                LokiEntry(
                    labels: ["namespace": "apps", "pod": "db-0", "container": "db"], time: 1_569_266_495_000_000_000,
                    line: "checkpoint complete"),
                LokiEntry(
                    labels: ["namespace": "apps", "pod": "web-1", "container": "web"], time: 1_569_266_492_548_155_000,
                    line: "GET / 200"),
            ]))
        // start and end in nanoseconds, the query percent-encoded, sorted by name as every call is.
        XCTAssertEqual(
            try paths(server),
            [
                "GET \(path)?direction=backward&end=1569266500000000000&limit=50"
                    + "&query=%7Bnamespace%3D%22apps%22%7D%20%7C%3D%20%22GET%22&start=1569262900000000000"
            ])
        let headers = try XCTUnwrap(server.requests().first?["headers"] as? [String: String])
        XCTAssertEqual(headers["Authorization"], "Bearer tok", "the kubeconfig's credentials, nothing else")
    }

    func testForwardAsksForTheOldestFirstAndGetsThemInThatOrder() throws {
        let (server, client) = try scriptedServer([
            Script.rule("GET", path, query: ["direction": "forward"], [Script.reply(200, streams)])
        ])
        defer { server.stop() }
        let result = try client.lokiQueryRange(
            LokiQuery("{namespace=\"apps\"}", start: base, end: base + 1, forward: true), service: service)
        guard case .streams(let entries) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(entries.map(\.line), ["GET / 200", "checkpoint complete", "GET /x 404"])
    }

    func testAMetricQueryGivesEachSeriesSamples() throws {
        let matrix: [String: Any] = [
            "status": "success",
            "data": [
                "resultType": "matrix",
                "result": [
                    [
                        "metric": ["level": "info"],
                        "values": [[1_588_889_221, "137.95"], [1_588_889_521.5, "467.115"]],
                    ]
                ],
            ],
        ]
        let (server, client) = try scriptedServer([Script.rule("GET", path, [Script.reply(200, matrix)])])
        defer { server.stop() }
        let result = try client.lokiQueryRange(
            LokiQuery(
                "sum(rate({job=\"varlogs\"}[10m])) by (level)", start: base, end: base + 1, step: 90_500_000_000),
            service: service)
        XCTAssertEqual(
            result,
            .matrix([
                LokiSample(labels: ["level": "info"], time: 1_588_889_221_000_000_000, value: "137.95"),
                LokiSample(labels: ["level": "info"], time: 1_588_889_521_500_000_000, value: "467.115"),
            ]))
        // The step in seconds, as Loki reads it; a query without one leaves it to Loki.
        let sent = try paths(server)
        XCTAssertTrue(sent.first?.hasSuffix("&step=90.5") ?? false, "\(sent)")
        XCTAssertEqual(LokiQuery.seconds(60_000_000_000), "60")
        XCTAssertEqual(LokiQuery.seconds(1_000_000), "0.001")
        // A negative one (LokiQuery is public; only the verb refuses it) is sent for Loki to
        // refuse, not a trap: "-0.5" once made a string of -1 zeros.
        XCTAssertEqual(LokiQuery.seconds(-500_000_000), "-0.5")
        XCTAssertEqual(LokiQuery.seconds(.min), "-9223372036.854775808")
    }

    /// A sample time Loki could never send (past the year 2262 in nanoseconds) is a wrong
    /// answer, not a trap in the conversion.
    func testASampleTimeBeyondNanosecondsIsAWrongAnswer() throws {
        let matrix: [String: Any] = [
            "status": "success",
            "data": ["resultType": "matrix", "result": [["metric": [:], "values": [[1e300, "1"]]]]],
        ]
        let (server, client) = try scriptedServer([Script.rule("GET", path, [Script.reply(200, matrix)])])
        defer { server.stop() }
        let message = caught {
            try client.lokiQueryRange(
                LokiQuery("sum(rate({a=\"b\"}[1m]))", start: base, end: base + 1), service: service)
        }?.message
        XCTAssertEqual(message, "Loki's answer is not a query result: a sample's time is out of range")
    }

    func testNoSuchServiceSaysLokiIsNotThereAndWhereToLook() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path,
                [
                    Script.status(
                        404, "NotFound", "services \"loki-gateway\" not found",
                        details: ["name": "loki-gateway", "kind": "services"])
                ])
        ])
        defer { server.stop() }
        let error = try XCTUnwrap(
            caught { try client.lokiQueryRange(LokiQuery("{a=\"b\"}", start: 1, end: 2), service: service) })
        XCTAssertEqual(
            error.message, #"no Loki at service monitoring/loki-gateway:80: services "loki-gateway" not found"#)
        XCTAssertTrue(error.place?.description.hasPrefix("GET \(path)?direction=backward") ?? false, "\(error)")
        XCTAssertTrue(error.hint?.hasPrefix("is Loki installed?") ?? false, error.hint ?? "")
    }

    func testLokisRefusalOfTheQueryKeepsItsWords() throws {
        let parse = "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,"
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, [Script.reply(400, parse, headers: [["Content-Type", "text/plain; charset=utf-8"]])])
        ])
        defer { server.stop() }
        let error = caught { try client.lokiQueryRange(LokiQuery(#"{foo="bar""#, start: 1, end: 2), service: service) }
        XCTAssertEqual(error?.message, "Loki refused the query: \(parse)")
        XCTAssertTrue(error?.hint?.hasPrefix("LogQL: a stream selector") ?? false)
    }

    func testNoReadyPodAndTheGatewaysBadGatewaySayLokiDoesNotAnswer() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, query: ["limit": "1"],
                [
                    Script.status(
                        503, "ServiceUnavailable", "no endpoints available for service \"loki-gateway\"")
                ]),
            Script.rule(
                "GET", path,
                [
                    Script.reply(
                        502,
                        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                        headers: [["Content-Type", "text/html"]])
                ]),
        ])
        defer { server.stop() }
        let noPod = caught {
            try client.lokiQueryRange(LokiQuery("{a=\"b\"}", start: 1, end: 2, limit: 1), service: service)
        }
        XCTAssertEqual(
            noPod?.message,
            #"Loki's service monitoring/loki-gateway:80 does not answer: no endpoints available for service "loki-gateway""#
        )
        let gateway = caught { try client.lokiQueryRange(LokiQuery("{a=\"b\"}", start: 1, end: 2), service: service) }
        XCTAssertEqual(gateway?.message, "Loki's service monitoring/loki-gateway:80 answered HTTP 502 Bad Gateway")
        XCTAssertEqual(
            gateway?.hint,
            "the gateway reaches no ready Loki: kube get pods -n monitoring -l app.kubernetes.io/name=loki")
    }

    func testAnAnswerThatIsNoRangeResultIsAnError() throws {
        let (server, client) = try scriptedServer([
            Script.rule(
                "GET", path, query: ["limit": "1"],
                [Script.reply(200, ["status": "success", "data": ["resultType": "vector", "result": []]])]),
            Script.rule("GET", path, [Script.reply(200, "ready\n")]),
        ])
        defer { server.stop() }
        XCTAssertEqual(
            caught { try client.lokiQueryRange(LokiQuery("{a=\"b\"}", start: 1, end: 2, limit: 1), service: service) }?
                .message,
            "Loki's answer is not a query result: result type vector (a range query answers streams or matrix)")
        XCTAssertEqual(
            caught { try client.lokiQueryRange(LokiQuery("{a=\"b\"}", start: 1, end: 2), service: service) }?.message,
            "Loki's answer is not a query result: not JSON")
    }

    func testAServiceIsNamespaceSlashNameAndAnOptionalPort() {
        XCTAssertEqual(
            KubeServiceReference(parsing: "monitoring/loki-gateway:80"),
            KubeServiceReference(namespace: "monitoring", name: "loki-gateway", port: "80"))
        XCTAssertEqual(
            KubeServiceReference(parsing: "monitoring/loki:http-metrics")?.description, "monitoring/loki:http-metrics")
        XCTAssertEqual(KubeServiceReference(parsing: "monitoring/loki")?.port, nil)
        for wrong in [
            "loki-gateway", "monitoring/", "/loki", "monitoring/loki:", "a/b/c", "Monitoring/loki", "m/l:8:0",
        ] {
            XCTAssertNil(KubeServiceReference(parsing: wrong), wrong)
        }
    }
}
