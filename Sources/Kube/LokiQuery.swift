/// A LogQL range query as Loki's `GET /loki/api/v1/query_range` takes it (Loki's HTTP API
/// reference, "Query logs within a range of time"): the query, `start` (inclusive) and `end`
/// (exclusive) sent as nanosecond Unix epochs (unambiguous: Loki reads an integer of 10 digits
/// or fewer as seconds), `limit` (the most entries returned; Loki's default is 100 and its
/// `max_entries_limit_per_query` 5000), `direction`: backward gives the newest entries
/// first, forward the oldest, and for a metric query `step`, the time between its samples
/// (seconds, sent only when given: Loki's default is the range over 250, at least 1 s).
public struct LokiQuery: Sendable, Hashable {
    public var query: String
    /// Nanoseconds since the Unix epoch.
    public var start: Int64
    /// Nanoseconds since the Unix epoch.
    public var end: Int64
    public var limit: Int
    public var forward: Bool
    /// Nanoseconds between a metric query's samples; nil: Loki's default.
    public var step: Int64?

    public init(
        _ query: String, start: Int64, end: Int64, limit: Int = 100, forward: Bool = false, step: Int64? = nil
    ) {
        self.query = query
        self.start = start
        self.end = end
        self.limit = limit
        self.forward = forward
        self.step = step
    }

    /// The URL's query parameters.
    var parameters: [(String, String)] {
        [
            ("query", query), ("start", String(start)), ("end", String(end)), ("limit", String(limit)),
            ("direction", forward ? "forward" : "backward"),
        ] + (step.map { [("step", Self.seconds($0))] } ?? [])
    }

    /// Nanoseconds as Loki reads a step in seconds: `60`, `0.5`.
    static func seconds(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let whole = nanoseconds.magnitude / 1_000_000_000
        var fraction = String(nanoseconds.magnitude % 1_000_000_000)
        guard fraction != "0" else { return sign + String(whole) }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(whole).\(fraction)"
    }
}
