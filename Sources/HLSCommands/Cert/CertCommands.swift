import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `cert` object: cert-manager's Certificates and issuers (`cert-manager.io/v1`), as cmctl
/// and `kubectl get certificates` show them, on the Kubernetes client of the kubeconfig's context.
enum CertCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject(
            "cert", summary: "cert-manager certificates and issuers")
        for spec in [list, show, renew, wait, issuers, expiring, why, ready] { registry.register(spec) }
        registry.registerProvider(names)
    }

    // MARK: Resources (no discovery needed: cert-manager serves v1 only)

    static let certificates = KubeResource(
        group: "cert-manager.io", version: "v1", name: "certificates", kind: "Certificate", namespaced: true,
        shortNames: ["cert", "certs"], subresources: ["status"])
    static let requests = KubeResource(
        group: "cert-manager.io", version: "v1", name: "certificaterequests", kind: "CertificateRequest",
        namespaced: true, shortNames: ["cr", "crs"], subresources: ["status"])
    static let issuerResource = KubeResource(
        group: "cert-manager.io", version: "v1", name: "issuers", kind: "Issuer", namespaced: true,
        shortNames: ["iss"], subresources: ["status"])
    static let clusterIssuers = KubeResource(
        group: "cert-manager.io", version: "v1", name: "clusterissuers", kind: "ClusterIssuer", namespaced: false,
        shortNames: ["ciss"], subresources: ["status"])
    static let orders = KubeResource(
        group: "acme.cert-manager.io", version: "v1", name: "orders", kind: "Order", namespaced: true,
        subresources: ["status"])
    static let challenges = KubeResource(
        group: "acme.cert-manager.io", version: "v1", name: "challenges", kind: "Challenge", namespaced: true,
        subresources: ["status"])

    static let secrets = KubeResource(group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true)

    // MARK: Shared declarations

    static let nameParameter = Parameter("name", .name("cert-certificate"), "the Certificate's name")
    static let allNamespacesFlag = Flag("all-namespaces", short: "A", "every namespace")
    static let columns = ["namespace", "name", "ready", "issuer", "not_after", "days_left", "renewal"]

    /// The namespace of `-n`, nil for every one with `-A`, else the context's.
    static func scope(_ inv: Invocation, _ client: KubeClient) -> String? {
        inv.flag("all-namespaces") ? nil : KubeCommands.namespace(inv, client)
    }

    /// The Certificate `name` of `-n` (else the context's namespace). A Certificate lives beside
    /// what it secures, seldom in `default`: when it is not there, the error says where one of
    /// that name is, or the closest names (`absence`).
    static func certificate(_ name: String, _ inv: Invocation, client: KubeClient) throws -> Document {
        let namespace = KubeCommands.namespace(inv, client)
        if let found = try client.getIfPresent(
            certificates, name, namespace: namespace, cancellation: inv.context.cancellation)
        {
            return found
        }
        throw inv.failure(
            "no Certificate \(name) in namespace \(namespace)",
            hint: absence(of: name, namespace: namespace, verb: inv.spec.path.last ?? "show", inv, client: client))
    }

    /// Where else a Certificate named `name` is, as a hint: the namespace that has one (with the
    /// command again, `-n` added), else the closest names in `namespace`, else `cert list -A`.
    static func absence(of name: String, namespace: String, verb: String, _ inv: Invocation, client: KubeClient)
        -> String
    {
        let all = (try? client.list(certificates, namespace: nil, cancellation: inv.context.cancellation).items) ?? []
        func named(_ d: Document) -> (namespace: String, name: String) {
            (d.string("metadata", "namespace") ?? "", d.string("metadata", "name") ?? "")
        }
        if let other = all.map(named).first(where: { $0.name == name && $0.namespace != namespace }) {
            return "it is in namespace \(other.namespace): cert \(verb) \(name) -n \(other.namespace)"
        }
        let here = all.map(named).filter { $0.namespace == namespace }.map(\.name)
        return Suggest.didYouMean(name, in: here).map { "\($0) (cert list -A shows every Certificate)" }
            ?? "cert list -A shows every Certificate"
    }

    // MARK: list

    static let list = CommandSpec(
        ["cert", "list"], summary: "Certificates: Ready, issuer, notAfter, days left and renewal time",
        discussion: """
            One row per Certificate: its Ready condition's status (as kubectl's READY column), the issuer \
            it names, status.notAfter, the whole days left until then, and status.renewalTime (when \
            cert-manager renews it: 2/3 of its duration, or spec.renewBefore before notAfter). -o json rows \
            have the keys namespace, name, ready, issuer, not_after, days_left, renewal.
            """,
        flags: [KubeCommands.namespaceFlag, allNamespacesFlag, KubeCommands.contextFlag], columns: columns,
        examples: [
            Example("cert list -A", "every Certificate, in every namespace", needsLab: true),
            Example(#"cert list -n apps | where ready != "True""#, "what is not issued in apps", needsLab: true),
        ],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let items = try client.list(
                certificates, namespace: scope(inv, client), cancellation: inv.context.cancellation
            )
            .items
            return .list(items.map { .record(CertificateRow(certificate: $0).record) })
        })

    // MARK: expiring

    static let expiring = CommandSpec(
        ["cert", "expiring"], summary: "Certificates whose notAfter falls within a time from now, soonest first",
        discussion: """
            What an expiry alert looks at: every Certificate (in the namespace of -n, or all with -A) whose \
            status.notAfter is less than --within away (already expired ones too), soonest first, with \
            the same columns as cert list.
            """,
        flags: [
            Flag("within", .duration, "how far ahead to look", default: .duration(.seconds(30 * 86400))),
            KubeCommands.namespaceFlag, allNamespacesFlag, KubeCommands.contextFlag,
        ],
        columns: columns,
        examples: [
            Example("cert expiring --within 90d -A", "what expires within 90 days, soonest first", needsLab: true)
        ],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let within = inv.duration(defaulted: "within")
            let now = Date().timeIntervalSince1970
            let rows = try client.list(
                certificates, namespace: scope(inv, client), cancellation: inv.context.cancellation
            )
            .items.map { CertificateRow(certificate: $0, now: now) }
            .filter { row in row.notAfterSeconds.map { $0 - now < within.inSeconds } ?? false }
            .sorted { ($0.notAfterSeconds ?? 0) < ($1.notAfterSeconds ?? 0) }
            return .list(rows.map { .record($0.record) })
        })

    // MARK: issuers

    static let issuers = CommandSpec(
        ["cert", "issuers"], summary: "Issuers and ClusterIssuers: their type and Ready condition",
        flags: [KubeCommands.namespaceFlag, allNamespacesFlag, KubeCommands.contextFlag],
        columns: ["kind", "namespace", "name", "type", "ready", "reason", "message"],
        examples: [
            Example("cert issuers -A", "every ClusterIssuer and Issuer, and whether it is Ready", needsLab: true)
        ],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let cancellation = inv.context.cancellation
            let cluster = try client.list(clusterIssuers, cancellation: cancellation).items
            let namespaced = try client.list(issuerResource, namespace: scope(inv, client), cancellation: cancellation)
                .items
            return .list(
                (cluster.map { ("ClusterIssuer", $0) } + namespaced.map { ("Issuer", $0) }).map { kind, issuer in
                    let ready = KubeCondition("Ready", of: issuer)
                    let type = ["acme", "ca", "selfSigned", "vault", "venafi"].first { issuer.at("spec", $0) != nil }
                    return .record(
                        Record([
                            ("kind", .string(kind)),
                            ("namespace", issuer.string("metadata", "namespace").map(Value.string) ?? .null),
                            ("name", .string(issuer.string("metadata", "name") ?? "")),
                            ("type", type.map(Value.string) ?? .null), ("ready", .string(ready?.status ?? "Unknown")),
                            ("reason", .string(ready?.reason ?? "")), ("message", .string(ready?.message ?? "")),
                        ]))
                })
        })
}
