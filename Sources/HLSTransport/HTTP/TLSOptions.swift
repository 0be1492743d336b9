import HLSCore

/// How an `HTTPClient` decides whether to trust a server, and which client certificate it shows.
///
/// The modes, from strictest:
/// - Default: the certificate must chain to the system's CAs (or `caFile`/`caPEM` when given,
///   which then replace the system CAs) and name the host.
/// - `certificateFingerprint` or `pinnedPublicKey` without a CA: pinning, for self-signed hosts.
///   The chain and the host name are *not* checked (PVE nodes usually present a certificate from
///   their own cluster CA, issued for a name the client may not use); instead the server's
///   certificate (`certificateFingerprint`, the way Proxmox's own clients pin) or its public key
///   (`pinnedPublicKey`, curl's form) must match the pin on every new connection. A mismatch
///   fails the TLS handshake, before any byte of the request (or its credentials) is sent.
/// - A pin with `caFile`/`caPEM`: both the chain and the pin are checked.
/// - `insecure`: nothing is checked (a given pin is still enforced). Callers must warn the user.
public struct TLSOptions: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// PEM text of CA certificates to trust instead of the system's (a kubeconfig's
    /// `certificate-authority-data`, decoded).
    public var caPEM: [UInt8]?
    /// One or more public key pins in curl's form: `sha256//BASE64` (base64 of the SHA-256 of the
    /// DER SubjectPublicKeyInfo), several separated by `;`.
    public var pinnedPublicKey: String?
    /// The SHA-256 fingerprint the server's certificate must have (PVE's `AA:BB:…` form). See
    /// docs/adr/0013-certificate-fingerprint-pinning.md.
    public var certificateFingerprint: CertificateFingerprint?
    /// Turns off every certificate check.
    public var insecure: Bool
    /// A client certificate to present (Kubernetes client-certificate authentication).
    public var clientCertificate: PEMSource?
    /// The private key for `clientCertificate` (RSA or EC, PEM; k3s's is EC P-256).
    public var clientKey: PEMSource?
    /// The name to send in SNI and to check the server's certificate against, instead of the URL's
    /// host (a kubeconfig's `tls-server-name`): the connection still goes to the URL's host.
    public var serverName: String?

    /// PEM data given as a file path or inline bytes.
    public enum PEMSource: Sendable, Hashable {
        case file(String)
        case pem([UInt8])
    }

    public init(
        caFile: String? = nil, caPEM: [UInt8]? = nil, pinnedPublicKey: String? = nil,
        certificateFingerprint: CertificateFingerprint? = nil, insecure: Bool = false,
        clientCertificate: PEMSource? = nil, clientKey: PEMSource? = nil, serverName: String? = nil
    ) {
        self.caFile = caFile
        self.caPEM = caPEM
        self.pinnedPublicKey = pinnedPublicKey
        self.certificateFingerprint = certificateFingerprint
        self.insecure = insecure
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.serverName = serverName
    }

    /// Full verification against the system CAs.
    public static let verified = TLSOptions()

    /// Whether the certificate chain and host name are checked.
    public var verifiesPeer: Bool {
        if insecure { return false }
        if isPinned && caFile == nil && caPEM == nil { return false }
        return true
    }

    /// Whether the server must match a pin: its certificate's fingerprint or its public key.
    public var isPinned: Bool { certificateFingerprint != nil || pinnedPublicKey != nil }

    /// Throws a usage error when a pin is not in `sha256//BASE64` form.
    func validate() throws(HLSError) {
        if let serverName,
            serverName.isEmpty || serverName.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace })
        {
            throw HLSError(.usage, "invalid TLS server name \(String(reflecting: serverName))")
        }
        guard let pin = pinnedPublicKey else { return }
        let pins = pin.split(separator: ";").map { $0.filter { $0 != " " } }
        let ok =
            !pins.isEmpty
            && pins.allSatisfy { item in
                item.hasPrefix("sha256//") && item.count > "sha256//".count
                    && item.dropFirst("sha256//".count).allSatisfy {
                        $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=")
                    }
            }
        if !ok {
            throw HLSError(
                .usage, "pinned public key must look like sha256//BASE64",
                hint:
                    "compute it with: openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"
            )
        }
    }
}
