import HLSCore

/// cert-manager's orders controller against the simulated Let's Encrypt: a new Order gets its
/// URL and one authorization per DNS name (a wildcard's is for the name under it, offering only
/// DNS-01, as Let's Encrypt's do), and a Challenge for each with the issuer's first solver whose
/// type the authorization offers — none makes no Challenge and says so in a `Solver` event, as
/// cert-manager does; once every Challenge is valid the order is finalized and Let's Encrypt's
/// chain (leaf, intermediate) stored in `status.certificate`; a Challenge that turns invalid
/// makes the Order invalid with its reason.
struct CertManagerOrders: SimulatedController {
    let workload: SimulatedWorkload?
    let acme: SimulatedLetsEncrypt
    let name = "cert-manager-orders"
    let resource = CertManager.orders
    let follows = [CertManager.challenges]

    init(workload: SimulatedWorkload, acme: SimulatedLetsEncrypt) {
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
        guard let issuer, let server = issuer.text("spec", "acme", "server"),
            let base = SimulatedLetsEncrypt.base(server)
        else { return CertManager.retry }
        let namespace = order.text("metadata", "namespace") ?? ""
        let orderName = order.text("metadata", "name") ?? ""
        var updated = order
        if state.isEmpty {
            let id = Self.hash(orderName + namespace)
            let names = (order.at(["spec", "dnsNames"])?.items ?? []).compactMap(\.scalarText)
            updated.set(["status", "url"], .string("\(base)/acme/order/\(id)"))
            updated.set(["status", "finalizeURL"], .string("\(base)/acme/finalize/\(id)"))
            updated.set(["status", "authorizations"], .array(names.map { Self.authorization($0, base: base, id: id) }))
            updated.set(["status", "state"], .string("pending"))
            return CertManager.writeStatus(resource, order, updated, client: client)
        }
        let authorizations = order.at(["status", "authorizations"])?.items ?? []
        let solvers = issuer.at(["spec", "acme", "solvers"])?.items ?? []
        var picked: [(solver: Document, offered: Document)] = []
        for authorization in authorizations {
            guard let pick = Self.pick(solvers, for: authorization) else {
                client.recordEvent(
                    about: order, kind: "Order", type: "Warning", reason: "Solver",
                    message: "Failed to determine a valid solver configuration for the set of domains on the Order: "
                        + "no configured challenge solvers can be used for this challenge")
                return nil
            }
            picked.append(pick)
        }
        var states: [String] = []
        var reasons: [String] = []
        for (index, authorization) in authorizations.enumerated() {
            let dnsName = authorization.text("identifier") ?? ""
            let challengeName = "\(orderName)-\(Self.hash(dnsName + String(index)))"
            let path = CertManager.challenges.path(namespace: namespace, name: challengeName)
            guard let challenge = (try? client.get(path)) ?? nil else {
                let (solver, offered) = picked[index]
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
                            ("solver", solver), ("token", offered["token"] ?? .null),
                            ("type", .string((offered.text("type") ?? "").uppercased())),
                            ("url", offered["url"] ?? .null), ("wildcard", authorization["wildcard"] ?? .bool(false)),
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
            guard let chain = try? acme.issue(requestPEM: csr, server: server, seconds: seconds) else {
                return CertManager.retry
            }
            updated.set(["status", "certificate"], CertManager.base64(chain))
            updated.set(["status", "state"], .string("valid"))
        }
        return CertManager.writeStatus(resource, order, updated, client: client)
    }

    /// The authorization Let's Encrypt makes for `name`: a wildcard's is for the name under it,
    /// with DNS-01 alone; any other's offers HTTP-01 and DNS-01.
    static func authorization(_ name: String, base: String, id: String) -> Document {
        let wildcard = name.hasPrefix("*.")
        let identifier = wildcard ? String(name.dropFirst(2)) : name
        let types = wildcard ? ["dns-01"] : ["http-01", "dns-01"]
        return .object([
            ("url", .string("\(base)/acme/authz/\(hash(name + id))")), ("identifier", .string(identifier)),
            ("wildcard", .bool(wildcard)), ("initialState", .string("pending")),
            (
                "challenges",
                .array(
                    types.map { type in
                        .object([
                            ("type", .string(type)), ("url", .string("\(base)/acme/chall/\(hash(name + id + type))")),
                            ("token", .string(hash(name + type + id))),
                        ])
                    })
            ),
        ])
    }

    /// The issuer's first solver whose type (`http01`, `dns01`) the authorization offers, and that challenge.
    static func pick(_ solvers: [Document], for authorization: Document) -> (solver: Document, offered: Document)? {
        let offered = authorization["challenges"]?.items ?? []
        for solver in solvers {
            let type = solver["http01"] != nil ? "http-01" : solver["dns01"] != nil ? "dns-01" : nil
            if let challenge = offered.first(where: { $0.text("type") == type }) { return (solver, challenge) }
        }
        return nil
    }
}
