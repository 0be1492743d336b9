import HLSCore

/// One series' value of a metric query at an instant.
struct LogQLSample: Sendable, Equatable {
    var labels: [String: String]
    var value: Double
}

/// A stream's entries that a log query keeps, indexed for range windows: their times, oldest
/// first, and the running total of their lines' bytes.
struct LogQLIndexedStream: Sendable {
    var labels: [String: String]
    var times: [Int64]
    /// `bytes[i]`: the bytes of the first `i` entries (one more element than `times`).
    var bytes: [Int]

    init(_ stream: SimulatedLoki.Stream, keeping query: LogQLQuery) {
        labels = stream.labels
        let kept = stream.entries.filter { query.keeps($0.line) }.sorted { $0.time < $1.time }
        times = kept.map(\.time)
        var running = [0]
        for entry in kept { running.append(running[running.count - 1] + entry.line.utf8.count) }
        bytes = running
    }

    /// The entries with `start < time <= end` (Loki's range window excludes its lower bound): how
    /// many, and their bytes.
    func window(after start: Int64, through end: Int64) -> (count: Int, bytes: Int) {
        let first = firstIndex { $0 > start }
        let past = firstIndex { $0 > end }
        return (max(0, past - first), bytes[max(past, first)] - bytes[first])
    }

    /// The first index whose time satisfies `predicate` (monotonic), `times.count` if none does.
    private func firstIndex(where predicate: (Int64) -> Bool) -> Int {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(times[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension LogQLMetricQuery {
    /// The log query the range aggregation at the bottom reads.
    var logQuery: LogQLQuery {
        switch self {
        case .range(_, let query, _): query
        case .vector(_, _, let inner): inner.logQuery
        }
    }

    /// The query's vector at `time` (nanoseconds) over the streams `logQuery` selects, indexed;
    /// a series without an entry in its range has no sample (as in Loki), and the samples come
    /// sorted by their labels (Prometheus's `labels.Compare`).
    func vector(at time: Int64, over streams: [LogQLIndexedStream]) -> [LogQLSample] {
        let samples: [LogQLSample]
        switch self {
        case .range(let operation, _, let range):
            let seconds = Double(range) / 1e9
            samples = streams.compactMap { stream in
                let window = stream.window(after: time - range, through: time)
                guard window.count > 0 else { return nil }
                let value: Double =
                    switch operation {
                    case .countOverTime: Double(window.count)
                    case .rate: Double(window.count) / seconds
                    case .bytesOverTime: Double(window.bytes)
                    case .bytesRate: Double(window.bytes) / seconds
                    }
                return LogQLSample(labels: stream.labels, value: value)
            }
        case .vector(let operation, let grouping, let inner):
            var groups: [String: (labels: [String: String], values: [Double])] = [:]
            for sample in inner.vector(at: time, over: streams) {
                let labels = sample.labels.filter { label in
                    guard let grouping else { return false }
                    return grouping.labels.contains(label.key) != grouping.without
                }
                groups[SimulatedLoki.text(labels), default: (labels, [])].values.append(sample.value)
            }
            samples = groups.values.map { group in
                let values = group.values
                let value: Double =
                    switch operation {
                    case .sum: values.reduce(0, +)
                    case .count: Double(values.count)
                    case .min: values.min() ?? .nan
                    case .max: values.max() ?? .nan
                    case .avg: values.reduce(0, +) / Double(values.count)
                    }
                return LogQLSample(labels: group.labels, value: value)
            }
        }
        return samples.sorted { Self.precedes($0.labels, $1.labels) }
    }

    /// Prometheus's `labels.Compare` order: label by label (sorted by name), name then value;
    /// a prefix first.
    static func precedes(_ a: [String: String], _ b: [String: String]) -> Bool {
        let left = a.sorted { $0.key < $1.key }
        let right = b.sorted { $0.key < $1.key }
        for (x, y) in zip(left, right) {
            if x.key != y.key { return x.key < y.key }
            if x.value != y.value { return x.value < y.value }
        }
        return left.count < right.count
    }
}

/// Numbers as Loki's JSON writes them (pkg/util/marshal/query.go): a sample's time as a bare
/// number of seconds with its milliseconds (`model.Time.String()`: `1568404331.324`,
/// `1568404331`), its value as text in Go's shortest plain form (`strconv.FormatFloat(v, 'f',
/// -1, 64)`: `"3.45"`, `"0.0001"`, `"NaN"`, `"+Inf"`).
enum LokiNumber {
    static func time(milliseconds: Int64) -> Document {
        milliseconds % 1000 == 0 ? .int(Int(milliseconds / 1000)) : .double(Double(milliseconds) / 1000)
    }

    /// Go's `FormatFloat(v, 'f', -1, 64)`, as the simulated SOPS writes a float too.
    static func value(_ value: Double) -> String { SOPSValue.goFloat(value) }
}
