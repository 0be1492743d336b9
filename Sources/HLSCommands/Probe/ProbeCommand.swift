import HLSCore
import HLSLanguage
import HLSTransport
import Kube

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `probe URL`: one GET as a browser would make it, through libcurl, and what came back — the
/// status, how long it took, and the certificate the server presented (subject, issuer, names,
/// notAfter and the days left). The certificate is verified (against `--ca`, else a simulated
/// lab's public roots, else the system's CAs) unless `--insecure`, and must have the
/// `--fingerprint` when one is pinned (even with `--insecure`); a TLS failure fails the probe
/// with curl's reason, before any request.
enum ProbeCommand {
    /// Where a simulated lab maps hosts to its loopback servers (Traefik's `:443` and `:80`):
    /// curl `CONNECT_TO` entries, first match wins, applied as the Kube client applies
    /// `HLSH_SIM_KUBE_CONNECT_TO`.
    static let connectToVariable = "HLSH_SIM_CONNECT_TO"
    /// A simulated lab's public roots (its GitHub's CA, the simulated Let's Encrypt production
    /// root): what a browser trusts there, as the system's CAs are elsewhere.
    static let caFileVariable = "HLSH_SIM_CA_FILE"

    static let spec = CommandSpec(
        ["probe"], summary: "An HTTPS (or HTTP) check of a URL: status, time and the served certificate",
        discussion: """
            Sends one GET (redirects are not followed) and fails unless the status is within --expect \
            (a status, or a range FROM..TO; default 200..399), naming the URL. Over HTTPS the row carries \
            the certificate the server presented: its subject, issuer, subject alternative names, notAfter \
            and the days left. The certificate must chain to --ca FILE (else the system's CAs) and name the \
            host; --insecure checks neither. --fingerprint pins the certificate's SHA-256 (AA:BB:…, as \
            `openssl x509 -noout -fingerprint -sha256` prints it), for a self-signed host: without --ca the \
            pin alone is checked, with --ca both, and a mismatch fails even with --insecure. In a simulated lab (--sim, or sim serve's env) the hosts \
            resolve to the lab's ingress through HLSH_SIM_CONNECT_TO, and without --ca the lab's public \
            roots (HLSH_SIM_CA_FILE: Let's Encrypt's production root, not its staging one) stand for the \
            system's CAs. Under --dry-run a probe that fails is noted, not an error: nothing was applied \
            that would make it pass.
            """,
        positionals: [Parameter("url", .string, "an https:// or http:// URL")],
        flags: [
            Flag("expect", .string, "the statuses that pass: 200, or a range 200..399", default: .string("200..399")),
            Flag("timeout", .duration, "how long the whole request may take", default: .duration(.seconds(10))),
            Flag("ca", .path, "a PEM file of the CAs to trust instead of the system's"),
            Flag("insecure", short: "k", "do not verify the certificate (its details are still shown)"),
            Flag("fingerprint", .string, "the SHA-256 fingerprint the certificate must have (AA:BB:…:FF)"),
        ],
        columns: ["url", "status", "time", "subject", "issuer", "names", "not_after", "days_left"],
        examples: [
            Example(
                "probe https://app.home.example.com --ca ca.pem",
                "status and certificate of an ingress host whose certificate the lab's own CA issued",
                needsLab: true),
            Example(
                "probe https://app.home.example.com --ca ca.pem --expect 200..299 | get days_left",
                "the days its certificate has left; only a 2xx passes", needsLab: true),
        ],
        implementation: .query { inv in
            do {
                return try probe(inv)
            } catch let e as HLSError where inv.context.options.dryRun && e.kind != .interrupted {
                // Under --dry-run nothing was applied: a host that does not answer as it will is
                // the plan's state, as an assertion not met is.
                throw NotThereYet(e.message)
            }
        })

    static func probe(_ inv: Invocation) throws -> Value {
        let url = inv.string("url")!
        let expected = try expectedStatuses(inv)
        if inv.flag("insecure"), inv.string("ca") != nil { throw inv.usage("give --ca or --insecure, not both") }
        let fingerprint = try inv.string("fingerprint").map { text throws(HLSError) in
            try CertificateFingerprint(parsing: text, setting: "--fingerprint")
        }
        let (response, elapsed) = try get(
            url,
            tls: TLSOptions(
                caFile: inv.string("ca"), certificateFingerprint: fingerprint, insecure: inv.flag("insecure")),
            timeout: inv.duration(defaulted: "timeout"), environment: inv.context.environment,
            cancellation: inv.context.cancellation)
        try check(response, url: url, expected: expected, expectedText: inv.string(defaulted: "expect"))
        return .list([.record(row(url: url, response: response, elapsed: elapsed, now: Int64(time(nil))))])
    }

