import HLSCore

/// The simulated Loki's answers to metric queries (`LogQLMetricQuery`), as Loki's HTTP API gives
/// them (pkg/loghttp, pkg/util/marshal): `query_range` a `matrix` — each series' values at
/// `start`, `start + step`, … up to `end`, a step without an entry in the range left out — and
/// `query` a `vector` at `time`; series sorted by their labels.
extension SimulatedLoki {
    /// Loki's refusals of a range query's parameters (pkg/loghttp/query.go).
    static let endBeforeStart = "end timestamp must not be before or equal to start time"
    static let zeroOrNegativeStep =
        "zero or negative query resolution step widths are not accepted. Try a positive integer"
    static let stepTooSmall =
        "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter"

    /// The step of a range query in nanoseconds: `step` (seconds, possibly fractional, or a
    /// Prometheus duration), else Loki's default, `max(floor(seconds of the range / 250), 1)` s.
    static func step(_ text: String?, from start: Int64, to end: Int64) throws(LogQLQuery.Refusal) -> Int64 {
        let step: Int64
        if let text {
            if let seconds = Double(text), seconds.isFinite {
                guard abs(seconds * 1e9) < 9.2e18 else {
                    throw LogQLQuery.Refusal(
                        message: "cannot parse \"\(text)\" to a valid duration. It overflows int64")
                }
                step = Int64(seconds * 1e9)
            } else if let nanoseconds = LogQLMetricQuery.parseDuration(text) {
                step = nanoseconds
            } else if text == "0s" {
                step = 0
            } else {
                throw LogQLQuery.Refusal(message: "cannot parse \"\(text)\" to a valid duration")
            }
        } else {
            step = max(end.subtractingReportingOverflow(start).partialValue / 1_000_000_000 / 250, 1) * 1_000_000_000
        }
        guard step > 0 else { throw LogQLQuery.Refusal(message: zeroOrNegativeStep) }
        let span = end.subtractingReportingOverflow(start)
        guard !span.overflow, span.partialValue / step <= 11000 else {
            throw LogQLQuery.Refusal(message: stepTooSmall)
        }
        return step
    }

    /// A metric range query's start and end moved back to multiples of its step, in milliseconds,
    /// as the query frontend's step alignment does (queryrangebase/step_align.go) — on in the
    /// `loki` chart's configuration (`query_range.align_queries_with_step: true`), off in Loki's own
    /// defaults.
    static func aligned(_ start: Int64, _ end: Int64, step: Int64) -> (start: Int64, end: Int64) {
        let milliseconds = step / 1_000_000
        guard milliseconds > 0 else { return (start, end) }
        func align(_ time: Int64) -> Int64 { (time / 1_000_000 / milliseconds) * milliseconds * 1_000_000 }
        return (align(start), align(end))
    }

    /// The streams `query` selects, indexed for its range windows.
    private func indexed(_ query: LogQLMetricQuery) -> [LogQLIndexedStream] {
        let log = query.logQuery
        return all.filter { log.selects($0.labels) }.map { LogQLIndexedStream($0, keeping: log) }
    }

    /// A `matrix` answer: the query at each step from `start` through `end` (nanoseconds).
    func matrix(_ query: LogQLMetricQuery, from start: Int64, to end: Int64, step: Int64) -> Document {
        let streams = indexed(query)
        var series: [String: (labels: [String: String], values: [Document])] = [:]
        var time = start
        var samples = 0
        while time <= end {
            for sample in query.vector(at: time, over: streams) {
                let point = Document.array([
                    LokiNumber.time(milliseconds: time / 1_000_000), .string(LokiNumber.value(sample.value)),
                ])
                series[Self.text(sample.labels), default: (sample.labels, [])].values.append(point)
                samples += 1
            }
            let next = time.addingReportingOverflow(step)
            if next.overflow { break }
            time = next.partialValue
        }
        let result = series.values.sorted { LogQLMetricQuery.precedes($0.labels, $1.labels) }.map {
            Document.object([("metric", .stringMap($0.labels)), ("values", .array($0.values))])
        }
        return Self.success("matrix", result, streams: streams, returned: samples)
    }

    /// A `vector` answer: the query at `time` (nanoseconds).
    func vector(_ query: LogQLMetricQuery, at time: Int64) -> Document {
        let streams = indexed(query)
        let result = query.vector(at: time, over: streams).map {
            Document.object([
                ("metric", .stringMap($0.labels)),
                (
                    "value",
                    .array([LokiNumber.time(milliseconds: time / 1_000_000), .string(LokiNumber.value($0.value))])
                ),
            ])
        }
        return Self.success("vector", result, streams: streams, returned: result.count)
    }

    private static func success(
        _ type: String, _ result: [Document], streams: [LogQLIndexedStream], returned: Int
    ) -> Document {
        let lines = streams.reduce(0) { $0 + $1.times.count }
        let bytes = streams.reduce(0) { $0 + ($1.bytes.last ?? 0) }
        return .object([
            ("status", .string("success")),
            (
                "data",
                .object([
                    ("resultType", .string(type)), ("result", .array(result)),
                    ("stats", .object([("summary", summary(bytes: bytes, lines: lines, returned: returned))])),
                ])
            ),
        ])
    }
}
