import HLSCore
import HLSTransport

/// One request to the API server, before the server URL and credentials are added.
struct KubeCall: Sendable {
    var method: String
    /// `/api/v1/namespaces/x/pods/y`.
    var path: String
    /// Sent sorted by name, as client-go (Go's `url.Values`) sends them.
    var query: [(String, String)] = []
    var body: [UInt8]?
    var contentType: String?
    var accept = "application/json"
    var timeouts: HTTPTimeouts = .default
    var onData: (@Sendable ([UInt8]) -> Bool)?

    /// `path?query`, the query percent-encoded and sorted.
    var target: String {
        guard !query.isEmpty else { return path }
        let sorted = query.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        return path + "?" + PercentEncoding.query(sorted)
    }

    /// Where errors of this call are reported: `GET /api/v1/namespaces/x/pods/y`.
    var place: Place { .request(method: method, url: target) }
}
