import HLSCore

/// cert-manager's issuers and clusterissuers controllers: each issuer's Ready condition, as the
/// issuer type's `Setup` sets it. selfSigned is Ready at once; ca once the key pair in
/// `spec.ca.secretName` (a ClusterIssuer's in the cluster resource namespace) exists; acme once
/// its account is registered with the ACME server (`status.acme.uri`), its key kept in
/// `spec.acme.privateKeySecretRef`.
struct CertManagerIssuers: SimulatedController {
    let resource: KubeResourceName
    let workload: SimulatedWorkload?
    let acme: SimulatedLetsEncrypt
    /// Where a ClusterIssuer's Secrets live (`--cluster-resource-namespace`, the release's).
    let clusterNamespace: String

    init(resource: KubeResourceName, workload: SimulatedWorkload, acme: SimulatedLetsEncrypt, clusterNamespace: String)
    {
        self.resource = resource
        self.workload = workload
        self.acme = acme
        self.clusterNamespace = clusterNamespace
    }

    var name: String { "cert-manager-\(resource.plural)" }
    var follows: [KubeResourceName] { [KubeResourceName.secrets] }

    func reconcile(_ issuer: Document, client: KubeInProcessClient) -> Duration? {
        var updated = issuer
        let namespace = issuer.text("metadata", "namespace") ?? clusterNamespace
        if let ca = issuer.at(["spec", "ca"]) {
            let secretName = ca.text("secretName") ?? ""
            let secret = try? client.get(KubeResourceName.secrets.path(namespace: namespace, name: secretName))
            if let secret, CertManagerSigner.keyPair(secret) != nil {
                CertManager.setCondition(
                    &updated, "Ready", "True", reason: "KeyPairVerified", message: "Signing CA verified")
            } else {
                let why =
                    secret == nil ? "secret \"\(secretName)\" not found" : "no certificate and key found in the secret"
                CertManager.setCondition(
                    &updated, "Ready", "False", reason: "ErrGetKeyPair",
                    message: "Error getting keypair for CA issuer: \(why)")
            }
        } else if let spec = issuer.at(["spec", "acme"]) {
            guard register(spec, namespace: namespace, issuer: issuer, updated: &updated, client: client) else {
                return CertManager.retry
            }
        } else if issuer.at(["spec", "selfSigned"]) != nil {
            CertManager.setCondition(&updated, "Ready", "True", reason: "IsReady", message: "")
        } else {
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "ErrInitIssuer",
                message:
                    "Error initializing issuer: no issuer specified for Issuer '\(namespace)/\(issuer.text("metadata", "name") ?? "")'"
            )
        }
        return CertManager.writeStatus(resource, issuer, updated, client: client)
    }

    /// Registers the ACME account once (its key Secret made when missing); false when a write failed.
    private func register(
        _ spec: Document, namespace: String, issuer: Document, updated: inout Document, client: KubeInProcessClient
    ) -> Bool {
        let server = spec.text("server") ?? ""
        let email = spec.text("email")
        if issuer.text("status", "acme", "uri") != nil, issuer.text("status", "acme", "lastRegisteredEmail") == email,
            CertManager.condition(issuer, "Ready")?.text("status") == "True"
        {
            return true
        }
        let keyName = spec.text("privateKeySecretRef", "name") ?? ""
        let keyPath = KubeResourceName.secrets.path(namespace: namespace, name: keyName)
        if (try? client.get(keyPath)) ?? nil == nil {
            let secret = Document.object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                ("metadata", .object([("name", .string(keyName)), ("namespace", .string(namespace))])),
                ("type", .string("Opaque")),
                ("data", .object([("tls.key", CertManager.base64(CertManagerSigner.newKey()))])),
            ])
            guard (try? client.create(KubeResourceName.secrets.path(namespace: namespace), secret)) != nil else {
                return false
            }
        }
        let uri: String
        switch acme.register(server: server) {
        case .success(let registered): uri = registered
        case .failure(let error):
            updated.set(["status", "acme"], .object([]))
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "ErrRegisterACMEAccount",
                message: "Failed to register ACME account: \(error.message)")
            return true
        }
        var acmeStatus = Document.object([("uri", .string(uri))])
        if let email { acmeStatus.set("lastRegisteredEmail", .string(email)) }
        updated.set(["status", "acme"], acmeStatus)
        CertManager.setCondition(
            &updated, "Ready", "True", reason: "ACMEAccountRegistered",
            message: "The ACME account was registered with the ACME server")
        return true
    }
}
