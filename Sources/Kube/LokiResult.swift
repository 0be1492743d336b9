public import HLSCore
import HLSFormats

/// One log line of a `streams` result: its stream's labels, when Loki has it, and the line.
public struct LokiEntry: Sendable, Hashable {
    public var labels: [String: String]
    /// Nanoseconds since the Unix epoch.
    public var time: Int64
    public var line: String

    public init(labels: [String: String], time: Int64, line: String) {
        self.labels = labels
        self.time = time
        self.line = line
    }
}

/// One sample of a metric query's `matrix` result (`count_over_time({…}[5m])`): its series'
/// labels, the time and the value (Loki sends it as text: `"12"`, `"NaN"`).
public struct LokiSample: Sendable, Hashable {
    public var labels: [String: String]
    /// Nanoseconds since the Unix epoch.
    public var time: Int64
    public var value: String

    public init(labels: [String: String], time: Int64, value: String) {
        self.labels = labels
        self.time = time
        self.value = value
    }
}

/// What a range query answers: log lines (`resultType: streams`) or samples (`matrix`).
public enum LokiResult: Sendable, Hashable {
    /// The entries of every stream in one list, in the query's direction: newest first
    /// (backward), oldest first (forward); entries of the same time keep Loki's order.
    case streams([LokiEntry])
    /// Each series' samples, oldest first, series after series.
    case matrix([LokiSample])

    /// Decodes Loki's JSON: `{"status":"success","data":{"resultType":"streams","result":[
    /// {"stream":{labels},"values":[["<ns>","line"],…]}…]}}`, or `matrix` with `metric` and
    /// `[<seconds>, "<value>"]` pairs. A third element of a value (structured metadata, sent only
    /// when asked for with `X-Loki-Response-Encoding-Flags`) is left out.
    static func decode(_ text: String, forward: Bool, at place: Place) throws(HLSError) -> LokiResult {
        func wrong(_ what: String) -> HLSError {
            HLSError(
                .failed, "Loki's answer is not a query result: \(what)", at: place, cause: String(text.prefix(200)))
        }
        let document: Document
        do {
            document = try JSONCodec.decode(text, file: "query_range")
        } catch {
            throw wrong("not JSON")
        }
        guard case .string("success")? = document["status"] else { throw wrong("status is not success") }
        guard let data = document["data"], case .object = data else { throw wrong("no data") }
        let results: [Document]
        switch data["result"] {
        case .array(let items)?: results = items
        case .null?, nil: results = []
        default: throw wrong("data.result is not a list")
        }
        switch data["resultType"] {
        case .string("streams")?:
            var entries: [(order: Int, entry: LokiEntry)] = []
            for result in results {
                let labels = try Self.labels(result["stream"], wrong)
                for value in try Self.pairs(result["values"], wrong) {
                    guard case .string(let stamp) = value[0], let time = Int64(stamp), case .string(let line) = value[1]
                    else { throw wrong("a stream's value is not [\"<unix ns>\", \"<line>\"]") }
                    entries.append((entries.count, LokiEntry(labels: labels, time: time, line: line)))
                }
            }
            entries.sort { a, b in
                a.entry.time == b.entry.time
                    ? a.order < b.order : forward ? a.entry.time < b.entry.time : a.entry.time > b.entry.time
            }
            return .streams(entries.map(\.entry))
        case .string("matrix")?:
            var samples: [LokiSample] = []
            for result in results {
                let labels = try Self.labels(result["metric"], wrong)
                for value in try Self.pairs(result["values"], wrong) {
                    let seconds: Double
                    switch value[0] {
                    case .int(let whole): seconds = Double(whole)
                    case .double(let fraction): seconds = fraction
                    default: throw wrong("a sample's time is not a number")
                    }
                    guard case .string(let text) = value[1] else { throw wrong("a sample's value is not text") }
                    // Milliseconds, then nanoseconds: a time past the year 2262 is not a Loki sample's.
                    let milliseconds = (seconds * 1000).rounded()
                    guard abs(milliseconds) < 9.2e12 else { throw wrong("a sample's time is out of range") }
                    samples.append(LokiSample(labels: labels, time: Int64(milliseconds) * 1_000_000, value: text))
                }
            }
            return .matrix(samples)
        case .string(let other)?:
            throw wrong("result type \(other) (a range query answers streams or matrix)")
        default:
            throw wrong("no resultType")
        }
    }

    private static func labels(
        _ value: Document?, _ wrong: (String) -> HLSError
    ) throws(HLSError) -> [String: String] {
        guard case .object(let pairs)? = value else { throw wrong("a result without its labels") }
        var labels: [String: String] = [:]
        for (key, value) in pairs {
            guard case .string(let text) = value else { throw wrong("label \(key) is not text") }
            labels[key] = text
        }
        return labels
    }

    /// The `values` of a result, each with at least two elements.
    private static func pairs(_ value: Document?, _ wrong: (String) -> HLSError) throws(HLSError) -> [[Document]] {
        guard case .array(let items)? = value else { throw wrong("a result without values") }
        var pairs: [[Document]] = []
        for item in items {
            guard case .array(let elements) = item, elements.count >= 2 else {
                throw wrong("a value is not a [time, value] pair")
            }
            pairs.append(elements)
        }
        return pairs
    }
}
