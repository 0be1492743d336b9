import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CertCommands {
    static let renew = CommandSpec(
        ["cert", "renew"], summary: "Have cert-manager reissue a Certificate now, as cmctl renew does",
        discussion: """
            As cmctl renew: the Certificate is read, its Issuing condition set to True with reason \
            ManuallyTriggered (the other conditions kept, observedGeneration its generation), and the \
            whole status written back with PUT …/status and the resourceVersion read, so a concurrent \
            change fails the write instead of being lost. cert-manager then issues revision+1. A \
            Certificate already being issued is left alone and said so. It does not wait: follow with \
            cert wait NAME.
            """,
        positionals: [
            Parameter("name", .name("cert-certificate"), "the Certificate (or --all)", optional: true)
        ],
        flags: [
            Flag("all", "every Certificate in the namespace (every namespace with -A)"), KubeCommands.namespaceFlag,
            allNamespacesFlag, KubeCommands.contextFlag,
        ],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [
            Example("cert renew web -n apps; cert wait web -n apps", "reissue it now and wait for it", needsLab: true)
        ],
        idempotent: false, implementation: .mutation(planRenewal))

    static let manuallyTriggered = "Certificate re-issuance manually triggered"

    static func planRenewal(_ inv: Invocation) throws -> ChangePlan {
        let client = try KubeCommands.client(inv)
        let cancellation = inv.context.cancellation
        let targets: [Document]
        switch (inv.string("name"), inv.flag("all")) {
        case (let name?, false):
            targets = [try certificate(name, inv, client: client)]
        case (nil, true):
            targets = try client.list(certificates, namespace: scope(inv, client), cancellation: cancellation).items
        default:
            throw inv.usage("give one Certificate's name, or --all")
        }
        var changes: [Change] = []
        for certificate in targets {
            let namespace = certificate.string("metadata", "namespace") ?? ""
            let name = certificate.string("metadata", "name") ?? ""
            let target = "certificates/\(name) in namespace \(namespace)"
            if let issuing = KubeCondition("Issuing", of: certificate), issuing.status == "True" {
                inv.context.err(
                    "\(inv.spec.name): \(target) is already being issued (Issuing: \(issuing.reason) \(issuing.message))\n"
                )
                continue
            }
            changes.append(
                Change(target: target, action: "renew", detail: "Issuing=True (ManuallyTriggered)") { cancellation in
                    try client.replace(
                        certificates, triggered(certificate), subresource: "status", cancellation: cancellation)
                })
        }
        return ChangePlan(changes)
    }

    /// `certificate` with Issuing=True/ManuallyTriggered upserted into its conditions, the
    /// others kept, as cmctl's renew sets it.
    static func triggered(_ certificate: Document, now: Double = Date().timeIntervalSince1970) -> Document {
        var condition: [(key: String, value: Document)] = [
            ("type", .string("Issuing")), ("status", .string("True")),
            ("lastTransitionTime", .string(RFC3339.format(now))), ("reason", .string("ManuallyTriggered")),
            ("message", .string(manuallyTriggered)),
        ]
        if let generation = certificate["metadata"]?["generation"] {
            condition.append(("observedGeneration", generation))
        }
        var conditions = certificate.at("status", "conditions")?.elements ?? []
        if let index = conditions.firstIndex(where: { $0["type"] == .string("Issuing") }) {
            conditions[index] = .object(condition)
        } else {
            conditions.append(.object(condition))
        }
        var status = certificate["status"] ?? .object([])
        status = status.setting("conditions", .array(conditions))
        return certificate.setting("status", status)
    }
}

extension Document {
    /// The object with `key` set to `value` (added last when new).
    func setting(_ key: String, _ value: Document) -> Document {
        guard case .object(var pairs) = self else { return .object([(key, value)]) }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }
}