    /// One GET of `url` as `probe` sends it (no redirects followed, no retry, the served
    /// certificates collected, a simulated lab's hosts mapped through `HLSH_SIM_CONNECT_TO`), and
    /// how long it took. `lab status` probes the apps' ingress hosts through it too. Without CAs
    /// of its own, it trusts `HLSH_SIM_CA_FILE` (a simulated lab's public roots), else the system's.
    /// - Throws: the transport's error: TLS verification (naming the untrusted issuer), connection, timeout.
    static func get(
        _ url: String, tls: TLSOptions, timeout: Duration, environment: [String: String], cancellation: Cancellation
    ) throws(HLSError) -> (response: HTTPResponse, elapsed: Duration) {
        var tls = tls
        if tls.caFile == nil, tls.caPEM == nil, !tls.insecure, tls.certificateFingerprint == nil {
            tls.caFile = environment[caFileVariable]
        }
        let connectTo = HTTPClient.connectToEntries(environment[connectToVariable])
        let client = HTTPClient(tls: tls, retry: .never, maxIdleConnections: 0, connectTo: connectTo)
        var request = HTTPRequest(url: url, timeouts: HTTPTimeouts(connect: min(timeout, .seconds(10)), total: timeout))
        request.collectsCertificates = true
        let started = ContinuousClock.now
        let sent = Result { () throws(HLSError) in try client.send(request, cancellation: cancellation) }
        let response = try sent.mapError {
            untrusted($0, request: request, caFile: tls.caFile, connectTo: connectTo, cancellation: cancellation)
        }
        .get()
        return (response, ContinuousClock.now - started)
    }

    /// Fails unless `response`'s status is within `expected` (`expectedText` as the user wrote it).
    static func check(
        _ response: HTTPResponse, url: String, expected: ClosedRange<Int> = 200...399, expectedText: String = "200..399"
    ) throws(HLSError) {
        guard expected.contains(response.status) else {
            throw HLSError(
                .failed, "probe \(url): HTTP \(response.statusLine), expected \(expectedText)",
                at: .request(method: "GET", url: url),
                cause: response.bodyText.prefix(200).trimmingWhitespace().nilIfEmpty)
        }
    }

    /// A certificate that does not verify, with its issuer named, as a browser names the one it
    /// does not trust: the certificate is read again without trusting it. Other errors pass as they are.
    static func untrusted(
        _ error: HLSError, request: HTTPRequest, caFile: String?, connectTo: [String], cancellation: Cancellation
    ) -> HLSError {
        guard error.message.hasPrefix("certificate problem: cannot verify"),
            let served = try? HTTPClient(
                tls: TLSOptions(insecure: true), retry: .never, maxIdleConnections: 0, connectTo: connectTo
            ).send(request, cancellation: cancellation),
            let leaf = served.certificates.first
        else { return error }
        var named = error
        named.message += ": its issuer \(leaf.issuer) is not trusted"
        named.hint =
            leaf.issuer.contains("(STAGING)")
            ? "Let's Encrypt's staging certificates are for tests and no browser trusts them: "
                + "issue from its production directory"
            : "trust that issuer's root with --ca FILE"
                + (caFile.map { " (trusted now: the CAs in \($0))" } ?? " (trusted now: the system's CAs)")
        return named
    }

    /// The probe's row: the leaf certificate's details, or nulls over plain HTTP.
    static func row(url: String, response: HTTPResponse, elapsed: Duration, now: Int64) -> Record {
        let leaf = response.certificates.first
        let notAfter = leaf?.notAfter
        return Record([
            ("url", .string(url)), ("status", .int(response.status)), ("time", .duration(elapsed)),
            ("subject", leaf.map { .string($0.subject) } ?? .null),
            ("issuer", leaf.map { .string($0.issuer) } ?? .null),
            ("names", leaf.map { .list($0.alternativeNames.map(Value.string)) } ?? .null),
            ("not_after", notAfter.map { .string(RFC3339.format(Double($0))) } ?? .null),
            ("days_left", notAfter.map { .int(Int(($0 - now) / 86_400)) } ?? .null),
        ])
    }

    /// `--expect`: `200` or `200..399`.
    static func expectedStatuses(_ inv: Invocation) throws -> ClosedRange<Int> {
        let text = inv.string(defaulted: "expect")
        let bounds = text.split(separator: "..", omittingEmptySubsequences: false).map { Int($0) }
        switch bounds.count {
        case 1: if let status = bounds[0] { return status...status }
        case 2: if let low = bounds[0], let high = bounds[1], low <= high { return low...high }
        default: break
        }
        throw inv.usage("--expect takes a status or a range FROM..TO (200..399), not \(text)")
    }
}

extension StringProtocol {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : String(self) }
}
