import HLSCore
import HLSLanguage
import HLSTransport
import Kube
import Proxmox

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `lab doctor`'s checks of the lab's addresses: DNS and TLS (which need no credential) and
/// the Proxmox login (which needs one, and is skipped without it).
extension LabDoctor {
    /// Where Proxmox is and how its certificate is trusted: no credential needed.
    func endpoint() throws -> (endpoint: PVEEndpoint, tls: TLSOptions) {
        try PVEConnectionSettings.endpointAndTrust(environment, lab: lab.proxmox)
    }

    /// The PVE endpoint's host name resolves, and so do the lab's names under its domain
    /// (`whoami.DOMAIN`, which phase 4 probes; a simulated lab maps them to its ingress).
    func dns() throws -> [LabCheck] {
        let host = try endpoint().endpoint.host
        var rows: [LabCheck]
        switch Self.resolve(host) {
        case .success(let address): rows = [LabCheck("dns", .ok, "\(host) resolves to \(address)")]
        case .failure(let why):
            rows = [
                LabCheck(
                    "dns", .failed, "\(host) does not resolve: \(why.message)",
                    hint:
                        "fix proxmox.endpoint in \(lab.file) (or PROXMOX_VE_ENDPOINT; an address works too) or your DNS, then: hlsh lab doctor"
                )
            ]
        }
        guard let domain = lab.domain else {
            return rows + [LabCheck("dns *.domain", .skipped, "the inventory has no domain")]
        }
        let name = "whoami.\(domain)"
        let row = "dns *.\(domain)"
        if let mapped = Self.mapped(name, port: 443, environment: environment) {
            return rows + [
                LabCheck(
                    row, .ok, "\(name) is mapped to \(mapped) by the simulated lab (\(ProbeCommand.connectToVariable))")
            ]
        }
        switch Self.resolve(name) {
        case .success(let address): return rows + [LabCheck(row, .ok, "\(name) resolves to \(address)")]
        case .failure(let why):
            return rows + [
                LabCheck(
                    row, .failed, "\(name) does not resolve: \(why.message)",
                    hint:
                        "add a wildcard record *.\(domain) for a node's address to your local DNS (docs/runbook.md#dns-for-the-labs-names)"
                )
            ]
        }
    }

