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
/// notAfter and the days left). The certificate is verified (against `--ca`, else the system's
/// CAs) unless `--insecure`; a TLS failure fails the probe with curl's reason, before any request.
enum ProbeCommand {
    /// Where a simulated lab maps hosts to its loopback servers (Traefik's `:443` and `:80`):
    /// curl `CONNECT_TO` entries, first match wins, applied as the Kube client applies
    /// `HLSH_SIM_KUBE_CONNECT_TO`.
    static let connectToVariable = "HLSH_SIM_CONNECT_TO"

    static let spec = CommandSpec(
        ["probe"], summary: "An HTTPS (or HTTP) check of a URL: status, time and the served certificate",
        discussion: """
            Sends one GET (redirects are not followed) and fails unless the status is within --expect \
            (a status, or a range FROM..TO; default 200..399), naming the URL. Over HTTPS the row carries \
            the certificate the server presented: its subject, issuer, subject alternative names, notAfter \
            and the days left. The certificate must chain to --ca FILE (else the system's CAs) and name the \
            host; --insecure checks nothing. In a simulated lab (--sim, or sim serve's env) the hosts \
            resolve to the lab's ingress through HLSH_SIM_CONNECT_TO. Under --dry-run a probe that fails is \
            noted, not an error: nothing was applied that would make it pass.
            """,
        positionals: [Parameter("url", .string, "an https:// or http:// URL")],
        flags: [
            Flag("expect", .string, "the statuses that pass: 200, or a range 200..399", default: .string("200..399")),
            Flag("timeout", .duration, "how long the whole request may take", default: .duration(.seconds(10))),
            Flag("ca", .path, "a PEM file of the CAs to trust instead of the system's"),
            Flag("insecure", short: "k", "do not verify the certificate (its details are still shown)"),
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
        let timeout = inv.duration(defaulted: "timeout")
        let client = HTTPClient(
            tls: TLSOptions(caFile: inv.string("ca"), insecure: inv.flag("insecure")), retry: .never,
            maxIdleConnections: 0, connectTo: HTTPClient.connectToEntries(inv.context.environment[connectToVariable]))
        var request = HTTPRequest(url: url, timeouts: HTTPTimeouts(connect: min(timeout, .seconds(10)), total: timeout))
        request.collectsCertificates = true
        let started = ContinuousClock.now
        let response = try client.send(request, cancellation: inv.context.cancellation)
        let elapsed = ContinuousClock.now - started
        guard expected.contains(response.status) else {
            throw HLSError(
                .failed, "probe \(url): HTTP \(response.statusLine), expected \(inv.string(defaulted: "expect"))",
                at: .request(method: "GET", url: url),
                cause: response.bodyText.prefix(200).trimmingWhitespace().nilIfEmpty)
        }
        return .list([.record(row(url: url, response: response, elapsed: elapsed, now: Int64(time(nil))))])
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
