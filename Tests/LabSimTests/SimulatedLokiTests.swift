import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// The simulated Loki's read API on what was pushed: Loki's JSON for streams, labels and label
/// values, LogQL stream selectors with line filters, and Loki's words for what it refuses
/// (pkg/logqlmodel/error.go, the parser's tests in pkg/logql/syntax/parser_test.go).
final class SimulatedLokiTests: XCTestCase {
    private let base: Int64 = 1_780_000_000_000_000_000

    private func loki() -> SimulatedLoki {
        let loki = SimulatedLoki()
        loki.push(
            labels: ["namespace": "apps", "pod": "whoami-1", "container": "whoami"],
            [(base, "GET / 200"), (base + 1_000_000_000, "GET /health 200"), (base + 2_000_000_000, "GET /x 404")])
        loki.push(labels: ["namespace": "monitoring", "pod": "loki-0", "container": "loki"], [(base, "ready")])
        return loki
    }

    private func get(_ loki: SimulatedLoki, _ path: String, _ query: [(String, String)]) -> SimulatedLoki.Answer {
        loki.answer(
            method: "GET", path: path,
            query: query.map { (name: $0.0, value: $0.1) } + [
                ("start", String(base - 1)), ("end", String(base + 10_000_000_000)),
            ])
    }

    func testQueryRangeAnswersTheSelectedStreamsNewestFirstInLokisJSON() throws {
        let answer = get(loki(), "/loki/api/v1/query_range", [("query", #"{namespace="apps"} |= "GET /" != "health""#)])
        XCTAssertEqual(answer.status, 200, answer.body)
        let body: Document = try JSONCodec.decode(answer.body)
        XCTAssertEqual(body.text("status"), "success")
        XCTAssertEqual(body.text("data", "resultType"), "streams")
        let result = body["data"]?["result"]?.items ?? []
        XCTAssertEqual(result.count, 1)
        XCTAssertEqual(
            result.first?["stream"]?.stringMap, ["namespace": "apps", "pod": "whoami-1", "container": "whoami"])
        XCTAssertEqual(
            result.first?["values"],
            .array([
                .array([.string(String(base + 2_000_000_000)), .string("GET /x 404")]),
                .array([.string(String(base)), .string("GET / 200")]),
            ]))
        let forward = get(
            loki(), "/loki/api/v1/query_range",
            [("query", #"{container=~"who.*"}"#), ("direction", "forward"), ("limit", "1")])
        let first: Document = try JSONCodec.decode(forward.body)
        XCTAssertEqual(
            first["data"]?["result"]?.items.first?["values"],
            .array([.array([.string(String(base)), .string("GET / 200")])]))
    }

    func testLabelsAndLabelValuesAreSortedAndFollowTheSelector() throws {
        let loki = loki()
        let labels: Document = try JSONCodec.decode(get(loki, "/loki/api/v1/labels", []).body)
        XCTAssertEqual(labels, try JSONCodec.decode(#"{"status":"success","data":["container","namespace","pod"]}"#))
        let values: Document = try JSONCodec.decode(get(loki, "/loki/api/v1/label/namespace/values", []).body)
        XCTAssertEqual(values["data"], .array([.string("apps"), .string("monitoring")]))
        let selected: Document = try JSONCodec.decode(
            get(loki, "/loki/api/v1/label/pod/values", [("query", #"{namespace="monitoring"}"#)]).body)
        XCTAssertEqual(selected["data"], .array([.string("loki-0")]))
    }

    func testRefusalsAreLokisPlainTextWithItsWords() {
        func refusal(_ query: String, path: String = "/loki/api/v1/query_range") -> String {
            let answer = get(loki(), path, [("query", query)])
            XCTAssertEqual(answer.status, 400, query)
            XCTAssertEqual(answer.contentType, "text/plain; charset=utf-8")
            return answer.body
        }
        XCTAssertEqual(
            refusal(#"{foo="bar""#), "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,")
        XCTAssertEqual(refusal(#"{foo="bar}"#), "parse error at line 1, col 6: literal not terminated")
        XCTAssertEqual(
            refusal(#"{foo="bar"} |~"#),
            "parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip")
        XCTAssertEqual(
            refusal(#"unk({ foo = "bar" }[5m])"#), "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
        XCTAssertEqual(refusal(#"{foo!="bar"}"#), LogQLQuery.emptyCompatible.message)
        XCTAssertTrue(
            refusal(#"{foo!="bar"}"#).hasPrefix("parse error : queries require at least one regexp or equality matcher")
        )
        XCTAssertEqual(
            refusal(#"{namespace="apps"}"#, path: "/loki/api/v1/query"),
            "log queries are not supported as an instant query type, please change your query to a range query type")
        XCTAssertEqual(
            refusal(#"{namespace="apps"} | json"#),
            "the simulated Loki answers stream selectors with line filters only, not parsers, formatters and label filters"
        )
        XCTAssertEqual(
            refusal(#"min({ foo = "bar" }[5m])"#), "parse error at line 0, col 20: syntax error: unexpected RANGE")
        XCTAssertEqual(
            refusal(#"rate({ foo = "bar" }[5minutes])"#),
            #"parse error at line 0, col 21: unknown unit "minutes" in duration "5minutes""#)
        XCTAssertEqual(
            refusal(#"rate({ foo = "bar" }[5)"#), "parse error at line 0, col 21: missing closing ']' in duration")
        XCTAssertEqual(
            refusal(#"count_over_time({namespace="apps"}[5m]) by (pod)"#),
            "parse error : grouping not allowed for count_over_time aggregation")
        XCTAssertEqual(
            refusal(#"count_over_time({namespace="apps"})"#),
            "parse error at line 1, col 35: syntax error: unexpected )")
        XCTAssertEqual(
            get(loki(), "/loki/api/v1/query_range", [("query", #"rate({namespace="apps"}[1m])"#), ("step", "0")]).body,
            "zero or negative query resolution step widths are not accepted. Try a positive integer")
        XCTAssertEqual(
            get(loki(), "/loki/api/v1/query_range", [("query", #"rate({namespace="apps"}[1m])"#), ("step", "0.0001")])
                .body,
            "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter"
        )
    }

    func testCountOverTimeAtEachStepCountsTheEntriesOfTheWindowBeforeItAsAMatrix() throws {
        // Entries at base, base+1s, base+2s (apps) and base (monitoring); steps of 1 s from base
        // through base+3s over a 2 s window (t-2s, t].
        let answer = loki().answer(
            method: "GET", path: "/loki/api/v1/query_range",
            query: [
                ("query", #"count_over_time({namespace=~".+"}[2s])"#), ("start", String(base)),
                ("end", String(base + 3_000_000_000)), ("step", "1s"),
            ].map { (name: $0.0, value: $0.1) })
        XCTAssertEqual(answer.status, 200, answer.body)
        let seconds = Int(base / 1_000_000_000)
        let expected = """
            {"status":"success","data":{"resultType":"matrix","result":[\
            {"metric":{"container":"loki","namespace":"monitoring","pod":"loki-0"},"values":\
            [[\(seconds),"1"],[\(seconds + 1),"1"]]},\
            {"metric":{"container":"whoami","namespace":"apps","pod":"whoami-1"},"values":\
            [[\(seconds),"1"],[\(seconds + 1),"2"],[\(seconds + 2),"2"],[\(seconds + 3),"1"]]}]
            """
        XCTAssertTrue(answer.body.hasPrefix(expected), answer.body)
        let body: Document = try JSONCodec.decode(answer.body)
        XCTAssertNotNil(body["data"]?["stats"]?["summary"])
    }

    /// The loki chart turns the query frontend's step alignment on: start and end go back to
    /// multiples of the step.
    func testAMetricRangeQuerysStartAndEndAreAlignedToItsStep() throws {
        let answer = loki().answer(
            method: "GET", path: "/loki/api/v1/query_range",
            query: [
                ("query", #"count_over_time({namespace="apps"}[1s])"#), ("start", String(base + 500_000_000)),
                ("end", String(base + 2_700_000_000)), ("step", "1"),
            ].map { (name: $0.0, value: $0.1) })
        let body: Document = try JSONCodec.decode(answer.body)
        let seconds = Int(base / 1_000_000_000)
        XCTAssertEqual(
            body["data"]?["result"]?.items.first?["values"],
            .array([
                .array([.int(seconds), .string("1")]), .array([.int(seconds + 1), .string("1")]),
                .array([.int(seconds + 2), .string("1")]),
            ]), answer.body)
    }

    func testVectorAggregationsGroupByOrWithoutLabelsAndValuesAreGoFloats() throws {
        func values(_ query: String, step: String = "1") throws -> Document? {
            let answer = loki().answer(
                method: "GET", path: "/loki/api/v1/query_range",
                query: [
                    ("query", query), ("start", String(base + 2_000_000_000)),
                    ("end", String(base + 2_000_000_000)), ("step", step),
                ].map { (name: $0.0, value: $0.1) })
            XCTAssertEqual(answer.status, 200, answer.body)
            let body: Document = try JSONCodec.decode(answer.body)
            return body["data"]?["result"]
        }
        let at = Document.int(Int(base / 1_000_000_000) + 2)
        XCTAssertEqual(
            try values(#"sum(count_over_time({namespace=~".+"}[1m]))"#),
            .array([.object([("metric", .object([])), ("values", .array([.array([at, .string("4")])]))])]))
        XCTAssertEqual(
            try values(#"sum by (namespace) (rate({namespace=~".+"}[1m]))"#),
            .array([
                .object([
                    ("metric", .object([("namespace", .string("apps"))])),
                    ("values", .array([.array([at, .string("0.05")])])),
                ]),
                .object([
                    ("metric", .object([("namespace", .string("monitoring"))])),
                    ("values", .array([.array([at, .string("0.016666666666666666")])])),
                ]),
            ]))
        XCTAssertEqual(
            try values(#"max without (pod, container) (bytes_over_time({namespace=~".+"} != "ready" [1m]))"#),
            .array([
                .object([
                    ("metric", .object([("namespace", .string("apps"))])),
                    ("values", .array([.array([at, .string("34")])])),
                ])
            ]))
        XCTAssertEqual(
            try values(#"count(bytes_rate({namespace=~".+"}[10m]))"#),
            .array([.object([("metric", .object([])), ("values", .array([.array([at, .string("2")])]))])]))
    }

    func testAnInstantMetricQueryAnswersAVectorAtTheGivenTime() throws {
        let answer = loki().answer(
            method: "GET", path: "/loki/api/v1/query",
            query: [
                ("query", #"avg(count_over_time({namespace="apps"}[5m]))"#),
                ("time", String(base + 1_500_000_000)),
            ].map { (name: $0.0, value: $0.1) })
        XCTAssertEqual(answer.status, 200, answer.body)
        let body: Document = try JSONCodec.decode(answer.body)
        XCTAssertEqual(body.text("data", "resultType"), "vector")
        XCTAssertEqual(
            body["data"]?["result"],
            .array([
                .object([
                    ("metric", .object([])),
                    ("value", .array([.double(Double(base / 1_000_000 + 1500) / 1000), .string("2")])),
                ])
            ]))
    }

    func testValuesAreWrittenAsGoWritesAFloatWithoutExponent() {
        XCTAssertEqual(LokiNumber.value(3.45), "3.45")
        XCTAssertEqual(LokiNumber.value(12), "12")
        XCTAssertEqual(LokiNumber.value(0.00001), "0.00001")
        XCTAssertEqual(LokiNumber.value(1.5e-7), "0.00000015")
        XCTAssertEqual(LokiNumber.value(2.5e20), "250000000000000000000")
        XCTAssertEqual(LokiNumber.value(.nan), "NaN")
        XCTAssertEqual(LokiNumber.value(-.infinity), "-Inf")
        XCTAssertEqual(LokiNumber.time(milliseconds: 1_568_404_331_324), .double(1_568_404_331.324))
        XCTAssertEqual(LokiNumber.time(milliseconds: 1_568_404_331_000), .int(1_568_404_331))
    }

    func testTheRelabelRulesOfTheConfigurationNameTheStreams() {
        let relabel = SimulatedAlloyRelabel(
            """
            discovery.relabel "pods" {
              targets = discovery.kubernetes.pods.targets
              rule {
                source_labels = ["__meta_kubernetes_namespace"]
                target_label  = "namespace"
              }
              rule {
                source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
                target_label  = "app"
              }
              rule {
                source_labels = ["__meta_kubernetes_pod_node_name"]
                action        = "drop"
                target_label  = "node"
              }
            }
            """)
        let pod = Document.object([
            (
                "metadata",
                .object([
                    ("name", .string("loki-0")), ("namespace", .string("monitoring")),
                    ("labels", .stringMap(["app.kubernetes.io/name": "loki"])),
                ])
            ), ("spec", .object([("nodeName", .string("k3s-wk-01"))])),
        ])
        XCTAssertEqual(relabel.labels(pod: pod, container: "loki"), ["namespace": "monitoring", "app": "loki"])
    }

    func testTimesAndStepsPastWhatNanosecondsHoldAreAnsweredWithoutATrap() {
        // A 10-digit second count times 1e9 is past Int64 (9999999999 s); so are the extremes
        // of a nanosecond count and a huge step: each once trapped the simulator.
        let cases: [[(String, String)]] = [
            [("start", "9999999999"), ("end", "9999999999")],
            [("start", "-9223372036854775808"), ("end", "9223372036854775807"), ("step", "9000000000")],
            [("start", "1e300"), ("end", "-1e300")],
            [("end", "-9223372036854775808")],
            [("step", "290y290w")],
        ]
        for params in cases {
            for query in [
                #"count_over_time({namespace="apps"}[5m])"#, #"{namespace="apps"}"#,
                #"count_over_time({namespace="apps"}[290y290w])"#,
            ] {
                let answer = loki().answer(
                    method: "GET", path: "/loki/api/v1/query_range",
                    query: ([("query", query)] + params).map { (name: $0.0, value: $0.1) })
                XCTAssertTrue([200, 400].contains(answer.status), "\(params): \(answer.body)")
            }
        }
    }

    func testAggregationsNestedDeeperThanTheLimitAreRefusedNotRecursedInto() {
        let deep =
            String(repeating: "sum(", count: 100_000) + #"count_over_time({namespace="apps"}[5m])"#
            + String(repeating: ")", count: 100_000)
        let refused = get(loki(), "/loki/api/v1/query", [("query", deep)])
        XCTAssertEqual(refused.status, 400, refused.body)
        XCTAssertTrue(refused.body.contains("nests aggregations at most"), refused.body)
        let limit = LogQLMetricQuery.maximumDepth - 1
        let nested =
            String(repeating: "sum(", count: limit) + #"count_over_time({namespace="apps"}[5m])"#
            + String(repeating: ")", count: limit)
        let answered = get(loki(), "/loki/api/v1/query", [("query", nested)])
        XCTAssertEqual(answered.status, 200, answered.body)
    }
}
