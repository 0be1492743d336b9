public import HLSCore
public import HLSTransport
public import Inventory

/// Everything a `PVEClient` needs to reach and log in to Proxmox VE.
public struct PVEConnectionSettings: Sendable, CustomStringConvertible {
    public var endpoint: PVEEndpoint
    public var credentials: PVECredentials
    /// How to trust the server: `caFile`, `certificateFingerprint` (`AA:BB:…`, for self-signed
    /// hosts), `pinnedPublicKey` (`sha256//…`), or `insecure`.
    public var tls: TLSOptions
    /// Retries for idempotent requests; the default retries 502–504 and 595–599, never 500.
    public var retry: RetryPolicy
    public var timeouts: HTTPTimeouts
    /// A ticket is renewed when it is this old (PVE tickets expire after 2 h).
    public var ticketRenewal: Duration

    public init(
        endpoint: PVEEndpoint, credentials: PVECredentials, tls: TLSOptions = .verified,
        retry: RetryPolicy = .default, timeouts: HTTPTimeouts = .default, ticketRenewal: Duration = .seconds(90 * 60)
    ) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.tls = tls
        self.retry = retry
        self.timeouts = timeouts
        self.ticketRenewal = ticketRenewal
    }

    /// What the user should be told before the first request (TLS verification off, plain http).
    public var warnings: [String] {
        var warnings: [String] = []
        if endpoint.scheme == "http" {
            warnings.append("\(endpoint) is plain http: anyone on the path can read the credentials")
        } else if tls.insecure {
            warnings.append(
                "TLS verification of \(endpoint) is off (insecure): anyone on the path can read the credentials")
        }
        return warnings
    }

    /// The variables `fromEnvironment` reads; bpg's names where bpg has one.
    public enum Variable {
        public static let endpoint = "PROXMOX_VE_ENDPOINT"
        public static let apiToken = "PROXMOX_VE_API_TOKEN"
        public static let username = "PROXMOX_VE_USERNAME"
        public static let password = "PROXMOX_VE_PASSWORD"
        public static let insecure = "PROXMOX_VE_INSECURE"
        public static let caFile = "HLSH_PVE_CA_FILE"
        public static let publicKeyPin = "HLSH_PVE_PUBLIC_KEY_PIN"
        public static let fingerprint = "HLSH_PVE_FINGERPRINT"
        public static let allowHTTP = "HLSH_PVE_ALLOW_HTTP"
    }

    /// Settings from the environment, with the inventory's `proxmox` section filling what the
    /// environment leaves empty (a set variable always wins):
    ///
    /// - endpoint: `PROXMOX_VE_ENDPOINT`, else `proxmox.endpoint`;
    /// - login: `PROXMOX_VE_API_TOKEN`, else the variable named by `proxmox.token_env`, else
    ///   `PROXMOX_VE_USERNAME` + `PROXMOX_VE_PASSWORD` (ticket login);
    /// - trust: `HLSH_PVE_CA_FILE` else `proxmox.ca_file`; `HLSH_PVE_FINGERPRINT` (the
    ///   certificate's SHA-256 as `pvenode cert info` shows it) else `proxmox.fingerprint`;
    ///   `HLSH_PVE_PUBLIC_KEY_PIN`; `PROXMOX_VE_INSECURE` (`true`/`1`, `false`/`0`) else
    ///   `proxmox.insecure`;
    /// - plain http: refused (the credentials would cross the network in clear text) unless
    ///   `HLSH_PVE_ALLOW_HTTP` (`true`/`1`) else `proxmox.allow_http` allows it.
    ///
    /// Throws `.configuration` naming the variables when nothing says where PVE is or how to log in,
    /// naming `HLSH_PVE_FINGERPRINT` when it is not a SHA-256 fingerprint, or naming where a
    /// plain-http endpoint came from (the variable, or the inventory's line) and how to allow it.
    public static func fromEnvironment(
        _ env: [String: String], lab: ProxmoxSettings? = nil
    ) throws(HLSError) -> PVEConnectionSettings {
        let (endpoint, tls) = try endpointAndTrust(env, lab: lab)
        guard let credentials = try credentials(env, lab: lab) else {
            let tokenVariable = lab?.tokenEnv.trimmingWhitespace() ?? ""
            let tokenNames =
                [Variable.apiToken]
                + (tokenVariable.isEmpty || tokenVariable == Variable.apiToken ? [] : [tokenVariable])
            throw HLSError(
                .configuration, "no Proxmox VE credentials for \(endpoint)",
                hint: "set \(tokenNames.joined(separator: " or "))=USER@REALM!TOKENID=SECRET, "
                    + "or \(Variable.username) and \(Variable.password) for a ticket login")
        }
        return PVEConnectionSettings(endpoint: endpoint, credentials: credentials, tls: tls)
    }

    /// The non-empty value of variable `name`, trimmed.
    private static func value(_ name: String, in env: [String: String]) -> String? {
        guard let text = env[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// `true`/`1`, `false`/`0` (and yes/no, on/off) in variable `name`, else `fallback`.
    private static func flag(_ name: String, in env: [String: String], else fallback: Bool) throws(HLSError) -> Bool {
        guard let text = value(name, in: env) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw HLSError(.configuration, "\(name) must be true or false (got '\(text)')")
        }
    }

    /// Where Proxmox VE is and how its certificate is trusted, as `fromEnvironment` reads them,
    /// without the credentials: what `lab doctor`'s DNS and TLS checks need.
    public static func endpointAndTrust(
        _ env: [String: String], lab: ProxmoxSettings? = nil
    ) throws(HLSError) -> (endpoint: PVEEndpoint, tls: TLSOptions) {
        let endpoint: PVEEndpoint
        let endpointSource: (name: String, place: Place?)
        if let text = value(Variable.endpoint, in: env) {
            endpoint = try PVEEndpoint(parsing: text)
            endpointSource = (Variable.endpoint, nil)
        } else if let text = lab?.endpoint.map({ $0.trimmingWhitespace() }), !text.isEmpty {
            endpoint = try PVEEndpoint(parsing: text)
            endpointSource = ("proxmox.endpoint", lab?.endpointAt.map(Place.source))
        } else {
            throw HLSError(
                .configuration, "nothing says where Proxmox VE is",
                hint: "set \(Variable.endpoint)=https://HOST:8006/ or proxmox.endpoint in homelab.yaml")
        }
        if endpoint.scheme == "http", try !flag(Variable.allowHTTP, in: env, else: lab?.allowHTTP ?? false) {
            throw HLSError(
                .configuration,
                "\(endpointSource.name) is plain http (\(endpoint)): the credentials would cross the network in clear text",
                at: endpointSource.place,
                hint: "use https://; to send them in clear text anyway, set \(Variable.allowHTTP)=1 "
                    + "or proxmox.allow_http: true in \(lab?.endpointAt?.file ?? "homelab.yaml")")
        }
        let insecure = try flag(Variable.insecure, in: env, else: lab?.insecure ?? false)
        let caFile =
            (value(Variable.caFile, in: env)
            ?? lab?.caFile.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 })
            .map { FilePaths.expandingHome($0, environment: env) }
        let pin = value(Variable.publicKeyPin, in: env)
        var fingerprint = lab?.fingerprint
        if let text = value(Variable.fingerprint, in: env) {
            fingerprint = try CertificateFingerprint(parsing: text, setting: Variable.fingerprint)
        }
        let tls = TLSOptions(
            caFile: caFile, pinnedPublicKey: pin, certificateFingerprint: fingerprint, insecure: insecure)
        return (endpoint, tls)
    }

    /// The login `fromEnvironment` uses: nil when the environment holds none at all.
    /// - Throws: a token that is not `USER@REALM!TOKENID=SECRET`, a username without a password.
    public static func credentials(
        _ env: [String: String], lab: ProxmoxSettings? = nil
    ) throws(HLSError) -> PVECredentials? {
        let tokenVariable = lab?.tokenEnv.trimmingWhitespace() ?? ""
        if let token = value(Variable.apiToken, in: env) {
            return .apiToken(try PVEAPIToken(parsing: token, source: Variable.apiToken))
        } else if !tokenVariable.isEmpty, tokenVariable != Variable.apiToken, let token = value(tokenVariable, in: env)
        {
            return .apiToken(try PVEAPIToken(parsing: token, source: tokenVariable))
        } else if let username = value(Variable.username, in: env) {
            guard let password = env[Variable.password], !password.isEmpty else {
                throw HLSError(
                    .configuration, "\(Variable.username) is set but \(Variable.password) is not",
                    hint: "set \(Variable.password), or use an API token in \(Variable.apiToken)")
            }
            return .password(try PVEUserPassword(username: username, password: PVESecret(password)))
        }
        return nil
    }

    /// One line, without secrets: `https://pve1.lan:8006/ as API token root@pam!hlsh=***, CA file …`.
    public var description: String {
        var trust: [String] = []
        if let ca = tls.caFile { trust.append("CA file \(ca)") }
        if let fingerprint = tls.certificateFingerprint { trust.append("certificate fingerprint \(fingerprint)") }
        if tls.pinnedPublicKey != nil { trust.append("pinned public key") }
        if tls.insecure { trust.append("insecure") }
        if trust.isEmpty { trust.append("system CAs") }
        return "\(endpoint) as \(credentials), trusting \(trust.joined(separator: " + "))"
    }
}
