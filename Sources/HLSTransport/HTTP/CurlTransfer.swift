internal import CCurl
import HLSCore

/// What one attempt of a request collects, reached from curl's C callbacks through their
/// userdata pointer (`Unmanaged`, unretained: `CurlTransfer.run` keeps it alive).
///
/// Confined to the thread running the transfer: curl calls the callbacks on that thread.
final class TransferState {
    let cancellation: Cancellation
    let onData: (@Sendable ([UInt8]) -> Bool)?

    var version = ""
    var status = 0
    var reason = ""
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var certificates: [ServedCertificate] = []
    /// The receiver got at least one piece of the body (so the attempt cannot be repeated).
    var delivered = false
    /// The receiver returned false: the transfer was stopped on purpose.
    var stoppedByReceiver = false

    init(cancellation: Cancellation, onData: (@Sendable ([UInt8]) -> Bool)?) {
        self.cancellation = cancellation
        self.onData = onData
    }

    /// One header line from curl: a status line starts a new header block (after 1xx
    /// responses), a leading blank continues the previous field, an empty line ends the block.
    func take(headerLine raw: String) {
        var line = Substring(raw)
        while let last = line.last, last.isNewline { line.removeLast() }
        if line.isEmpty { return }
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            version = String(parts[0])
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            reason = parts.count > 2 ? String(parts[2]) : ""
            headers = HTTPHeaders()
            body = []
            return
        }
        if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            headers.continueLastField(with: String(line).trimmingWhitespace())
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.add(
            String(line[..<colon]).trimmingWhitespace(),
            String(line[line.index(after: colon)...]).trimmingWhitespace())
    }

    /// A piece of the body: to the receiver for 2xx responses when there is one, else collected.
    /// Returns false to stop the transfer.
    func take(body piece: UnsafeRawBufferPointer) -> Bool {
        if let onData, (200..<300).contains(status) {
            delivered = true
            if !onData(Array(piece)) {
                stoppedByReceiver = true
                return false
            }
            return true
        }
        body.append(contentsOf: piece)
        return true
    }

    var response: HTTPResponse {
        var response = HTTPResponse(status: status, reason: reason, version: version, headers: headers, body: body)
        response.certificates = certificates
        return response
    }
}

