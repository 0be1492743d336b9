public import HLSCore

/// A response as received: every status is a response here (4xx and 5xx too); `checked(for:)`
/// turns the unsuccessful ones into an `HLSError`.
public struct HTTPResponse: Sendable, CustomStringConvertible {
    public var status: Int
    /// The reason phrase from the status line, as the server wrote it (Proxmox puts the reason
    /// for a 401 only there). Empty over HTTP/2, which has none.
    public var reason: String
    /// `HTTP/1.1`, `HTTP/2`, … from the status line.
    public var version: String
    public var headers: HTTPHeaders
    /// The body, unless the request's `onData` took it.
    public var body: [UInt8]
    /// The server's certificate chain, leaf first, when the request asked for it over HTTPS.
    public var certificates: [ServedCertificate] = []

    public init(
        status: Int, reason: String = "", version: String = "HTTP/1.1", headers: HTTPHeaders = [:],
        body: [UInt8] = []
    ) {
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// `401 authentication failure`, or just the status when there is no reason phrase.
    public var statusLine: String { reason.isEmpty ? "\(status)" : "\(status) \(reason)" }

    /// The response itself when it is 2xx; otherwise an `HLSError(.failed)` at the request, with
    /// the status and reason as the message and the start of the body (redacted) as the cause.
    @discardableResult
    public func checked(for request: HTTPRequest) throws(HLSError) -> HTTPResponse {
        if isSuccess { return self }
        let excerpt = Redaction.redact(String(bodyText.prefix(HTTPResponse.excerptLength)))
            .trimmingWhitespace()
        throw HLSError(
            .failed, "HTTP \(statusLine)",
            at: .request(method: request.method, url: Redaction.redactURL(request.url)),
            cause: excerpt.isEmpty ? nil : excerpt + (body.count > HTTPResponse.excerptLength ? "…" : ""))
    }

    static let excerptLength = 500

    /// The status line, the headers (sensitive values as `***`) and the body size.
    public var description: String {
        var text = "\(version) \(statusLine)"
        if !headers.isEmpty { text += "\n" + Redaction.render(headers) }
        text += "\n(\(body.count) byte body)"
        return text
    }
}
