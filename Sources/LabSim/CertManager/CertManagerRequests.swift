import HLSCore

/// cert-manager's approver and certificaterequests issuer controllers: a request is approved by
/// `cert-manager.io`, then signed by its issuer once that is Ready (selfSigned with the
/// request's own key, ca with the issuer's key pair) or, for an ACME issuer, through an Order,
/// whose state it reports while waiting and whose certificate it takes once valid.
struct CertManagerRequests: SimulatedController {
    let workload: SimulatedWorkload?
    let clusterNamespace: String
    let name = "cert-manager-certificaterequests"
    let resource = CertManager.requests
    let follows = [CertManager.issuers, CertManager.clusterIssuers, CertManager.orders]
    /// When each request (by uid) may be signed: at once, or later under a slow issuance.
    private let slowed = CertManagerSchedule()

    init(workload: SimulatedWorkload, clusterNamespace: String) {
        self.workload = workload
        self.clusterNamespace = clusterNamespace
    }

    func reconcile(_ request: Document, client: KubeInProcessClient) -> Duration? {
        let ready = CertManager.condition(request, "Ready")
        if ready?.text("status") == "True"
            || ["Failed", "Denied", "InvalidRequest"].contains(ready?.text("reason") ?? "")
        {
            return nil
        }
        var updated = request
        if CertManager.condition(request, "Approved") == nil {
            CertManager.setCondition(
                &updated, "Approved", "True", reason: "cert-manager.io",
                message: "Certificate request has been approved by cert-manager.io")
            return CertManager.writeStatus(resource, request, updated, client: client)
        }
        if let wait = slowedFor(request, client: client) { return wait }
        let (kind, issuer) = CertManager.issuer(of: request, client: client)
        let issuerName = request.text("spec", "issuerRef", "name") ?? ""
        guard let issuer else {
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "Pending",
                message:
                    "Referenced \"\(kind)\" not found: \(kind.lowercased()).cert-manager.io \"\(issuerName)\" not found"
            )
            return CertManager.writeStatus(resource, request, updated, client: client)
        }
        guard CertManager.condition(issuer, "Ready")?.text("status") == "True" else {
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "Pending",
                message: "Referenced issuer does not have a Ready status condition")
            return CertManager.writeStatus(resource, request, updated, client: client)
        }
        let csr =
            request.text("spec", "request").flatMap(Base64.decode).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let seconds = CertManagerSigner.seconds(request.text("spec", "duration")) ?? 90 * 86400
        let isCA = request.at(["spec", "isCA"]) == .bool(true)
        let signed: (certificate: String, ca: String?)?
        if issuer.at(["spec", "acme"]) != nil {
            return order(request, &updated, csr: csr, client: client)
        } else if let ca = issuer.at(["spec", "ca"]) {
            let namespace = kind == "ClusterIssuer" ? clusterNamespace : request.text("metadata", "namespace") ?? ""
            let secret =
                (try? client.get(KubeResourceName.secrets.path(namespace: namespace, name: ca.text("secretName") ?? "")))
                ?? nil
            signed = CertManagerSigner.keyPair(secret).flatMap { pair in
                (try? CertManagerSigner.sign(
                    requestPEM: csr, issuer: pair, ownKeyPEM: nil, seconds: seconds, isCA: isCA))
                    .flatMap { try? ($0.serializeAsPEM().pemString, pair.certificate.serializeAsPEM().pemString) }
            }
        } else {
            let keyName = request.text("metadata", "annotations", "cert-manager.io/private-key-secret-name") ?? ""
            let path = KubeResourceName.secrets.path(namespace: request.text("metadata", "namespace"), name: keyName)
            let key = CertManager.secretData((try? client.get(path)) ?? nil, "tls.key")
            signed =
                (try? CertManagerSigner.sign(requestPEM: csr, issuer: nil, ownKeyPEM: key, seconds: seconds, isCA: isCA))
                .flatMap { try? $0.serializeAsPEM().pemString }.map { ($0, $0) }
        }
        guard let signed else {
            Self.fail(&updated, "Failed", "Failed to sign certificate: the issuer could not sign the request")
            return CertManager.writeStatus(resource, request, updated, client: client)
        }
        return issued(request, &updated, certificate: signed.certificate, ca: signed.ca, client: client)
    }

    /// Holds a request back while an injected slow issuance runs (its seconds are the wall clock's,
    /// as the test that injects it says them).
    private func slowedFor(_ request: Document, client: KubeInProcessClient) -> Duration? {
        slowed.remaining(request.text("metadata", "uid") ?? "", client.clock) {
            client.api.faults.consumeSlowIssuance().map { .milliseconds(Int64($0 * 1000)) } ?? .zero
        }
    }

    private func issued(
        _ request: Document, _ updated: inout Document, certificate: String, ca: String?, client: KubeInProcessClient
    ) -> Duration? {
        updated.set(["status", "certificate"], CertManager.base64(certificate))
        if let ca { updated.set(["status", "ca"], CertManager.base64(ca)) }
        CertManager.setCondition(
            &updated, "Ready", "True", reason: "Issued", message: "Certificate fetched from issuer successfully")
        return CertManager.writeStatus(resource, request, updated, client: client)
    }

    static func fail(_ request: inout Document, _ reason: String, _ message: String) {
        CertManager.setCondition(&request, "Ready", "False", reason: reason, message: message)
        request.set(["status", "failureTime"], .string(KubeTime.rfc3339(KubeTime.now())))
    }

    /// The ACME path: the request's Order (made when missing), and what its state means.
    private func order(
        _ request: Document, _ updated: inout Document, csr: String, client: KubeInProcessClient
    ) -> Duration? {
        let namespace = request.text("metadata", "namespace") ?? ""
        let orderName = "\(request.text("metadata", "name") ?? "")-\(CertManagerOrders.hash(csr))"
        guard let order = (try? client.get(CertManager.orders.path(namespace: namespace, name: orderName))) ?? nil
        else {
            let names = CertManagerSigner.dnsNames(requestPEM: csr)
            var spec = Document.object([
                ("request", request.at(["spec", "request"]) ?? .null),
                ("issuerRef", request.at(["spec", "issuerRef"]) ?? .null),
                ("dnsNames", .array(names.map { Document.string($0) })),
                ("duration", request.at(["spec", "duration"]) ?? .null),
            ])
            if let commonName = names.first { spec.set("commonName", .string(commonName)) }
            let object = Document.object([
                ("apiVersion", .string("acme.cert-manager.io/v1")), ("kind", .string("Order")),
                (
                    "metadata",
                    .object([
                        ("name", .string(orderName)), ("namespace", .string(namespace)),
                        ("annotations", request.at(["metadata", "annotations"]) ?? .object([])),
                        (
                            "ownerReferences",
                            CertManager.ownerReference(
                                request, kind: "CertificateRequest", apiVersion: "cert-manager.io/v1")
                        ),
                    ])
                ),
                ("spec", spec),
            ])
            if (try? client.create(CertManager.orders.path(namespace: namespace), object)) == nil {
                return CertManager.retry
            }
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "Pending",
                message: "Created Order resource \(namespace)/\(orderName)")
            return CertManager.writeStatus(resource, request, updated, client: client)
        }
        let state = order.text("status", "state") ?? ""
        switch state {
        case "valid":
            guard let encoded = order.text("status", "certificate"), let bytes = Base64.decode(encoded) else {
                return nil
            }
            let certificate = String(decoding: bytes, as: UTF8.self)
            return issued(request, &updated, certificate: certificate, ca: nil, client: client)
        case "invalid", "errored", "expired":
            Self.fail(
                &updated, "Failed",
                "Failed to wait for order resource \"\(orderName)\" to become ready: order is in \"\(state)\" state: \(order.text("status", "reason") ?? "")"
            )
        default:
            CertManager.setCondition(
                &updated, "Ready", "False", reason: "Pending",
                message: "Waiting on certificate issuance from order \(namespace)/\(orderName): \"\(state)\"")
        }
        return CertManager.writeStatus(resource, request, updated, client: client)
    }
}