    /// The first address `host` resolves to, or the resolver's words.
    static func resolve(_ host: String) -> Result<String, HLSError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            return .failure(HLSError(.failed, String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(first) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        _ = getnameinfo(
            first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
        return .success(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Where a simulated lab's `HLSH_SIM_CONNECT_TO` sends `host:port` (`HOST:PORT:TO:TOPORT`, an
    /// empty HOST for every name), as the HTTP client connects; nil outside one.
    static func mapped(_ host: String, port: Int, environment: [String: String]) -> String? {
        for entry in HTTPClient.connectToEntries(environment[ProbeCommand.connectToVariable]) {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            if parts[0].isEmpty || parts[0] == host, parts[1] == "\(port)" { return "\(parts[2]):\(parts[3])" }
        }
        return nil
    }

    /// The PVE endpoint's certificate verifies as the client verifies it: against the
    /// inventory's ca_file (or HLSH_PVE_CA_FILE), a pinned fingerprint, or the system's CAs.
    func tls(_ cancellation: Cancellation) throws -> LabCheck {
        let (endpoint, tls) = try endpoint()
        let trust =
            tls.insecure
            ? "nothing (verification is off)"
            : tls.caFile
                ?? (tls.certificateFingerprint.map { "the pinned fingerprint \($0)" } ?? "the system's CAs")
        guard endpoint.scheme == "https" else {
            return LabCheck("tls", .failed, "\(endpoint) is plain http", hint: "use https://HOST:8006/")
        }
        let client = HTTPClient(tls: tls, retry: .never, maxIdleConnections: 0)
        let request = HTTPRequest(
            url: endpoint.baseURL + "/version", timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(10)))
        do {
            _ = try client.send(request, cancellation: cancellation)
        } catch {
            let (detail, hint) = Self.tlsWords(error, host: endpoint.host, trust: trust)
            return LabCheck(
                "tls", .failed, detail,
                hint: hint
                    ?? "check that Proxmox answers at \(endpoint) (proxmox.endpoint in \(lab.file)), then: hlsh lab doctor"
            )
        }
        return LabCheck(
            "tls", tls.insecure ? .failed : .ok,
            tls.insecure
                ? "\(endpoint): verification is off (insecure)"
                : "the certificate of \(endpoint.host) verifies against \(trust)",
            hint: tls.insecure ? "set proxmox.ca_file to a copy of /etc/pve/pve-root-ca.pem" : nil)
    }

    /// The lab's ingress (Traefik, for `*.DOMAIN`) completes a TLS handshake with a certificate
    /// that verifies, as phase 4's probe reaches it (against the TLS Secret's `ca.crt` when a
    /// private issuer signed it, as `lab status` checks); `pending` while the cluster has no Ingress.
    func ingressTLS(_ cancellation: Cancellation) -> LabCheck {
        guard let domain = lab.domain else { return LabCheck("tls ingress", .skipped, "the inventory has no domain") }
        let host = "whoami.\(domain)"
        let url = "https://\(host)"
        let notYet = LabCheck(
            "tls ingress", .pending, "no Ingress yet: \(LabCheck.phase(4)) serves \(url)",
            hint: "hlsh scripts/phases/4-tls.hls, after phases 1 to 3")
        guard let client = try? LabStatus(lab: lab, context: context).kubeClient() else { return notYet }
        let ingresses: [Document]
        do {
            ingresses = try client.list(LabStatus.ingresses, cancellation: cancellation).items
        } catch {
            // A cluster whose API does not answer has Ingresses nobody can read: not "none yet".
            return LabCheck(
                "tls ingress", .skipped, "the Ingresses cannot be read: \(LabCheck.words(error))",
                hint: "the kube context check says why the API does not answer")
        }
        guard !ingresses.isEmpty else { return notYet }
        do {
            var ca: [UInt8]?
            for ingress in ingresses {
                for tls in ingress.at("spec", "tls")?.elements ?? []
                where (tls.at("hosts")?.elements ?? []).contains(where: { $0.string() == host }) {
                    ca = try LabStatus.issuerCA(
                        of: tls, namespace: ingress.string("metadata", "namespace") ?? "", client: client,
                        cancellation: cancellation)
                }
            }
            let (response, _) = try ProbeCommand.get(
                url, tls: TLSOptions(caPEM: ca), timeout: .seconds(5), environment: environment,
                cancellation: cancellation)
            return LabCheck("tls ingress", .ok, "the certificate of \(url) verifies (HTTP \(response.status))")
        } catch {
            return LabCheck(
                "tls ingress", .failed, LabCheck.words(error),
                hint: "hlsh cert why wildcard -n cert-manager says what holds the certificate up")
        }
    }

    /// A TLS failure in words: expired, unknown CA, wrong name, or curl's own.
    static func tlsWords(_ error: any Error, host: String, trust: String) -> (String, String?) {
        let hlsError = error as? HLSError
        let cause = (hlsError?.cause ?? "").lowercased()
        if cause.contains("expired") {
            return ("the certificate of \(host) has expired", "renew it on the host: pvecm updatecerts --force")
        }
        if cause.contains("issuer") || cause.contains("self-signed") || cause.contains("self signed")
            || cause.contains("unknown ca")
        {
            return (
                "the certificate of \(host) is signed by a CA not in \(trust)",
                "copy the host's /etc/pve/pve-root-ca.pem and name it in proxmox.ca_file"
            )
        }
        if cause.contains("subject name") || cause.contains("does not match") || cause.contains("alternative") {
            return (
                "the certificate does not name \(host)",
                "reach the host by a name its certificate has (pvenode cert info lists them)"
            )
        }
        return (LabCheck.words(error), hlsError?.hint)
    }

    /// The variable the API token is read from, as `PVEConnectionSettings.fromEnvironment` picks it.
    var tokenVariable: String {
        let standard = PVEConnectionSettings.Variable.apiToken
        if !(environment[standard] ?? "").isEmpty { return standard }
        let named = lab.proxmox.tokenEnv.trimmingWhitespace()
        return named.isEmpty ? standard : named
    }

    /// Where the runbook says how to make a token with the privileges hlsh needs.
    static let tokenSection = "docs/runbook.md#a-proxmox-api-token-and-the-privileges-each-verb-needs"

    /// The credentials are accepted (`GET /version`); `skipped` when the environment holds none.
    func auth(_ cancellation: Cancellation) throws -> LabCheck {
        let (endpoint, tls) = try endpoint()
        guard let credentials = try PVEConnectionSettings.credentials(environment, lab: lab.proxmox) else {
            return LabCheck(
                "auth", .skipped,
                "no Proxmox API token (set \(tokenVariable)=USER@REALM!TOKENID=SECRET / see \(Self.tokenSection))")
        }
        let settings = PVEConnectionSettings(endpoint: endpoint, credentials: credentials, tls: tls)
        let login: String
        if case .apiToken = settings.credentials {
            login = "the API token in \(tokenVariable)"
        } else {
            login = "the login in \(PVEConnectionSettings.Variable.username)"
        }
        do throws(HLSError) {
            _ = try PVEClient(settings: settings).get("/version", cancellation: cancellation)
        } catch {
            let refused = error.cause?.hasPrefix("HTTP 401") == true || error.cause?.hasPrefix("HTTP 403") == true
            return LabCheck(
                "auth", .failed,
                refused
                    ? "\(login) was refused: Proxmox said \"\(error.message)\" (\(error.cause ?? ""))"
                    : LabCheck.words(error),
                hint: (error.hint.map { $0 + " " } ?? "") + "(\(Self.tokenSection))")
        }
        return LabCheck("auth", .ok, "\(login) is accepted")
    }
}
