internal import CCurl
import HLSCore

/// Turns a failed curl transfer into the `HLSError` users see, and says whether trying again
/// could help. Every text from curl passes through `Redaction` first.
enum HTTPFailure {
    struct Classified {
        var error: HLSError
        /// A failure that may pass on its own: the connection could not be made or broke.
        var transient: Bool
    }

    /// What to do about a certificate that does not verify, and what is trusted now: the CA file
    /// given (which did not sign it), else the system's CAs.
    static func certificateHint(_ tls: TLSOptions) -> String {
        let trusted =
            tls.caFile.map { "the CAs in \($0)" } ?? (tls.caPEM != nil ? "the CAs given" : "the system's CAs")
        return "trust the server's CA with caFile (for Proxmox, the node's /etc/pve/pve-root-ca.pem), "
            + "pin the server's certificate fingerprint (for Proxmox, the one `pvenode cert info` shows) or its "
            + "public key, or skip verification with --insecure (unsafe); trusted now: \(trusted)"
    }

    /// - Parameters:
    ///   - requestSent: whether the attempt got as far as sending the request.
    ///   - cancelled: whether the caller's cancellation token was set.
    ///   - refusedCertificate: the fingerprint of a server certificate that did not match
    ///     `tls.certificateFingerprint` (the handshake was refused, nothing was sent).
    static func classify(
        _ code: CURLcode, curlText: String, request: HTTPRequest, tls: TLSOptions,
        requestSent: Bool, cancelled: Bool, refusedCertificate: CertificateFingerprint? = nil
    ) -> Classified {
        let place = Place.request(method: request.method, url: Redaction.redactURL(request.url))
        let cause = Redaction.redact(curlText)
        let origin = self.origin(of: request.url)
        if let expected = tls.certificateFingerprint, let presented = refusedCertificate,
            !(code == CURLE_ABORTED_BY_CALLBACK && cancelled)
        {
            return Classified(
                error: HLSError(
                    .failed,
                    "certificate fingerprint of \(origin) does not match the pinned one: "
                        + "expected \(expected), the server presented \(presented)",
                    at: .host(authority(of: request.url)),
                    hint: "if the host's certificate was renewed, pin its new fingerprint; otherwise this may not "
                        + "be the server you expect. Read the real one where you trust the answer: "
                        + CertificateFingerprint.whereToReadIt(at: authority(of: request.url)),
                    cause: cause),
                transient: false)
        }
        func failed(_ message: String, hint: String? = nil, transient: Bool = false) -> Classified {
            Classified(error: HLSError(.failed, message, at: place, hint: hint, cause: cause), transient: transient)
        }
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where cancelled:
            return Classified(error: HLSError(.interrupted, "interrupted", at: place), transient: false)
        case CURLE_OPERATION_TIMEDOUT:
            if !requestSent {
                let limit = [request.timeouts.connect, request.timeouts.total].compactMap { $0 }.min()!
                return Classified(
                    error: HLSError(
                        .timeout, "timed out after \(limit.text) connecting to \(origin)", at: place, cause: cause),
                    transient: true)
            }
            let limit = request.timeouts.total.map { " after \($0.text)" } ?? ""
            return Classified(
                error: HLSError(.timeout, "timed out\(limit) waiting for the response", at: place, cause: cause),
                transient: false)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY:
            return failed("cannot connect to \(origin)", transient: true)
        case CURLE_COULDNT_RESOLVE_HOST:
            return failed("cannot connect to \(origin): unknown host")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return failed("the connection to \(origin) broke during the request", transient: true)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS:
            return failed(
                "certificate problem: cannot verify the TLS certificate of \(origin)", hint: certificateHint(tls))
        case CURLE_SSL_CACERT_BADFILE:
            return failed(
                "certificate problem: cannot load the CA certificates"
                    + (tls.caFile.map { " from \($0)" } ?? ""),
                hint: "the CA file must be a readable PEM file of CA certificates")
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return failed(
                "certificate problem: the public key of \(origin) does not match the pinned fingerprint",
                hint: "if the server's certificate was renewed with a new key, pin the new fingerprint; "
                    + "otherwise this may not be the server you expect")
        case CURLE_SSL_CERTPROBLEM:
            return failed("cannot use the client certificate for \(origin)")
        case CURLE_SSL_CONNECT_ERROR:
            return failed("TLS handshake with \(origin) failed")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return Classified(
                error: HLSError(
                    .usage, "invalid URL \(Redaction.redactURL(request.url))", at: place,
                    hint: "URLs must start with http:// or https://", cause: cause),
                transient: false)
        default:
            return failed("request to \(origin) failed")
        }
    }

    /// `scheme://host:port` of `url`, without user info.
    static func origin(of url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return Redaction.redactURL(url) }
        return String(url[..<separator.upperBound]) + authority(of: url)
    }

    /// `host:port` of `url` (as written), without scheme and user info.
    static func authority(of url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return Redaction.redactURL(url) }
        let rest = url[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority)
    }
}
