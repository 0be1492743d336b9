import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension KubeCommands {
    static let loki = CommandSpec(
        ["kube", "loki"], summary: "The log lines Loki keeps for a LogQL query, asked through the Kubernetes API",
        discussion: """
            A range query (/loki/api/v1/query_range) sent to Loki's Service through the API server's \
            service proxy, with the kubeconfig's credentials (as kubectl get --raw would: no port-forward, \
            no other credentials; RBAC needs get on services/proxy). QUERY is LogQL: a stream selector \
            ({namespace="apps", container=~"web.*"}) and line filters (|= "text", != "text", |~ "regex"); \
            the lab's Alloy labels each container's lines with namespace, pod, container and node. One \
            row per line: time (RFC 3339, UTC, milliseconds), each label of its stream as a column \
            (a label called time, line or value as label.NAME), and the line; the newest first, or \
            the oldest with --forward; at most --limit of them (Loki's own cap is 5000 unless its \
            limits_config says otherwise). A metric query — a range aggregation (count_over_time, rate, \
            bytes_over_time, bytes_rate) of a log query over [5m], possibly inside sum, count, min, max \
            or avg with by (labels) or without (labels) — gives one row per sample: time, the labels of \
            its series and value (a float: Loki's NaN and ±Inf too), the series one after the other, \
            oldest first; --step sets the time between samples (Loki's default: --since over 250, at \
            least 1s), and the loki chart's Loki moves the start and the end back to multiples of it, so \
            the last samples can be up to a step old. No such Service (Loki not installed), no ready pod, the gateway's 502 and Loki's \
            refusal of the query (its 400 text) are errors that name the call.
            """,
        positionals: [
            Parameter(
                "query", .string,
                #"LogQL: a stream selector and line filters, {namespace="apps"} |= "error", or a metric query over one"#
            )
        ],
        flags: [
            Flag("since", .duration, "how far back to look", default: .duration(.seconds(3600))),
            Flag("limit", .int, "the most lines to return", default: .int(100)),
            Flag("forward", "the oldest lines first (default: the newest first)"),
            Flag("step", .duration, "a metric query's time between samples (default: Loki's, --since / 250)"),
            Flag(
                "service", .string, "Loki's Service: NAMESPACE/NAME[:PORT]",
                default: .string(GitOpsTree.lokiService)),
            contextFlag,
        ],
        // The labels of the lab's Alloy pipeline, as its rows have them.
        columns: ["time", "container", "namespace", "node", "pod", "line"],
        examples: [
            Example(
                #"kube loki '{namespace="monitoring", container="loki"}' --since 10m --limit 5"#,
                "the last lines Loki's own container wrote", needsLab: true),
            Example(
                #"kube loki '{node="k3s-wk-01"} |= "started"' | count"#,
                "how many lines of the worker's pods say started", needsLab: true),
            Example(
                #"kube loki 'sum by (container) (count_over_time({namespace="monitoring"}[5m]))' --since 1h --step 1m"#,
                "lines per container of the monitoring namespace over 5 minutes, a sample a minute", needsLab: true),
        ],
        implementation: .query(queryLoki))

    static func queryLoki(_ inv: Invocation) throws -> Value {
        let text = inv.string("query")!
        guard !text.trimmingWhitespace().isEmpty else { throw inv.usage(#"give a LogQL query: '{namespace="apps"}'"#) }
        let limit = inv.int(defaulted: "limit")
        guard limit > 0 else { throw inv.usage("--limit takes a number of lines above 0, not \(limit)") }
        let since = inv.duration(defaulted: "since")
        guard since > .zero else { throw inv.usage("--since takes a duration above 0, not \(since.text)") }
        let serviceText = inv.string(defaulted: "service")
        guard let service = KubeServiceReference(parsing: serviceText) else {
            throw inv.usage("--service takes NAMESPACE/NAME[:PORT] (\(GitOpsTree.lokiService)), not \(serviceText)")
        }
        let client = try client(inv)
        // Now in whole microseconds (a Double holds no more), as nanoseconds.
        let end = Int64((Date().timeIntervalSince1970 * 1e6).rounded()) * 1000
        // Saturating: `--since 1000000w` reaches back to the epoch's far side, not past Int64.
        let span = since.whole(.nanoseconds(1))
        var step: Int64?
        if let given = inv.duration("step") {
            guard given > .zero else { throw inv.usage("--step takes a duration above 0, not \(given.text)") }
            step = given.whole(.nanoseconds(1))
        }
        let query = LokiQuery(
            text, start: end - span, end: end, limit: limit, forward: inv.flag("forward"), step: step)
        let result = try client.lokiQueryRange(query, service: service, cancellation: inv.context.cancellation)
        switch result {
        case .streams(let entries):
            return .list(lokiRows(entries.map { ($0.time, $0.labels, "line", .string($0.line)) }))
        case .matrix(let samples):
            return .list(
                lokiRows(
                    samples.map {
                        ($0.time, $0.labels, "value", Double($0.value).map(Value.float) ?? .string($0.value))
                    }))
        }
    }

    /// One row per entry: `time`, every label of the result as a column (sorted, empty where an
    /// entry's stream lacks it, so each row has the same columns), then `last` (line or value).
    static func lokiRows(_ entries: [(time: Int64, labels: [String: String], last: String, value: Value)]) -> [Value] {
        let reserved: Set = ["time", "line", "value"]
        let names = Set(entries.flatMap(\.labels.keys)).sorted()
        return entries.map { entry in
            var record = Record()
            record["time"] = .string(lokiTime(entry.time))
            for name in names {
                record[reserved.contains(name) ? "label.\(name)" : name] = entry.labels[name].map(Value.string) ?? .null
            }
            record[entry.last] = entry.value
            return .record(record)
        }
    }

    /// `2026-05-01T12:00:00.123Z` for nanoseconds since the epoch.
    static func lokiTime(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let milliseconds = (nanoseconds - seconds * 1_000_000_000) / 1_000_000
        let whole = RFC3339.format(Double(seconds))
        let digits = String(milliseconds)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
