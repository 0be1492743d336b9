import HLSCore
import X509

/// cert-manager's certificates controllers (trigger, key manager, request manager, issuing,
/// readiness) as one: a Certificate whose Secret is missing, stale or due for renewal gets
/// `Issuing=True`; while issuing, a next private key (`status.nextPrivateKeySecretName`) and a
/// CertificateRequest for revision+1 are made; its signed certificate goes into `spec.secretName`
/// (`tls.crt`, `tls.key`, `ca.crt`) with notBefore, notAfter, renewalTime and the revision, and
/// Issuing is removed. A failed request sets Issuing=False, counts `failedIssuanceAttempts` and
/// backs off `1h * 2^(n-1)` before the next try, as cert-manager does, unless the spec changed
/// since the failed request (`CertManagerRequestMatch`); `cmctl renew` (Issuing set by hand)
/// starts one at once.
struct CertManagerCertificates: SimulatedController {
    let workload: SimulatedWorkload?
    let name = "cert-manager-certificates"
    let resource = CertManager.certificates
    let follows = [CertManager.requests, KubeResourceName.secrets]

    init(workload: SimulatedWorkload) { self.workload = workload }

    func reconcile(_ certificate: Document, client: KubeInProcessClient) -> Duration? {
        let namespace = certificate.text("metadata", "namespace") ?? ""
        guard let secretName = certificate.text("spec", "secretName") else { return nil }
        let secret = (try? client.get(KubeResourceName.secrets.path(namespace: namespace, name: secretName))) ?? nil
        var updated = certificate
        if secret == nil {
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "DoesNotExist",
                message: "Issuing certificate as Secret does not exist")
        }
        if CertManager.condition(certificate, "Issuing")?.text("status") == "True" {
            return issue(certificate, updated, namespace: namespace, client: client)
        }
        guard let (reason, message) = Self.trigger(certificate, secret) else {
            CertManager.setCondition(
                &updated, "Ready", "True", reason: "Ready", message: "Certificate is up to date and has not expired")
            if let retry = CertManager.writeStatus(resource, certificate, updated, client: client) { return retry }
            let renewal = certificate.text("status", "renewalTime").flatMap(KubeTime.parse) ?? KubeTime.now()
            return .seconds(max(1, renewal - KubeTime.now()))
        }
        if let wait = Self.backOff(certificate, nextRequest: nextRequest(certificate, client), client.clock) {
            return wait
        }
        CertManager.setCondition(&updated, "Issuing", "True", reason: reason, message: message)
        return CertManager.writeStatus(resource, certificate, updated, client: client)
    }

    /// Why the Secret needs a new certificate (the trigger's reason and message), nil when it does not.
    static func trigger(_ certificate: Document, _ secret: Document?) -> (String, String)? {
        guard let secret else { return ("DoesNotExist", "Issuing certificate as Secret does not exist") }
        guard secret.text("data", "tls.crt") != nil else {
            return ("MissingData", "Issuing certificate as Secret does not contain a certificate")
        }
        let annotations = (secret.at(["metadata", "annotations"]) ?? .object([])).stringMap
        let issuer = certificate.text("spec", "issuerRef", "name") ?? ""
        if let previous = annotations["cert-manager.io/issuer-name"], previous != issuer {
            let kind = annotations["cert-manager.io/issuer-kind"] ?? "Issuer"
            return (
                "IncorrectIssuer",
                "Issuing certificate as Secret was previously issued by \(kind).cert-manager.io/\(previous)"
            )
        }
        let names = (certificate.at(["spec", "dnsNames"])?.items ?? []).compactMap(\.scalarText).joined(separator: ",")
        if annotations["cert-manager.io/alt-names"] ?? "" != names {
            return ("SecretMismatch", "Issuing certificate as Secret does not match the certificate spec")
        }
        if let renewal = certificate.text("status", "renewalTime"), let at = KubeTime.parse(renewal),
            at <= KubeTime.now()
        {
            return ("Renewing", "Renewing certificate as renewal was scheduled at \(renewal)")
        }
        return nil
    }

    /// How long the back-off after failed issuances still runs (`1h * 2^(n-1)`, at most 32h), as
    /// the trigger controller's shouldBackoffReissuingOnFailure has it: none once the request for
    /// the next revision (the one that failed) no longer matches the spec, so a change of spec is
    /// issued at once; with no such request, the back-off holds. It runs in the lab's time.
    static func backOff(_ certificate: Document, nextRequest: Document?, _ clock: KubeLabClock) -> Duration? {
        guard case .int(let failures)? = certificate.at(["status", "failedIssuanceAttempts"]), failures > 0,
            let last = certificate.text("status", "lastFailureTime").flatMap(KubeTime.parse)
        else { return nil }
        if let nextRequest, !CertManagerRequestMatch.mismatches(nextRequest, certificate).isEmpty { return nil }
        let wait = min(3600 << min(failures - 1, 5), 32 * 3600)
        return clock.remaining(wait, since: last)
    }

    private func issue(
        _ certificate: Document, _ updated: Document, namespace: String, client: KubeInProcessClient
    ) -> Duration? {
        var updated = updated
        let name = certificate.text("metadata", "name") ?? ""
        guard let keyName = certificate.text("status", "nextPrivateKeySecretName") else {
            let key = Document.object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                (
                    "metadata",
                    .object([
                        ("generateName", .string(name + "-")), ("namespace", .string(namespace)),
                        ("labels", .object([("cert-manager.io/next-private-key", .string("true"))])),
                        (
                            "ownerReferences",
                            CertManager.ownerReference(
                                certificate, kind: "Certificate", apiVersion: "cert-manager.io/v1")
                        ),
                    ])
                ),
                ("data", .object([("tls.key", CertManager.base64(CertManagerSigner.newKey()))])),
            ])
            guard let made = try? client.create(KubeResourceName.secrets.path(namespace: namespace), key) else {
                return CertManager.retry
            }
            updated.set(["status", "nextPrivateKeySecretName"], made["metadata"]?["name"])
            return CertManager.writeStatus(resource, certificate, updated, client: client)
        }
        let revision = { if case .int(let r)? = certificate.at(["status", "revision"]) { r } else { 0 } }()
        let keySecret = (try? client.get(KubeResourceName.secrets.path(namespace: namespace, name: keyName))) ?? nil
        guard let keyPEM = CertManager.secretData(keySecret, "tls.key") else {
            updated.set(["status", "nextPrivateKeySecretName"], nil)
            return CertManager.writeStatus(resource, certificate, updated, client: client)
        }
        guard let request = nextRequest(certificate, client) else {
            return create(certificate, keyPEM: keyPEM, keyName: keyName, revision: revision + 1, client: client)
        }
        if !CertManagerRequestMatch.mismatches(request, certificate).isEmpty {
            // The request manager deletes a request that no longer matches the spec, then makes
            // one that does.
            try? client.delete(CertManager.requests.path(of: request))
            return nil
        }
        let ready = CertManager.condition(request, "Ready")
        if ready?.text("status") == "True" {
            return store(certificate, updated, request: request, keyPEM: keyPEM, keyName: keyName, client: client)
        }
        guard ["Failed", "Denied", "InvalidRequest"].contains(ready?.text("reason") ?? "") else { return nil }
        let failedAt = request.text("status", "failureTime") ?? ready?.text("lastTransitionTime") ?? ""
        if certificate.text("status", "lastFailureTime") == failedAt {
            // A failure already counted: this issuance was started afresh (`renew`), so the
            // request manager replaces the failed request.
            try? client.delete(CertManager.requests.path(of: request))
            return nil
        }
        let failures = {
            if case .int(let n)? = certificate.at(["status", "failedIssuanceAttempts"]) { n } else { 0 }
        }()
        updated.set(["status", "failedIssuanceAttempts"], .int(failures + 1))
        updated.set(["status", "lastFailureTime"], .string(failedAt))
        CertManager.setCondition(
            &updated, "Issuing", "False", reason: "Failed",
            message:
                "The certificate request has failed to complete and will be retried: \(ready?.text("message") ?? "")")
        return CertManager.writeStatus(resource, certificate, updated, client: client)
    }

    /// The Certificate's request for its next revision (`status.revision` + 1, by the
    /// `cert-manager.io/certificate-revision` annotation), nil when there is none.
    private func nextRequest(_ certificate: Document, _ client: KubeInProcessClient) -> Document? {
        let namespace = certificate.text("metadata", "namespace") ?? ""
        let revision = { if case .int(let r)? = certificate.at(["status", "revision"]) { r } else { 0 } }()
        let requests = (try? client.list(CertManager.requests.path(namespace: namespace))) ?? []
        return requests.first {
            $0.at(["metadata", "ownerReferences"])?.items.first?.text("uid") == certificate.text("metadata", "uid")
                && $0.text("metadata", "annotations", "cert-manager.io/certificate-revision") == String(revision + 1)
        }
    }

    /// The CertificateRequest for `revision`: the CSR signed by the next private key.
    private func create(
        _ certificate: Document, keyPEM: String, keyName: String, revision: Int, client: KubeInProcessClient
    ) -> Duration? {
        let namespace = certificate.text("metadata", "namespace") ?? ""
        let name = certificate.text("metadata", "name") ?? ""
        guard let csr = try? CertManagerSigner.request(spec: certificate["spec"] ?? .object([]), keyPEM: keyPEM) else {
            return nil
        }
        var issuerRef = certificate.at(["spec", "issuerRef"]) ?? .object([])
        if issuerRef["kind"] == nil { issuerRef.set("kind", .string("Issuer")) }
        if issuerRef["group"] == nil { issuerRef.set("group", .string("cert-manager.io")) }
        let request = Document.object([
            ("apiVersion", .string("cert-manager.io/v1")), ("kind", .string("CertificateRequest")),
            (
                "metadata",
                .object([
                    ("generateName", .string(name + "-")), ("namespace", .string(namespace)),
                    (
                        "annotations",
                        .stringMap([
                            "cert-manager.io/certificate-name": name,
                            "cert-manager.io/certificate-revision": String(revision),
                            "cert-manager.io/private-key-secret-name": keyName,
                        ])
                    ),
                    (
                        "ownerReferences",
                        CertManager.ownerReference(certificate, kind: "Certificate", apiVersion: "cert-manager.io/v1")
                    ),
                ])
            ),
            (
                "spec",
                .object([
                    ("duration", .string(certificate.text("spec", "duration") ?? "2160h0m0s")),
                    ("isCA", certificate.at(["spec", "isCA"]) ?? .bool(false)), ("issuerRef", issuerRef),
                    ("request", CertManager.base64(csr)),
                    ("usages", .array([.string("digital signature"), .string("key encipherment")])),
                    (
                        "username",
                        .string("system:serviceaccount:\(workload?.namespace ?? "cert-manager"):cert-manager")
                    ),
                ])
            ),
        ])
        return (try? client.create(CertManager.requests.path(namespace: namespace), request)) == nil
            ? CertManager.retry : nil
    }

    /// The issuing controller: the signed certificate into the Secret, the revision counted,
    /// the times recorded, Issuing removed.
    private func store(
        _ certificate: Document, _ updated: Document, request: Document, keyPEM: String, keyName: String,
        client: KubeInProcessClient
    ) -> Duration? {
        var updated = updated
        let namespace = certificate.text("metadata", "namespace") ?? ""
        guard
            let chain = request.text("status", "certificate").flatMap(Base64.decode).map({
                String(decoding: $0, as: UTF8.self)
            }),
            let leaf = try? Certificate(pemEncoded: CertManagerSigner.firstPEM(chain))
        else { return nil }
        let spec = certificate["spec"] ?? .object([])
        let issuer = spec["issuerRef"] ?? .object([])
        let secretName = spec.text("secretName") ?? ""
        let names = (spec["dnsNames"]?.items ?? []).compactMap(\.scalarText).joined(separator: ",")
        var data: [(key: String, value: Document)] = [
            ("tls.crt", CertManager.base64(chain)), ("tls.key", CertManager.base64(keyPEM)),
        ]
        if let ca = request.text("status", "ca"), !ca.isEmpty { data.insert(("ca.crt", .string(ca)), at: 0) }
        let secret = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
            (
                "metadata",
                .object([
                    ("name", .string(secretName)), ("namespace", .string(namespace)),
                    (
                        "annotations",
                        .stringMap([
                            "cert-manager.io/alt-names": names,
                            "cert-manager.io/certificate-name": certificate.text("metadata", "name") ?? "",
                            "cert-manager.io/common-name": spec.text("commonName") ?? "",
                            "cert-manager.io/ip-sans": "", "cert-manager.io/uri-sans": "",
                            "cert-manager.io/issuer-group": issuer.text("group") ?? "cert-manager.io",
                            "cert-manager.io/issuer-kind": issuer.text("kind") ?? "Issuer",
                            "cert-manager.io/issuer-name": issuer.text("name") ?? "",
                        ])
                    ),
                    ("labels", .object([("controller.cert-manager.io/fao", .string("true"))])),
                ])
            ),
            ("type", .string("kubernetes.io/tls")), ("data", .object(data)),
        ])
        guard (try? client.apply(KubeResourceName.secrets.path(namespace: namespace, name: secretName), secret)) != nil
        else {
            return CertManager.retry
        }
        try? client.delete(KubeResourceName.secrets.path(namespace: namespace, name: keyName))
        let notBefore = Int(leaf.notValidBefore.timeIntervalSince1970)
        let notAfter = Int(leaf.notValidAfter.timeIntervalSince1970)
        let renewBefore = CertManagerSigner.seconds(spec.text("renewBefore"))
        let renewal = renewBefore.map { notAfter - $0 } ?? (notBefore + (notAfter - notBefore) * 2 / 3)
        let revision = { if case .int(let r)? = certificate.at(["status", "revision"]) { r } else { 0 } }()
        for key in ["nextPrivateKeySecretName", "failedIssuanceAttempts", "lastFailureTime"] {
            updated.set(["status", key], nil)
        }
        updated.set(["status", "notBefore"], .string(KubeTime.rfc3339(notBefore)))
        updated.set(["status", "notAfter"], .string(KubeTime.rfc3339(notAfter)))
        updated.set(["status", "renewalTime"], .string(KubeTime.rfc3339(renewal)))
        updated.set(["status", "revision"], .int(revision + 1))
        CertManager.removeCondition(&updated, "Issuing")
        CertManager.setCondition(
            &updated, "Ready", "True", reason: "Ready", message: "Certificate is up to date and has not expired")
        return CertManager.writeStatus(resource, certificate, updated, client: client)
    }
}