/// Puts one `HTTPRequest` onto a `CurlEasy` and runs it.
enum CurlTransfer {
    /// Configures `easy` for `request` under `tls`, runs it and returns curl's result; the
    /// response so far is in `state`. The handle must have been reset.
    static func run(
        _ request: HTTPRequest, on easy: CurlEasy, tls: TLSOptions, proxy: String? = nil, connectTo: [String] = [],
        userAgent: String,
        state: TransferState
    ) throws(HLSError) -> CURLcode {
        try easy.reset()
        try easy.set(CURLOPT_NOSIGNAL, true)
        // curl keeps a pointer to the CONNECT_TO list until the transfer ends.
        var connectToList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(connectToList) }
        var entries = connectTo
        if let serverName = tls.serverName, let (url, entry) = redirect(request.url, toName: serverName) {
            // The URL carries the server name (SNI, certificate check); CONNECT_TO still connects
            // to the host the request names (or where a mapping sends that host: curl applies
            // only the first entry that matches).
            try easy.set(CURLOPT_URL, url)
            entries = [chain(entry, through: connectTo)]
        } else {
            try easy.set(CURLOPT_URL, request.url)
        }
        for entry in entries {
            guard let appended = curl_slist_append(connectToList, entry) else {
                throw HLSError(.failed, "cannot set up the HTTP request (CURLOPT_CONNECT_TO)")
            }
            connectToList = appended
        }
        if connectToList != nil {
            try easy.check(
                hlsh_curl_setopt_slist(easy.handle, CURLOPT_CONNECT_TO, connectToList), CURLOPT_CONNECT_TO)
        }
        if let proxy { try easy.set(CURLOPT_PROXY, proxy) }
        // Belt and braces (send checks the scheme); libcurl before 7.85 lacks the option.
        try? easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_USERAGENT, userAgent)
        // Every encoding curl can decode; the body arrives decoded.
        try easy.set(CURLOPT_ACCEPT_ENCODING, "")
        // Probes after 15 s idle, every 15 s (curl's default: 60 s): a peer gone without a word (a
        // host hard-reset) ends a long transfer, a watch stream, within a few minutes.
        try easy.set(CURLOPT_TCP_KEEPALIVE, true)
        try easy.set(CURLOPT_TCP_KEEPIDLE, 15)
        try easy.set(CURLOPT_TCP_KEEPINTVL, 15)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.timeouts.connect))
        try easy.set(CURLOPT_TIMEOUT_MS, request.timeouts.total.map(milliseconds) ?? 0)
        try setMethodAndBody(request, on: easy)
        try setTLS(tls, on: easy)
        if request.collectsCertificates { try easy.set(CURLOPT_CERTINFO, true) }

        let headerList = try headerList(for: request)
        defer { curl_slist_free_all(headerList) }
        try easy.check(hlsh_curl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)

        let context = Unmanaged.passUnretained(state).toOpaque()
        try easy.check(
            hlsh_curl_setopt_header_function(easy.handle) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: data, count: length)
                state.take(headerLine: String(decoding: bytes, as: UTF8.self))
                return length
            }, CURLOPT_HEADERFUNCTION)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        try easy.check(
            hlsh_curl_setopt_write_function(easy.handle) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
                return state.take(body: UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
            }, CURLOPT_WRITEFUNCTION)
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        // Called at least about once a second, even on a stalled transfer; non-zero aborts.
        try easy.check(
            hlsh_curl_setopt_xferinfo_function(easy.handle) { context, _, _, _, _ in
                guard let context else { return 0 }
                let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
                return state.cancellation.isCancelled ? 1 : 0
            }, CURLOPT_XFERINFOFUNCTION)
        try easy.set(CURLOPT_XFERINFODATA, pointer: context)

        return withExtendedLifetime(state) { easy.perform(cancellation: state.cancellation) }
    }

    private static func setMethodAndBody(_ request: HTTPRequest, on easy: CurlEasy) throws(HLSError) {
        let method = request.method.uppercased()
        var body = request.body
        if body == nil && ["POST", "PUT", "PATCH"].contains(method) { body = [] }
        switch method {
        case "GET" where body == nil:
            try easy.set(CURLOPT_HTTPGET, true)
        case "HEAD":
            try easy.set(CURLOPT_NOBODY, true)
        default:
            if method != "POST" || body == nil { try easy.set(CURLOPT_CUSTOMREQUEST, request.method) }
        }
        guard let body, method != "HEAD" else { return }
        // POSTFIELDS makes curl send the body with a Content-Length; COPYPOSTFIELDS copies it,
        // after POSTFIELDSIZE says how long it is (the bytes may contain NULs).
        try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
        if body.isEmpty {
            // Never NULL: that would make curl read the body from stdin.
            try easy.set(CURLOPT_COPYPOSTFIELDS, "")
            return
        }
        let code = body.withUnsafeBytes { bytes in
            hlsh_curl_setopt_pointer(
                easy.handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
        try easy.check(code, CURLOPT_COPYPOSTFIELDS)
    }

    private static func setTLS(_ tls: TLSOptions, on easy: CurlEasy) throws(HLSError) {
        try tls.validate()
        let verify = tls.verifiesPeer
        // Under a certificate pin, curl's peer verification stays on even when the chain is not
        // to be checked: the pin's callback then decides, and were it ever not installed the
        // handshake would fail against the empty CA store set below instead of trusting anyone.
        try easy.set(CURLOPT_SSL_VERIFYPEER, verify || tls.certificateFingerprint != nil)
        try easy.set(CURLOPT_SSL_VERIFYHOST, verify ? 2 : 0)
        if tls.caFile != nil || tls.caPEM != nil {
            // The given CAs replace the system's, directory included.
            try easy.set(CURLOPT_CAPATH, nil as String?)
            if let caPEM = tls.caPEM {
                try easy.set(CURLOPT_CAINFO, nil as String?)
                try easy.set(CURLOPT_CAINFO_BLOB, blob: caPEM)
            } else {
                try easy.set(CURLOPT_CAINFO, tls.caFile)
            }
        }
        if let pin = tls.pinnedPublicKey { try easy.set(CURLOPT_PINNEDPUBLICKEY, pin) }
        if let fingerprint = tls.certificateFingerprint {
            if !verify {
                // No trust anchors at all: the pin alone decides.
                try easy.set(CURLOPT_CAINFO, nil as String?)
                try easy.set(CURLOPT_CAPATH, nil as String?)
            }
            try easy.pinCertificate(fingerprint, verifyChain: verify)
        }
        switch tls.clientCertificate {
        case .file(let path): try easy.set(CURLOPT_SSLCERT, path)
        case .pem(let bytes): try easy.set(CURLOPT_SSLCERT_BLOB, blob: bytes)
        case nil: break
        }
        switch tls.clientKey {
        case .file(let path): try easy.set(CURLOPT_SSLKEY, path)
        case .pem(let bytes): try easy.set(CURLOPT_SSLKEY_BLOB, blob: bytes)
        case nil: break
        }
    }

    /// The request's headers as a curl list, plus an empty `Expect:` (no 100-continue round
    /// trip) unless the request sets one. Throws on a name or value that would split the header.
    private static func headerList(for request: HTTPRequest) throws(HLSError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        var lines: [String] = []
        for field in request.headers {
            let name = field.name
            if name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline })
                || field.value.contains(where: \.isNewline)
            {
                throw HLSError(
                    .usage, "invalid HTTP header \(String(reflecting: name))",
                    at: .request(method: request.method, url: Redaction.redactURL(request.url)))
            }
            // "Name;" is curl's way to send a header with an empty value.
            lines.append(field.value.isEmpty ? "\(name);" : "\(name): \(field.value)")
        }
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw HLSError(.failed, "cannot set up the HTTP request headers")
            }
            list = appended
        }
        return list
    }

    /// `url` with its host replaced by `name`, and the `CURLOPT_CONNECT_TO` entry
    /// (`name:port:host:port`) that sends the connection to the original host; nil when the URL
    /// has no host to replace.
    static func redirect(_ url: String, toName name: String) -> (url: String, connectTo: String)? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let userInfo = authority.lastIndex(of: "@").map { authority[...$0] } ?? ""
        let hostPort = authority[
            (authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex)...]
        var host = Substring(hostPort)
        var port = scheme == "https" ? "443" : "80"
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = hostPort[...close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            port = String(hostPort[hostPort.index(after: colon)...])
        }
        guard !host.isEmpty else { return nil }
        let rewritten = url[..<separator.upperBound] + userInfo + name + ":" + port + rest[authorityEnd...]
        return (String(rewritten), "\(name):\(port):\(host):\(port)")
    }

    /// A `CURLOPT_CONNECT_TO` entry whose destination goes on through the first of `mappings`
    /// that matches it (`name:443:host:443` and `host:443:127.0.0.1:8443` give
    /// `name:443:127.0.0.1:8443`).
    static func chain(_ entry: String, through mappings: [String]) -> String {
        let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return entry }
        let destination = String(parts[2]) + ":"
        guard let mapping = mappings.first(where: { $0.hasPrefix(destination) }) else { return entry }
        return parts[0] + ":" + parts[1] + ":" + mapping.dropFirst(destination.count)
    }

    /// A curl timeout in milliseconds: at least 1, as 0 means none to curl.
    static func milliseconds(_ duration: Duration) -> Int { Int(max(1, duration.wholeMilliseconds)) }
}
