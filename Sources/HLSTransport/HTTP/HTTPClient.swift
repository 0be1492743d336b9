internal import CCurl
public import HLSCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends HTTP(S) requests with libcurl: the transport under the Proxmox VE and Kubernetes API
/// clients.
///
/// - Every request observes a `Cancellation` (Ctrl-C), within about 50 ms even on a stalled
///   connection, and then throws `HLSError(.interrupted)`.
/// - Idempotent requests are retried after transient failures under `retry` (see
///   `RetryPolicy`); non-idempotent ones (POST) never are.
/// - Nothing it renders (errors, trace lines, descriptions) shows credentials: see `Redaction`.
/// - Proxies come from `proxy` when given, else from the environment (`https_proxy`, `no_proxy`,
///   …) as curl reads them.
/// - Redirects are not followed; a 3xx is returned like any other response.
/// - Idle curl handles are kept (up to `maxIdleConnections`) with their open connections, so
///   consecutive requests to the same host reuse one connection.
///
/// Thread-safe: the configuration is immutable and the idle handles sit behind a `Mutex`; each
/// request has a handle to itself while it runs.
public final class HTTPClient: Sendable {
    public let tls: TLSOptions
    public let retry: RetryPolicy
    /// `hlsh/<version>`, unless a request sets its own `User-Agent`.
    public let userAgent: String
    public let maxIdleConnections: Int
    /// The proxy every request goes through (`http://`, `https://`, `socks5://` URL; a
    /// kubeconfig's `proxy-url`), instead of the environment's.
    public let proxy: String?
    /// `CURLOPT_CONNECT_TO` entries (`HOST:PORT:CONNECT-HOST:CONNECT-PORT`): requests to HOST:PORT
    /// connect elsewhere while the URL, SNI and certificate check keep HOST (the simulated lab's
    /// loopback mapping of a node's address).
    public let connectTo: [String]
    /// Receives one line per request, response, failure and retry, already redacted.
    private let trace: (@Sendable (String) -> Void)?
    private let idle = Mutex<[CurlEasy]>([])

    public init(
        tls: TLSOptions = .verified, retry: RetryPolicy = .default, maxIdleConnections: Int = 4,
        proxy: String? = nil, connectTo: [String] = [], trace: (@Sendable (String) -> Void)? = nil
    ) {
        self.tls = tls
        self.retry = retry
        self.userAgent = "hlsh/\(HLSVersion.string)"
        self.maxIdleConnections = max(0, maxIdleConnections)
        self.proxy = proxy
        self.connectTo = connectTo
        self.trace = trace
    }

    /// Sends `request` (retrying as `retry` allows) and returns the response, whatever its status;
    /// use `HTTPResponse.checked(for:)` to turn a non-2xx status into an error. After the last
    /// attempt at a retryable status, that response is returned.
    ///
    /// Throws `HLSError` at `.request(method:url:)`: `.interrupted` when `cancellation` fires,
    /// `.timeout` when a timeout passes, `.failed` when the server cannot be reached or its
    /// certificate is not trusted, `.usage` for a malformed URL, header or pin. A certificate that
    /// fails `tls.certificateFingerprint` is reported at `.host` with both fingerprints.
    public func send(_ request: HTTPRequest, cancellation: Cancellation = .never) throws(HLSError) -> HTTPResponse {
        let place = Place.request(method: request.method, url: Redaction.redactURL(request.url))
        let scheme = request.url.prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https", request.url.contains("://") else {
            throw HLSError(
                .usage, "invalid URL \(Redaction.redactURL(request.url))", at: place,
                hint: "URLs must start with http:// or https://")
        }
        do {
            try tls.validate()
        } catch {
            throw error.located(place)
        }
        var attempt = 1
        while true {
            if cancellation.isCancelled { throw HLSError(.interrupted, "interrupted", at: place) }
            let why: String
            switch try attemptOnce(request, place: place, cancellation: cancellation) {
            case .response(let response, let delivered):
                guard request.isIdempotent, attempt < retry.attempts, !delivered,
                    retry.retryableStatuses.contains(response.status)
                else { return response }
                why = "HTTP \(response.statusLine)"
            case .failure(let failure, let delivered):
                guard failure.transient, request.isIdempotent, attempt < retry.attempts, !delivered
                else { throw failure.error }
                why = failure.error.message
            }
            let delay = retry.delay(beforeRetry: attempt)
            attempt += 1
            log(
                "retrying \(place) in \(delay.text) (attempt \(attempt) of \(retry.attempts)) after: \(why)"
            )
            if !cancellation.sleep(for: delay) { throw HLSError(.interrupted, "interrupted", at: place) }
        }
    }

    private enum Outcome {
        case response(HTTPResponse, delivered: Bool)
        case failure(HTTPFailure.Classified, delivered: Bool)
    }

    private func attemptOnce(
        _ request: HTTPRequest, place: Place, cancellation: Cancellation
    ) throws(HLSError) -> Outcome {
        let easy = try checkOut()
        defer { checkIn(easy) }
        let state = TransferState(cancellation: cancellation, onData: request.onData)
        log("> \(place)" + (request.headers.isEmpty ? "" : "\n" + indent(Redaction.render(request.headers))))
        let started = ContinuousClock.now
        let code = try CurlTransfer.run(
            request, on: easy, tls: tls, proxy: proxy, connectTo: connectTo, userAgent: userAgent, state: state)
        let elapsed = (ContinuousClock.now - started).wholeMilliseconds
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && state.stoppedByReceiver) {
            if request.collectsCertificates { state.certificates = easy.certificates() }
            let response = state.response
            log("< \(response.statusLine) (\(response.body.count) bytes in \(elapsed) ms) for \(place)")
            return .response(response, delivered: state.delivered)
        }
        let failure = HTTPFailure.classify(
            code, curlText: easy.errorText(for: code), request: request, tls: tls,
            requestSent: easy.info(long: CURLINFO_REQUEST_SIZE) > 0 || easy.info(double: CURLINFO_PRETRANSFER_TIME) > 0,
            cancelled: cancellation.isCancelled,
            refusedCertificate: tls.certificateFingerprint == nil ? nil : easy.refusedCertificate)
        log("! \(place) after \(elapsed) ms: \(failure.error.message)" + (failure.error.cause.map { " (\($0))" } ?? ""))
        return .failure(failure, delivered: state.delivered)
    }

    /// The `CURLOPT_CONNECT_TO` entries in a variable's value (`HOST:PORT:CONNECT-HOST:CONNECT-PORT`,
    /// comma-separated, as a simulated lab writes them); malformed ones are left out.
    public static func connectToEntries(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").map { $0.trimmingWhitespace() }.filter {
            $0.split(separator: ":", omittingEmptySubsequences: false).count == 4
        }
    }

    // MARK: Handle pool

    private func checkOut() throws(HLSError) -> CurlEasy {
        if let easy = idle.withLock({ $0.popLast() }) { return easy }
        return try CurlEasy()
    }

    private func checkIn(_ easy: CurlEasy) {
        let limit = maxIdleConnections
        // A handle the pool has no room for is released here, outside the lock.
        let surplus: CurlEasy? = idle.withLock { handles in
            guard handles.count < limit else { return easy }
            handles.append(easy)
            return nil
        }
        _ = surplus
    }

    // MARK: Helpers

    private func log(_ line: @autoclosure () -> String) {
        guard let trace else { return }
        trace(Redaction.redact(line()))
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
