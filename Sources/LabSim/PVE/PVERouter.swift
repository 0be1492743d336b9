import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The PVE API behind the HTTP server: pveproxy's request pipeline (format, authentication,
/// CSRF, body rules, parameter merging), the handler lookup, permission and parameter checks,
/// and the JSON formatter. One instance per simulator; `handle` may be called from any thread,
/// and all cluster state lives in `state` behind a mutex.
final class PVEAPI: Sendable {
    let config: PVESimulatorConfig
    let auth: PVEAuth
    let faults: PVEFaultInjector
    let state: Mutex<PVEState>
    /// Every API request seen, as `METHOD /path` (no query), oldest first — what tests use to
    /// show that a dry run wrote nothing.
    let requestLog = Mutex<[String]>([])
    /// The node pveproxy runs on (the endpoint's node); the others are reached "through" it.
    let localNode: String
    /// What follows a VM's power-off outside the API (the lab's simulated nodes stop its sshd);
    /// `settleGuests` runs it.
    let guestsWentDown: @Sendable () -> Void
    private let routes: [PVERoute]
    /// pveproxy refuses larger bodies (`$limit_max_post`).
    static let maxPost = 64 * 1024

    init(
        config: PVESimulatorConfig, fingerprints: [String: String], faults: PVEFaultInjector = PVEFaultInjector(),
        guestsWentDown: @escaping @Sendable () -> Void = {}
    ) {
        self.config = config
        self.guestsWentDown = guestsWentDown
        self.faults = faults
        auth = PVEAuth(config: config)
        localNode = config.nodes.first?.name ?? "pve"
        state = Mutex(PVEState(config: config, now: Self.now(), fingerprints: fingerprints))
        routes = PVERoutes.all
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs `body` on the state after finishing every task that is due.
    func withState<T: Sendable>(now: Double, _ body: (inout PVEState) throws(PVEError) -> T) throws(PVEError) -> T {
        try state.withLock { (s: inout PVEState) throws(PVEError) -> T in
            s.advance(to: now)
            return try body(&s)
        }
    }

    /// Runs `guestsWentDown` if a task took a VM down since the last call (whichever request or
    /// reader advanced the tasks), before the answer goes out: on a real cluster a VM whose stop
    /// task says `OK` answers no more on SSH, so no client may see `OK` or `stopped` while the
    /// simulated node's sshd still takes logins.
    func settleGuests() {
        let wentDown = state.withLock { s in
            defer { s.guestsWentDown = false }
            return s.guestsWentDown
        }
        guard wentDown else { return }
        guestsWentDown()
    }

    // MARK: Pipeline

    func handle(_ request: PVEHTTPRequest) -> PVEHTTPResponse {
        let now = Self.now()
        if request.path.hasPrefix("/_sim/") { return PVEAdmin.handle(request, api: self) }
        let method = request.method == "HEAD" ? "GET" : request.method
        let path = FormDecoding.percentDecode(request.path)
        guard path.hasPrefix("/api2") else {
            return plainError(404, "Not Found")
        }
        guard let (format, rel) = Self.splitAbsURI(path) else { return plainError(501, "no such uri") }
        requestLog.withLock { $0.append("\(method) \(rel)") }

        // Authentication, as PVE::HTTPServer::auth_handler.
        let cookie = request.header("Cookie")
        let authorization = request.header("Authorization")
        let ticket =
            Self.extractAuthValue(cookie, key: "PVEAuthCookie")
            ?? Self.extractAuthValue(authorization, key: "PVEAuthCookie")
        let apiToken = ticket == nil ? Self.extractAuthValue(authorization, key: "PVEAPIToken") : nil
        let exempt =
            (rel == "/access/domains" && method == "GET")
            || (rel == "/access/ticket" && (method == "GET" || method == "POST"))
        var authid = ""
        var viaToken = false
        if !exempt {
            if let apiToken {
                switch auth.verifyToken(apiToken) {
                case .success(let id):
                    authid = id
                    viaToken = true
                case .failure(.failed(let reason)):
                    return unauthorized(config.authFailureWording == .unified ? "Authentication failed!" : reason)
                }
            } else {
                guard let ticket else { return unauthorized("No ticket") }
                guard let user = auth.verifyTicket(ticket, now: now) else {
                    return unauthorized(
                        config.authFailureWording == .unified
                            ? "Authentication failed!" : "permission denied - invalid PVE ticket")
                }
                authid = user
                if method != "GET", !auth.verifyCSRFToken(request.header("CSRFPreventionToken"), user: user, now: now) {
                    return unauthorized("Permission denied - invalid csrf token")
                }
            }
        }

        if let fault = faults.httpFault(method: method, path: rel) { return faultResponse(fault) }

        if request.contentLength > 0 {
            guard method == "PUT" || method == "POST" else {
                return plainError(501, "Unexpected content for method '\(method)'")
            }
            if request.contentLength > Self.maxPost { return plainError(501, "for data too large") }
        }
        guard format == "json" else { return plainError(501, "no formatter for uri \(rel), \(format)") }

        let params: PVEParams
        switch extractParams(request, method: method) {
        case .success(let p): params = p
        case .failure(let failure): return plainError(500, failure.message)
        }

        let response = dispatch(method: method, rel: rel, params: params, authid: authid, viaToken: viaToken, now: now)
        if response.status == 401 {
            var delayed = response
            delayed.delay = max(0, config.timings.unauthorizedDelay - (Self.now() - now))
            return delayed
        }
        return response
    }

    private func dispatch(
        method: String, rel: String, params: PVEParams, authid: String, viaToken: Bool, now: Double
    ) -> PVEHTTPResponse {
        let segments = rel.split(separator: "/").map(String.init)
        guard
            let (route, uriParams) = routes.lazy.compactMap({ r in r.match(method: method, segments).map { (r, $0) } })
                .first
        else {
            return format(.failure(PVEError(status: 501, "Method '\(method) \(rel)' not implemented")))
        }
        var merged: PVEParams = uriParams.mapValues { .scalar($0) }
        for (key, value) in params {
            if let fromURI = uriParams[key], value != .scalar(fromURI) {
                return format(
                    .failure(
                        .parameter(key, "duplicate parameter (already defined in URI) with conflicting values!")))
            }
            merged[key] = value
        }
        let call = PVECall(api: self, params: merged, authid: authid, now: now, rel: rel)
        do throws(PVEError) {
            if viaToken && !route.allowToken {
                throw PVEError.permission("URI '\(rel)' not available with API token, need proper ticket.\n")
            }
            try route.permission(call)
            let errors = PVESchema.validate(merged, route.parameters)
            if !errors.isEmpty { throw PVEError.parameters(errors) }
            return format(.success(try route.handler(call)))
        } catch {
            return format(.failure(error))
        }
    }

    // MARK: Responses

    /// The JSON formatter: `{"data":…}` on success; on error `data: null`, `errors` for
    /// parameters and (PVE ≥ 8.3) `message`; the text's first line is also the reason phrase.
    func format(_ result: Result<PVEResult, PVEError>) -> PVEHTTPResponse {
        switch result {
        case .success(let r):
            var pairs: [(key: String, value: Document)] = [("data", r.data)]
            if let total = r.total { pairs.append(("total", .int(total))) }
            return .json(200, reason: "OK", JSONCodec.encode(.object(pairs)))
        case .failure(let e):
            var pairs: [(key: String, value: Document)] = [("data", .null)]
            if !e.errors.isEmpty { pairs.append(("errors", .object(e.errors.map { ($0.key, .string($0.value)) }))) }
            if config.messageInBody { pairs.append(("message", .string(e.message))) }
            return .json(e.status, reason: Self.reason(e.message, status: e.status), JSONCodec.encode(.object(pairs)))
        }
    }

    /// pveproxy's `error()`: the text in the status line and (PVE ≥ 8.3) as a plain body.
    func plainError(_ status: Int, _ message: String) -> PVEHTTPResponse {
        PVEHTTPResponse(
            status: status, reason: Self.reason(message, status: status), contentType: nil,
            body: config.messageInBody ? Array(message.utf8) : [])
    }

    /// A 401 from authentication: the reason only in the status line, no body, held back.
    func unauthorized(_ reason: String) -> PVEHTTPResponse {
        PVEHTTPResponse(
            status: 401, reason: reason, contentType: nil, body: [], delay: config.timings.unauthorizedDelay)
    }

    private func faultResponse(_ fault: (status: Int, message: String?, delay: Double)) -> PVEHTTPResponse {
        var response: PVEHTTPResponse
        if fault.status == 500 || fault.status == 400 || fault.status == 403 || fault.status == 501 {
            let message = fault.message ?? "simulated failure"
            response = format(
                .failure(PVEError(status: fault.status, message.hasSuffix("\n") ? message : message + "\n")))
        } else {
            response = plainError(fault.status, fault.message ?? PVEHTTPResponse.standardReason(fault.status))
        }
        response.delay = fault.delay
        return response
    }

    /// The reason phrase: the message's first line, or the standard phrase if that is empty.
    static func reason(_ message: String, status: Int) -> String {
        let first =
            message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return first.isEmpty ? PVEHTTPResponse.standardReason(status) : first
    }

    // MARK: Request pieces

    /// `/api2/json/nodes` → ("json", "/nodes"); nil when there is no format segment.
    static func splitAbsURI(_ path: String) -> (String, String)? {
        var rest = path.dropFirst("/api2".count)
        guard rest.first == "/" else { return nil }
        while rest.first == "/" { rest = rest.dropFirst() }
        let format = rest.prefix { $0 != "/" }
        guard let first = format.first, first.isLetter, first.isLowercase,
            format.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isASCIIDigit })
        else { return nil }
        let rel = rest.dropFirst(format.count)
        return (String(format), rel.isEmpty ? "/" : String(rel))
    }

    /// `extract_auth_value`: the value after `KEY=` (or `KEY `) up to `;`, URI-unescaped.
    static func extractAuthValue(_ header: String?, key: String) -> String? {
        guard let header else { return nil }
        var searchStart = header.startIndex
        while let range = header[searchStart...].firstRange(of: key) {
            let atStart =
                range.lowerBound == header.startIndex || header[header.index(before: range.lowerBound)].isWhitespace
            if atStart, range.upperBound < header.endIndex,
                header[range.upperBound] == "=" || header[range.upperBound] == " "
            {
                let valueStart = header.index(after: range.upperBound)
                let raw = header[valueStart...].prefix { $0 != ";" }
                var value = FormDecoding.percentDecode(String(raw))
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                return value.isEmpty ? nil : value
            }
            searchStart = range.upperBound
        }
        return nil
    }

    struct ParamFailure: Error {
        var message: String
    }

    /// `extract_params`: a PUT/POST body (JSON or form) merged with the query string, which wins.
    private func extractParams(_ request: PVEHTTPRequest, method: String) -> Result<PVEParams, ParamFailure> {
        var params: PVEParams = [:]
        if method == "PUT" || method == "POST", !request.body.isEmpty {
            let contentType = request.header("Content-Type")?.split(separator: ";").first?
                .trimmingWhitespace().lowercased()
            let text = String(decoding: request.body, as: UTF8.self)
            if contentType == "application/json" {
                guard let doc = try? JSONCodec.decode(text) else {
                    return .failure(
                        ParamFailure(
                            message:
                                "malformed JSON string, neither tag, array, object, number, string or atom, at character offset 0 (before \"\(text.prefix(20))\") at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 939.\n"
                        ))
                }
                guard case .object(let pairs) = doc else {
                    return .failure(
                        ParamFailure(
                            message: "Not a HASH reference at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 946.\n"))
                }
                for (key, value) in pairs {
                    switch value {
                    case .null: continue
                    case .bool(let b): params[key] = .scalar(b ? "1" : "0")
                    case .int(let i): params[key] = .scalar(String(i))
                    case .double(let d):
                        params[key] = .scalar(d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d))
                    case .string(let s): params[key] = .scalar(s)
                    case .array(let items):
                        params[key] = .list(
                            items.map { if case .string(let s) = $0 { return s } else { return JSONCodec.encode($0) } })
                    case .object: params[key] = .structured
                    }
                }
            } else {
                Self.merge(FormDecoding.decodePairs(text), into: &params)
            }
        }
        var query: PVEParams = [:]
        Self.merge(FormDecoding.decodePairs(request.query), into: &query)
        for (k, v) in query { params[k] = v }
        params["_dc"] = nil
        return .success(params)
    }

    /// Repeated keys become lists; a key without `=` counts as not given.
    private static func merge(_ pairs: [FormDecoding.Pair], into params: inout PVEParams) {
        for pair in pairs {
            guard let value = pair.value else { continue }
            switch params[pair.key] {
            case .scalar(let old)?: params[pair.key] = .list([old, value])
            case .list(let old)?: params[pair.key] = .list(old + [value])
            default: params[pair.key] = .scalar(value)
            }
        }
    }
}

