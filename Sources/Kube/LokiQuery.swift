/// A LogQL range query as Loki's `GET /loki/api/v1/query_range` takes it (Loki's HTTP API
/// reference, "Query logs within a range of time"): the query, `start` (inclusive) and `end`
/// (exclusive) sent as nanosecond Unix epochs (unambiguous: Loki reads an integer of 10 digits
/// or fewer as seconds), `limit` (the most entries returned; Loki's default is 100 and its
/// `max_entries_limit_per_query` 5000), and `direction`: backward gives the newest entries
/// first, forward the oldest.
public struct LokiQuery: Sendable, Hashable {
    public var query: String
    /// Nanoseconds since the Unix epoch.
    public var start: Int64
    /// Nanoseconds since the Unix epoch.
    public var end: Int64
    public var limit: Int
    public var forward: Bool

    public init(_ query: String, start: Int64, end: Int64, limit: Int = 100, forward: Bool = false) {
        self.query = query
        self.start = start
        self.end = end
        self.limit = limit
        self.forward = forward
    }

    /// The URL's query parameters.
    var parameters: [(String, String)] {
        [
            ("query", query), ("start", String(start)), ("end", String(end)), ("limit", String(limit)),
            ("direction", forward ? "forward" : "backward"),
        ]
    }
}
