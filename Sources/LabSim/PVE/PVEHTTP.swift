/// One HTTP request as the PVE front end sees it, independent of NIO.
struct PVEHTTPRequest: Sendable {
    var method: String
    /// The path as sent, still percent-encoded.
    var path: String
    var query: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Set when the client declared a body (Content-Length > 0), even if it was not read.
    var contentLength: Int

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One HTTP response: the status line's code and reason (pveproxy puts error text there),
/// headers, body, and how long to hold it back (pveproxy delays 401s).
struct PVEHTTPResponse: Sendable {
    var status: Int
    var reason: String
    var contentType: String?
    var body: [UInt8]
    var delay: Double = 0
    /// pveproxy closes the connection after every response with status ≥ 400.
    var close: Bool { status >= 400 }

    static func json(_ status: Int, reason: String, _ text: String, delay: Double = 0) -> PVEHTTPResponse {
        PVEHTTPResponse(
            status: status, reason: reason, contentType: "application/json;charset=UTF-8", body: Array(text.utf8),
            delay: delay)
    }

    /// Standard reason phrases for the codes the simulator uses.
    static func standardReason(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 595: return "Errors during connection establishment, proxy handshake"
        case 596: return "Errors during TLS negotiation, request sending and header processing"
        case 597: return "Errors during body receiving or processing"
        case 598: return "User aborted request via on_header or on_body"
        case 599: return "Other, usually nonretryable, errors (garbled URL etc.)"
        default: return "Error"
        }
    }
}

/// An API error the way a PVE handler raises it: a status, a message (usually ending in a
/// newline, as Perl's `die "...\n"`), and for 400s the per-parameter `errors`.
struct PVEError: Error, Sendable {
    var status: Int
    var message: String
    var errors: [(key: String, value: String)]

    init(status: Int = 500, _ message: String, errors: [(key: String, value: String)] = []) {
        self.status = status
        self.message = message
        self.errors = errors
    }

    /// `raise_param_exc`: 400 "Parameter verification failed." with the per-parameter reasons.
    static func parameters(_ errors: [(key: String, value: String)]) -> PVEError {
        PVEError(status: 400, "Parameter verification failed.\n", errors: errors.sorted { $0.key < $1.key })
    }

    static func parameter(_ key: String, _ message: String) -> PVEError {
        parameters([(key, message)])
    }

    /// `die "...\n"` inside a handler: HTTP 500 with the text.
    static func failed(_ message: String) -> PVEError {
        PVEError(status: 500, message.hasSuffix("\n") ? message : message + "\n")
    }

    /// `raise_perm_exc`: 403 "Permission check failed (WHAT)".
    static func permission(_ what: String?) -> PVEError {
        PVEError(status: 403, "Permission check failed" + (what.map { " (\($0))" } ?? "") + "\n")
    }
}
