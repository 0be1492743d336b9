public import HLSCore
import HLSFormats
import HLSTransport

/// The Proxmox VE API over one `HTTPClient` (libcurl): plain calls (`get`, `post`, `put`,
/// `delete`) that return the answer's `data`, and the typed calls in its extensions.
///
/// - GET and DELETE parameters go only in the query string (a body gets 501 from PVE); POST and
///   PUT send them form-urlencoded (`PVEFormEncoding`).
/// - API tokens go in `Authorization` on every request. Password logins get a ticket first
///   (`PVEAuthCookie` cookie, `CSRFPreventionToken` on every non-GET), renewed before it expires.
/// - Every unsuccessful status becomes one `HLSError` through `PVEAPIFailure` (see
///   `PVEErrorMapping`); 595–599 on idempotent requests are retried by the `HTTPClient`, 500
///   never is.
///
/// Thread-safe: the settings are immutable and the ticket sits behind a lock.
public final class PVEClient: Sendable {
    public let settings: PVEConnectionSettings
    let http: HTTPClient
    let session: PVETicketSession?

    /// `trace` receives one redacted line per request, response and retry (for `--trace`).
    public init(settings: PVEConnectionSettings, trace: (@Sendable (String) -> Void)? = nil) {
        self.settings = settings
        self.http = HTTPClient(tls: settings.tls, retry: settings.retry, trace: trace)
        if case .password(let login) = settings.credentials {
            session = PVETicketSession(login: login, renewal: settings.ticketRenewal)
        } else {
            session = nil
        }
    }

    /// `GET path?query` → the answer's `data`.
    public func get(
        _ path: String, query: [(String, String)] = [], cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        try call("GET", path, query: query, cancellation: cancellation).get()
    }

    /// `POST path` with a form body → the answer's `data` (a UPID for most actions).
    public func post(
        _ path: String, form: [(String, String)] = [], cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        try call("POST", path, form: form, cancellation: cancellation).get()
    }

    /// `PUT path` with a form body → the answer's `data`.
    public func put(
        _ path: String, form: [(String, String)] = [], cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        try call("PUT", path, form: form, cancellation: cancellation).get()
    }

    /// `DELETE path?query` → the answer's `data`.
    public func delete(
        _ path: String, query: [(String, String)] = [], cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        try call("DELETE", path, query: query, cancellation: cancellation).get()
    }

    /// Logs in now (ticket login), so that a wrong password shows before any other work. Does
    /// nothing for API tokens, which PVE checks on each request.
    public func login(cancellation: Cancellation = .never) throws(HLSError) {
        guard let session else { return }
        _ = try session.ticket(client: self, fresh: false, cancellation: cancellation)
    }

    // MARK: The one request path

    /// What a call came back with: `data`, or a failure that the caller may recognise.
    enum Answer {
        case data(Document)
        case failure(PVEAPIFailure)

        /// The data, or the failure as an `HLSError`.
        func get() throws(HLSError) -> Document {
            switch self {
            case .data(let document): return document
            case .failure(let failure): throw failure.error()
            }
        }
    }

    /// Sends one API call: authenticates it, encodes the parameters where PVE wants them,
    /// retries once with a fresh ticket after a 401 (password logins), and reads the answer.
    /// Throws for transport problems and undecodable answers; API errors come back as `.failure`.
    func call(
        _ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)] = [],
        idempotent: Bool? = nil, cancellation: Cancellation
    ) throws(HLSError) -> Answer {
        var fresh = false
        while true {
            let headers = try authHeaders(method: method, fresh: fresh, cancellation: cancellation)
            let answer = try send(
                method, path, query: query, form: form, headers: headers, idempotent: idempotent,
                cancellation: cancellation)
            if case .failure(let failure) = answer, failure.status == 401, session != nil, !fresh {
                fresh = true
                continue
            }
            return answer
        }
    }

    /// `Accept`, plus the token, or the ticket cookie and (for every method but GET) the CSRF token.
    func authHeaders(method: String, fresh: Bool, cancellation: Cancellation) throws(HLSError) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        switch settings.credentials {
        case .apiToken(let token):
            headers.add("Authorization", token.headerValue)
        case .password:
            guard let session else { break }
            let ticket = try session.ticket(client: self, fresh: fresh, cancellation: cancellation)
            // PVE URI-unescapes the cookie value, as the web UI escapes it.
            headers.add("Cookie", "PVEAuthCookie=\(PVEFormEncoding.percentEncode(ticket.ticket.value))")
            if method != "GET" { headers.add("CSRFPreventionToken", ticket.csrfToken.value) }
        }
        return headers
    }

    /// Sends one request with the given headers and reads the answer (no authentication logic).
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)] = [],
        headers: HTTPHeaders, idempotent: Bool? = nil, cancellation: Cancellation
    ) throws(HLSError) -> Answer {
        let request = self.request(method, path, query: query, form: form, headers: headers, idempotent: idempotent)
        let response = try http.send(request, cancellation: cancellation)
        return try read(response, method: method, path: path)
    }

    /// The HTTP request for one call: GET and DELETE (and HEAD) carry their parameters in the
    /// query string and no body at all; POST and PUT carry them form-urlencoded in the body.
    func request(
        _ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)] = [],
        headers: HTTPHeaders, idempotent: Bool? = nil
    ) -> HTTPRequest {
        let apiPath = path.hasPrefix("/") ? path : "/" + path
        var url = settings.endpoint.baseURL + apiPath
        var headers = headers
        var body: [UInt8]?
        if method == "GET" || method == "DELETE" || method == "HEAD" {
            precondition(form.isEmpty, "PVE refuses a body on \(method) (501): use the query")
            if !query.isEmpty { url += (apiPath.contains("?") ? "&" : "?") + PVEFormEncoding.encode(query) }
        } else {
            precondition(query.isEmpty, "PVE reads POST and PUT parameters from the body")
            body = Array(PVEFormEncoding.encode(form).utf8)
            headers.add("Content-Type", "application/x-www-form-urlencoded")
        }
        return HTTPRequest(
            method: method, url: url, headers: headers, body: body, timeouts: settings.timeouts,
            isIdempotent: idempotent)
    }

    /// A response as an `Answer`: the `data` of a 2xx JSON body, or the failure.
    func read(_ response: HTTPResponse, method: String, path: String) throws(HLSError) -> Answer {
        let apiPath = Self.pathWithoutQuery(path.hasPrefix("/") ? path : "/" + path)
        guard response.isSuccess else {
            var failure = PVEAPIFailure(response: response, method: method, path: apiPath)
            failure.usingToken = session == nil
            return .failure(failure)
        }
        let text = response.bodyText
        if text.trimmingWhitespace().isEmpty { return .data(.null) }
        let document: Document
        do {
            document = try JSONCodec.decode(text)
        } catch {
            throw HLSError(
                .failed, "unexpected answer from Proxmox VE: not JSON", at: .request(method: method, url: apiPath),
                cause: Redaction.redact(String(text.prefix(200))))
        }
        return .data(document["data"] ?? .null)
    }

    /// `/nodes/pve1/qemu/101` from `/nodes/pve1/qemu/101?purge=1`.
    static func pathWithoutQuery(_ path: String) -> String {
        String(path.prefix { $0 != "?" })
    }

    /// `/nodes/{node}/qemu/{vmid}` with the node name encoded as a path segment.
    static func vmPath(node: String, vmid: Int) -> String {
        "/nodes/\(PVEFormEncoding.encodePathSegment(node))/qemu/\(vmid)"
    }
}