/// What a handler returns: `data`, and `total` for paged lists such as task logs.
struct PVEResult: Sendable {
    var data: Document
    var total: Int? = nil

    init(_ data: Document, total: Int? = nil) {
        self.data = data
        self.total = total
    }
}

/// One API call as a handler sees it: checked parameters (URI ones included), who is calling
/// (`USER@REALM` or `USER@REALM!TOKEN`), and the time it arrived.
struct PVECall: Sendable {
    let api: PVEAPI
    let params: PVEParams
    let authid: String
    let now: Double
    let rel: String

    func string(_ key: String) -> String? { params[key]?.string }
    func int(_ key: String) -> Int? { string(key).flatMap { Int($0) } }
    func bool(_ key: String) -> Bool? { string(key).map { $0 == "1" } }
    var node: String { string("node") ?? "" }
    var vmid: Int { int("vmid") ?? 0 }

    /// The user a token belongs to (or the user itself).
    var user: String { authid.split(separator: "!").first.map(String.init) ?? authid }

    func check(_ path: String, _ privs: [String], any: Bool = false) throws(PVEError) {
        try api.auth.check(authid, path, privs, any: any)
    }

    func withState<T: Sendable>(_ body: (inout PVEState) throws(PVEError) -> T) throws(PVEError) -> T {
        try api.withState(now: now, body)
    }
}

/// One API method: HTTP method, path template (`{node}`, `{vmid}`, `{upid}` segments), the
/// parameter schema (URI parameters included), the permission check, and the handler.
struct PVERoute: Sendable {
    var method: String
    var path: String
    var parameters: [String: PVEProp]
    var allowToken = true
    var permission: @Sendable (PVECall) throws(PVEError) -> Void
    var handler: @Sendable (PVECall) throws(PVEError) -> PVEResult

    func match(method: String, _ segments: [String]) -> [String: String]? {
        guard method == self.method else { return nil }
        let template = path.split(separator: "/").map(String.init)
        guard template.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (t, s) in zip(template, segments) {
            if t.hasPrefix("{") { params[String(t.dropFirst().dropLast())] = s } else if t != s { return nil }
        }
        return params
    }
}
