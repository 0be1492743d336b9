/// One HTTP request, as an `HTTPClient` sends it.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// The method as sent (`GET`, `POST`, …).
    public var method: String
    /// An absolute `http://` or `https://` URL, query string included.
    public var url: String
    /// Sent in this order. The client adds `User-Agent` unless one is given here.
    public var headers: HTTPHeaders
    /// The request body; nil sends none.
    public var body: [UInt8]?
    public var timeouts: HTTPTimeouts
    /// Whether sending the request twice has the effect of sending it once, which is what
    /// allows retries. Defaults to true for GET, HEAD, PUT, DELETE and OPTIONS.
    public var isIdempotent: Bool
    /// Receives the body of a 2xx response piece by piece as it arrives (watch streams,
    /// large downloads) instead of collecting it in `HTTPResponse.body`; returning false stops the
    /// transfer, and `send` then returns normally. It is called on the thread that called
    /// `send`, one piece at a time, in order. Bodies of other statuses are still collected, so an
    /// error response can be read as usual.
    public var onData: (@Sendable ([UInt8]) -> Bool)?
    /// Collect the served certificate chain (`CURLOPT_CERTINFO`) into `HTTPResponse.certificates`.
    public var collectsCertificates = false

    public init(
        method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        timeouts: HTTPTimeouts = .default, isIdempotent: Bool? = nil,
        onData: (@Sendable ([UInt8]) -> Bool)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.isIdempotent = isIdempotent ?? HTTPRequest.idempotentMethods.contains(method.uppercased())
        self.onData = onData
    }

    /// Methods that are idempotent by default.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]

    /// A request whose body is UTF-8 `text`.
    public init(
        method: String, url: String, headers: HTTPHeaders = [:], text: String,
        timeouts: HTTPTimeouts = .default, isIdempotent: Bool? = nil
    ) {
        self.init(
            method: method, url: url, headers: headers, body: Array(text.utf8), timeouts: timeouts,
            isIdempotent: isIdempotent)
    }

    /// `METHOD url` with secrets redacted, then the headers (sensitive values as `***`).
    public var description: String {
        var text = "\(method) \(Redaction.redactURL(url))"
        if !headers.isEmpty { text += "\n" + Redaction.render(headers) }
        if let body { text += "\n(\(body.count) byte body)" }
        return text
    }
}

/// How long a request may take. Each applies to one attempt; retries start afresh.
public struct HTTPTimeouts: Sendable, Hashable {
    /// Until the connection (TLS included) is up.
    public var connect: Duration
    /// For the whole attempt; nil means no limit (watch streams).
    public var total: Duration?

    public init(connect: Duration = .seconds(10), total: Duration? = .seconds(60)) {
        self.connect = connect
        self.total = total
    }

    /// 10 s to connect, 60 s in all.
    public static let `default` = HTTPTimeouts()
    /// 10 s to connect, no overall limit: for watch streams, which are cancelled instead.
    public static let streaming = HTTPTimeouts(total: nil)
}
