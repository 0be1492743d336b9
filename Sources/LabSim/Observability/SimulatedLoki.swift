import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Loki (3.5, the `loki` chart's single binary) as far as the lab's logs go: the streams Alloy
/// pushes (`SimulatedAlloy`), kept in memory, and the read API a user and Grafana's Loki data
/// source call (pkg/querier/http.go, pkg/loghttp): `/loki/api/v1/query_range`, `/query`,
/// `/labels`, `/label/NAME/values`, and `/ready`. Reached as in the cluster, through the Service of
/// a Loki pod (`backend`: the single binary on 3100, the nginx gateway on 8080), for instance by
/// the apiserver's service proxy (`kubectl get --raw
/// /api/v1/namespaces/monitoring/services/loki-gateway:80/proxy/loki/api/v1/labels`).
///
/// Answers are Loki's JSON (`{"status":"success","data":…}`); a refused query is 400 with Loki's
/// plain-text message. Queries: `LogQLQuery` (logs), `LogQLMetricQuery` (metrics: a `matrix` from
/// `query_range`, with `step`, a `vector` from `query` at `time`). Times: RFC 3339 or Unix seconds or nanoseconds;
/// `start` defaults to an hour before `end`, `end` to now, `limit` to 100, `direction` to backward.
/// Thread-safe.
final class SimulatedLoki: Sendable {
    /// One stream: its labels and its entries (nanoseconds since the epoch, line), oldest first.
    struct Stream: Sendable {
        var labels: [String: String]
        var entries: [(time: Int64, line: String)]
    }

    private let streams = Mutex<[String: Stream]>([:])
    /// How many lines of each container's log have been pushed, by the log's key.
    private let shipped = Mutex<[String: Int]>([:])
    /// When each Alloy pod (by namespace/name) last pushed.
    private let lastPush = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Entries kept per stream (the oldest go first).
    static let retention = 10_000

    /// Appends entries to the stream of `labels`, as a push does.
    func push(labels: [String: String], _ entries: [(time: Int64, line: String)]) {
        guard !labels.isEmpty, !entries.isEmpty else { return }
        let key = Self.text(labels)
        streams.withLock {
            var stream = $0[key] ?? Stream(labels: labels, entries: [])
            stream.entries += entries
            if stream.entries.count > Self.retention {
                stream.entries.removeFirst(stream.entries.count - Self.retention)
            }
            $0[key] = stream
        }
    }

    /// How many lines of the log `key` were pushed already; `count` records a new total.
    func shippedLines(of key: String, now count: Int? = nil) -> Int {
        shipped.withLock {
            if let count { $0[key] = count }
            return $0[key] ?? 0
        }
    }

    /// How long the Alloy pod `alloy` waits before it may push: nil when it may push now (and
    /// the push is recorded). At most one push per `interval` of wall-clock time, however short
    /// the lab's requeue scale makes its reconciles (ADR 0046's zero timings).
    func untilPush(from alloy: String, interval: Duration) -> Duration? {
        let now = ContinuousClock.now
        return lastPush.withLock {
            if let last = $0[alloy], now - last < interval { return interval - (now - last) }
            $0[alloy] = now
            return nil
        }
    }

    /// Every stream (what metric queries read; tests look too).
    var all: [Stream] { streams.withLock { Array($0.values) } }

    /// `{a="1", b="2"}`: labels in Loki's (Prometheus's) form, sorted by name.
    static func text(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
    }

    // MARK: HTTP

    /// Loki's pods as the service proxy reaches them: the single binary's `http-metrics` (3100)
    /// and the nginx gateway's (8080), which passes the read API to the single binary and answers
    /// nginx's 502 while no single-binary pod of its namespace is ready.
    var backend: KubeServiceBackend {
        KubeServiceBackend(
            serves: { pod, port, _ in
                switch Self.component(of: pod) {
                case "single-binary": port == 3100
                case "gateway": port == 8080
                default: false
                }
            },
            answer: { [self] method, path, query, pod, state in
                if Self.component(of: pod) == "gateway" {
                    let namespace = pod.text("metadata", "namespace")
                    let upstream = state.list(KubeStoreState.pods, namespace: namespace).map(\.object).contains {
                        Self.component(of: $0) == "single-binary" && $0.text("status", "phase") == "Running"
                    }
                    guard upstream else {
                        return KubeHTTPResponse(
                            status: 502,
                            body: Array(
                                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                                    .utf8), contentType: "text/html")
                    }
                }
                let reply = answer(method: method, path: path, query: query)
                return KubeHTTPResponse(
                    status: reply.status, body: Array(reply.body.utf8), contentType: reply.contentType)
            })
    }

    /// The loki chart's component of a pod (`app.kubernetes.io/component`), nil for other pods.
    static func component(of pod: Document) -> String? {
        guard pod.text("metadata", "labels", "app.kubernetes.io/name") == "loki" else { return nil }
        return pod.text("metadata", "labels", "app.kubernetes.io/component")
    }

    /// An answer: status, content type and body.
    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: String

        static func json(_ document: Document) -> Answer {
            Answer(status: 200, contentType: "application/json; charset=UTF-8", body: JSONCodec.encode(document))
        }

        /// Loki's server.WriteError: the message as plain text.
        static func error(_ status: Int, _ message: String) -> Answer {
            Answer(status: status, contentType: "text/plain; charset=utf-8", body: message)
        }
    }

    /// Answers `method path?query` as Loki's HTTP API does.
    func answer(method: String, path: String, query: [(name: String, value: String)]) -> Answer {
        func param(_ name: String) -> String? { query.last { $0.name == name }?.value }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        guard method == "GET" || method == "POST" else { return .error(405, "405 method not allowed") }
        if path == "/ready" { return Answer(status: 200, contentType: "text/plain; charset=utf-8", body: "ready\n") }
        do throws(LogQLQuery.Refusal) {
            var end = now
            if let text = param("end") { end = try Self.time(text, "end") }
            var start = max(end - 3_600_000_000_000, 0)
            if let text = param("start") { start = try Self.time(text, "start") }
            switch path {
            case "/loki/api/v1/query_range":
                guard let text = param("query") else { return .error(400, "query parameter is required") }
                guard end >= start else { return .error(400, Self.endBeforeStart) }
                var limit = 100
                if let text = param("limit") { limit = try Self.limit(text) }
                let forward = param("direction")?.lowercased() == "forward"
                let step = try Self.step(param("step"), from: start, to: end)
                if let metric = try LogQLMetricQuery.parse(text) {
                    let (first, last) = Self.aligned(start, end, step: step)
                    return .json(matrix(metric, from: first, to: last, step: step))
                }
                return .json(result(try LogQLQuery.parse(text), from: start, to: end, limit: limit, forward: forward))
            case "/loki/api/v1/query":
                guard let text = param("query") else { return .error(400, "query parameter is required") }
                var time = now
                if let text = param("time") { time = try Self.time(text, "time") }
                if let metric = try LogQLMetricQuery.parse(text) { return .json(vector(metric, at: time)) }
                _ = try LogQLQuery.parse(text)
                // Loki 3 refuses a log query at a single instant (logqlmodel.ErrUnsupportedSyntaxForInstantQuery).
                return .error(
                    400,
                    "log queries are not supported as an instant query type, please change your query to a range query type"
                )
            case "/loki/api/v1/labels", "/loki/api/v1/label":
                let names = Set(selected(from: start, to: end).flatMap(\.labels.keys)).sorted()
                return .json(.object([("status", .string("success")), ("data", .array(names.map(Document.string)))]))
            default:
                let parts = path.split(separator: "/").map(String.init)
                if parts.count == 6, Array(parts[0..<4]) == ["loki", "api", "v1", "label"], parts[5] == "values" {
                    var filter: LogQLQuery?
                    if let text = param("query") { filter = try LogQLQuery.parse(text) }
                    let values = Set(
                        selected(from: start, to: end).filter { filter?.selects($0.labels) ?? true }
                            .compactMap { $0.labels[parts[4]] }
                    ).sorted()
                    return .json(
                        .object([("status", .string("success")), ("data", .array(values.map(Document.string)))]))
                }
                return .error(404, "404 page not found\n")
            }
        } catch {
            return .error(400, error.message)
        }
    }

    /// The streams with an entry between `start` and `end`.
    private func selected(from start: Int64, to end: Int64) -> [Stream] {
        streams.withLock { Array($0.values) }.filter { stream in
            stream.entries.contains { $0.time >= start && $0.time <= end }
        }
    }

    /// A `streams` result: the entries of the selected streams that pass the filters, at most
    /// `limit`, the newest (backward) or the oldest (forward) first, in Loki's JSON.
    private func result(_ query: LogQLQuery, from start: Int64, to end: Int64, limit: Int, forward: Bool) -> Document {
        var picked: [(stream: Int, time: Int64, line: String)] = []
        let matching = streams.withLock { Array($0.values) }.filter { query.selects($0.labels) }
            .sorted { Self.text($0.labels) < Self.text($1.labels) }
        for (index, stream) in matching.enumerated() {
            for entry in stream.entries where entry.time >= start && entry.time < end && query.keeps(entry.line) {
                picked.append((index, entry.time, entry.line))
            }
        }
        picked.sort { forward ? $0.time < $1.time : $0.time > $1.time }
        picked = Array(picked.prefix(limit))
        var result: [Document] = []
        for (index, stream) in matching.enumerated() {
            let values = picked.filter { $0.stream == index }.map {
                Document.array([.string(String($0.time)), .string($0.line)])
            }
            guard !values.isEmpty else { continue }
            result.append(.object([("stream", .stringMap(stream.labels)), ("values", .array(values))]))
        }
        let bytes = picked.reduce(0) { $0 + $1.line.utf8.count }
        let summary = Self.summary(bytes: bytes, lines: picked.count, returned: picked.count)
        return .object([
            ("status", .string("success")),
            (
                "data",
                .object([
                    ("resultType", .string("streams")), ("result", .array(result)),
                    ("stats", .object([("summary", summary)])),
                ])
            ),
        ])
    }

    /// The `stats.summary` of an answer: what was read (lines and their bytes, as if in a
    /// millisecond) and how many entries or samples it returns.
    static func summary(bytes: Int, lines: Int, returned: Int) -> Document {
        .object([
            ("bytesProcessedPerSecond", .int(bytes)), ("linesProcessedPerSecond", .int(lines)),
            ("totalBytesProcessed", .int(bytes)), ("totalLinesProcessed", .int(lines)),
            ("execTime", .double(0.001)), ("queueTime", .double(0)), ("subqueries", .int(0)),
            ("totalEntriesReturned", .int(returned)),
        ])
    }

    /// A time parameter as Loki reads it (loghttp.ParseTimestamp): RFC 3339, or a Unix time in
    /// seconds (possibly fractional) or, for a large integer, nanoseconds.
    static func time(_ text: String, _ name: String) throws(LogQLQuery.Refusal) -> Int64 {
        // Kept between 1970 and 2116, so that no arithmetic on a time (a range, a step) can trap;
        // Go's `time.Unix(s, 0).UnixNano()` wraps instead, which no client relies on.
        func bounded(_ nanoseconds: Int64) -> Int64 { min(max(nanoseconds, 0), 1 << 62) }
        if let integer = Int64(text) {
            return bounded(
                text.count > 10 ? integer : integer.multipliedReportingOverflow(by: 1_000_000_000).partialValue)
        }
        if let seconds = Double(text), seconds.isFinite { return bounded(Int64(max(min(seconds, 4e9), -1) * 1e9)) }
        if let seconds = KubeTime.parse(text) {
            return bounded(Int64(min(max(seconds, 0), 4_000_000_000)) * 1_000_000_000)
        }
        throw LogQLQuery.Refusal(message: "invalid \(name) parameter: cannot parse \"\(text)\" to a valid timestamp")
    }

    private static func limit(_ text: String) throws(LogQLQuery.Refusal) -> Int {
        guard let value = Int(text), value > 0 else {
            throw LogQLQuery.Refusal(message: "limit must be a positive value")
        }
        return value
    }
}
