import HLSCore
import X509

/// cert-manager's orders controller against the simulated ACME server: a new Order gets its URL
/// and one authorization per DNS name, and a Challenge for each (the issuer's first solver:
/// DNS-01 or HTTP-01); once every Challenge is valid the order is finalized and the server's
/// certificate (leaf and CA) stored in `status.certificate`; a Challenge that turns invalid
/// makes the Order invalid with its reason.
struct CertManagerOrders: SimulatedController {
    let workload: SimulatedWorkload?
    let acme: SimulatedACMEServer
    let name = "cert-manager-orders"
    let resource = CertManager.orders
    let follows = [CertManager.challenges]

    init(workload: SimulatedWorkload, acme: SimulatedACMEServer) {
        self.workload = workload
        self.acme = acme
    }

    /// FNV-1a (32 bits) of `text`, in decimal: the suffix of names derived from a spec, as
    /// cert-manager derives Order and Challenge names.
    static func hash(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return String(hash)
    }

    func reconcile(_ order: Document, client: KubeInProcessClient) -> Duration? {
        let state = order.text("status", "state") ?? ""
        guard !["valid", "invalid", "errored", "expired"].contains(state) else { return nil }
        let (_, issuer) = CertManager.issuer(of: order, client: client)
        guard let issuer, let server = issuer.text("spec", "acme", "server") else { return CertManager.retry }
        let base = server.hasSuffix("/directory") ? String(server.dropLast("/directory".count)) : server
        let namespace = order.text("metadata", "namespace") ?? ""
        let orderName = order.text("metadata", "name") ?? ""
        let names = (order.at(["spec", "dnsNames"])?.items ?? []).compactMap(\.scalarText)
        let solver = issuer.at(["spec", "acme", "solvers"])?.items.first ?? .object([])
        let type = solver["http01"] != nil ? "HTTP-01" : "DNS-01"
        var updated = order
        if state.isEmpty {
            let id = Self.hash(orderName + namespace)
            updated.set(["status", "url"], .string("\(base)/order/\(id)"))
            updated.set(["status", "finalizeURL"], .string("\(base)/finalize/\(id)"))
            updated.set(
                ["status", "authorizations"],
                .array(
                    names.map { name in
                        .object([
                            ("url", .string("\(base)/authz/\(Self.hash(name + id))")),
                            ("identifier", .string(name)), ("wildcard", .bool(false)),
                            ("initialState", .string("pending")),
                            (
                                "challenges",
                                .array([
                                    .object([
                                        ("type", .string(type.lowercased())),
                                        ("url", .string("\(base)/chall/\(Self.hash(name + id))")),
                                        ("token", .string(Self.hash(name + orderName))),
                                    ])
                                ])
                            ),
                        ])
                    }))
            updated.set(["status", "state"], .string("pending"))
            return CertManager.writeStatus(resource, order, updated, client: client)
        }
        var states: [String] = []
        var reasons: [String] = []
        for (index, authorization) in (order.at(["status", "authorizations"])?.items ?? []).enumerated() {
            let dnsName = authorization.text("identifier") ?? ""
            let challengeName = "\(orderName)-\(Self.hash(dnsName + String(index)))"
            let path = CertManager.challenges.path(namespace: namespace, name: challengeName)
            guard let challenge = (try? client.get(path)) ?? nil else {
                let offered = authorization["challenges"]?.items.first ?? .object([])
                let object = Document.object([
                    ("apiVersion", .string("acme.cert-manager.io/v1")), ("kind", .string("Challenge")),
                    (
                        "metadata",
                        .object([
                            ("name", .string(challengeName)), ("namespace", .string(namespace)),
                            (
                                "ownerReferences",
                                CertManager.ownerReference(order, kind: "Order", apiVersion: "acme.cert-manager.io/v1")
                            ),
                        ])
                    ),
                    (
                        "spec",
                        .object([
                            ("authorizationURL", authorization["url"] ?? .null), ("dnsName", .string(dnsName)),
                            ("issuerRef", order.at(["spec", "issuerRef"]) ?? .null),
                            ("key", .string((offered.text("token") ?? "") + ".simulated-account-thumbprint")),
                            ("solver", solver), ("token", offered["token"] ?? .null), ("type", .string(type)),
                            ("url", offered["url"] ?? .null), ("wildcard", .bool(false)),
                        ])
                    ),
                ])
                if (try? client.create(CertManager.challenges.path(namespace: namespace), object)) == nil {
                    return CertManager.retry
                }
                states.append("pending")
                continue
            }
            states.append(challenge.text("status", "state") ?? "")
            if let reason = challenge.text("status", "reason") { reasons.append(reason) }
        }
        if let invalid = states.firstIndex(of: "invalid") {
            updated.set(["status", "state"], .string("invalid"))
            updated.set(["status", "reason"], .string(reasons.indices.contains(invalid) ? reasons[invalid] : ""))
            updated.set(["status", "failureTime"], .string(KubeTime.rfc3339(KubeTime.now())))
        } else if !states.isEmpty, states.allSatisfy({ $0 == "valid" }) {
            let csr =
                order.text("spec", "request").flatMap(Base64.decode).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let seconds = CertManagerSigner.seconds(order.text("spec", "duration")) ?? 90 * 86400
            guard let ca = try? acme.authority(),
                let leaf = try? CertManagerSigner.sign(
                    requestPEM: csr, issuer: ca, ownKeyPEM: nil, seconds: seconds, isCA: false),
                let chain = try? leaf.serializeAsPEM().pemString + "\n" + ca.certificatePEM() + "\n"
            else { return CertManager.retry }
            updated.set(["status", "certificate"], CertManager.base64(chain))
            updated.set(["status", "state"], .string("valid"))
        }
        return CertManager.writeStatus(resource, order, updated, client: client)
    }
}
