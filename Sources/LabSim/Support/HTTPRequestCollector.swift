import NIOHTTP1

/// One request as the simulated APIs' handlers see it: its head, its body gathered from the
/// parts, and its target split at the `?`.
struct CollectedRequest {
    let head: HTTPRequestHead
    let body: [UInt8]

    /// The target's path, before any `?`.
    var path: Substring { head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
    /// The raw query string after the `?`, or "".
    var query: Substring {
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? parts[1] : ""
    }
}

/// Gathers a request from the parts swift-nio hands a handler (head, body chunks, end).
struct HTTPRequestCollector {
    /// Body bytes kept once the body is this long are dropped (PVE's POST limit); the request still
    /// completes, so the API can refuse it with its own message.
    var limit = Int.max
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(limit: Int = .max) { self.limit = limit }

    /// Adds one part; at the request's end, the whole request.
    mutating func add(_ part: HTTPServerRequestPart) -> CollectedRequest? {
        switch part {
        case .head(let h):
            head = h
            body = []
        case .body(var buffer):
            if body.count <= limit, let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let head else { return nil }
            defer {
                self.head = nil
                body = []
            }
            return CollectedRequest(head: head, body: body)
        }
        return nil
    }
}
