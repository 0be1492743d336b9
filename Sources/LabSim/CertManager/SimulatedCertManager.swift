import HLSCore
import Synchronization

/// cert-manager in the simulated cluster, installed by its chart (`CertManagerChart`) into
/// `namespace`: its controllers (issuers, certificates, certificate requests, ACME orders and
/// challenges against the simulated Let's Encrypt, DNS-01 records through the simulated
/// Cloudflare, ingress-shim) run as the `cert-manager` Deployment,
/// and its webhook (`webhook.cert-manager.io`) answers `webhookLag` after the
/// `cert-manager-webhook` Deployment turns available, as the real one often lags its pod.
struct SimulatedCertManager: Sendable {
    var namespace: String
    var webhookLag: Duration
    /// The ACME servers its ACME issuers reach.
    var letsEncrypt: SimulatedLetsEncrypt
    /// The DNS provider its Cloudflare DNS-01 solvers reach.
    var cloudflare: SimulatedCloudflare

    init(
        namespace: String = "cert-manager", webhookLag: Duration = .zero, letsEncrypt: SimulatedLetsEncrypt,
        cloudflare: SimulatedCloudflare
    ) {
        self.namespace = namespace
        self.webhookLag = webhookLag
        self.letsEncrypt = letsEncrypt
        self.cloudflare = cloudflare
    }

    var workload: SimulatedWorkload { SimulatedWorkload(kind: .deployment, namespace: namespace, name: "cert-manager") }

    /// Every controller of cert-manager's Deployment.
    var controllers: [any SimulatedController] {
        let acme = letsEncrypt
        return [
            CertManagerIssuers(
                resource: CertManager.issuers, workload: workload, acme: acme, clusterNamespace: namespace),
            CertManagerIssuers(
                resource: CertManager.clusterIssuers, workload: workload, acme: acme, clusterNamespace: namespace),
            CertManagerCertificates(workload: workload),
            CertManagerRequests(workload: workload, clusterNamespace: namespace),
            CertManagerOrders(workload: workload, acme: acme),
            CertManagerChallenges(workload: workload, cloudflare: cloudflare, clusterNamespace: namespace),
            CertManagerIngressShim(workload: workload),
        ]
    }

    /// The webhook: it answers once the Deployment named as its Service has an available pod
    /// and `webhookLag` has passed since it turned Available.
    var webhook: KubeSimulatedWebhook {
        let lag = webhookLag
        return KubeSimulatedWebhook(name: "webhook.cert-manager.io") { state, service in
            guard let service,
                let deployment = state.get(
                    SimulatedCertManager.deployments, namespace: service.namespace, name: service.name),
                SimulatedWorkload.isAvailable(deployment, kind: .deployment)
            else { return false }
            let available = (deployment.at(["status", "conditions"])?.items ?? []).first {
                $0.text("type") == "Available" && $0.text("status") == "True"
            }
            guard let since = available?.text("lastTransitionTime").flatMap(KubeTime.parse) else { return true }
            return Double(KubeTime.now() - since) >= lag.inSeconds
        }
    }

    static let deployments = KubeBuiltInTypes.all.first { $0.group == "apps" && $0.plural == "deployments" }!
}

/// The resources cert-manager's controllers read and write, and what they share.
enum CertManager {
    static let certificates = KubeResourceName(group: "cert-manager.io", version: "v1", plural: "certificates")
    static let requests = KubeResourceName(group: "cert-manager.io", version: "v1", plural: "certificaterequests")
    static let issuers = KubeResourceName(group: "cert-manager.io", version: "v1", plural: "issuers")
    static let clusterIssuers = KubeResourceName(group: "cert-manager.io", version: "v1", plural: "clusterissuers")
    static let orders = KubeResourceName(group: "acme.cert-manager.io", version: "v1", plural: "orders")
    static let challenges = KubeResourceName(group: "acme.cert-manager.io", version: "v1", plural: "challenges")

    /// Sets the condition `type` of `object`'s `status.conditions` (cert-manager's
    /// `SetCertificateCondition` and siblings): the transition time moves only when the status
    /// does; `observedGeneration` is the object's generation.
    static func setCondition(
        _ object: inout Document, _ type: String, _ status: String, reason: String, message: String
    ) {
        var conditions = object.at(["status", "conditions"])?.items ?? []
        let index = conditions.firstIndex { $0.text("type") == type }
        let since =
            index.flatMap { conditions[$0].text("status") == status ? conditions[$0].text("lastTransitionTime") : nil }
            ?? KubeTime.rfc3339(KubeTime.now())
        var condition = Document.object([
            ("type", .string(type)), ("status", .string(status)), ("lastTransitionTime", .string(since)),
            ("reason", .string(reason)), ("message", .string(message)),
        ])
        if let generation = object.at(["metadata", "generation"]) { condition.set("observedGeneration", generation) }
        if let index { conditions[index] = condition } else { conditions.append(condition) }
        object.set(["status", "conditions"], .array(conditions))
    }

    /// Removes the condition `type`.
    static func removeCondition(_ object: inout Document, _ type: String) {
        let conditions = (object.at(["status", "conditions"])?.items ?? []).filter { $0.text("type") != type }
        object.set(["status", "conditions"], .array(conditions))
    }

    /// The condition `type`'s status (`True`, `False`), nil without one.
    static func condition(_ object: Document, _ type: String) -> Document? {
        (object.at(["status", "conditions"])?.items ?? []).first { $0.text("type") == type }
    }

    /// Writes `updated`'s status when it differs from `object`'s (`PUT …/status` with the
    /// resourceVersion read); nil when written or unchanged, a retry interval when the write failed.
    static func writeStatus(
        _ resource: KubeResourceName, _ object: Document, _ updated: Document, client: KubeInProcessClient
    ) -> Duration? {
        guard updated["status"] != object["status"] else { return nil }
        return (try? client.replaceStatus(resource.path(of: object), updated)) == nil ? retry : nil
    }

    /// How soon a controller whose write failed (the webhook not answering, a conflict) retries.
    static let retry = Duration.milliseconds(500)

    /// The ownerReference that makes `owner` (of `kind` in `apiVersion`) the object's controller.
    static func ownerReference(_ owner: Document, kind: String, apiVersion: String) -> Document {
        .array([
            .object([
                ("apiVersion", .string(apiVersion)), ("kind", .string(kind)),
                ("name", .string(owner.text("metadata", "name") ?? "")),
                ("uid", .string(owner.text("metadata", "uid") ?? "")), ("controller", .bool(true)),
                ("blockOwnerDeletion", .bool(true)),
            ])
        ])
    }

    /// The issuer an object's `spec.issuerRef` names (an Issuer in `namespace`, or a ClusterIssuer).
    static func issuer(of object: Document, client: KubeInProcessClient) -> (kind: String, issuer: Document?) {
        let kind = object.text("spec", "issuerRef", "kind") ?? "Issuer"
        let name = object.text("spec", "issuerRef", "name") ?? ""
        let path =
            kind == "ClusterIssuer"
            ? clusterIssuers.path(namespace: nil, name: name)
            : issuers.path(namespace: object.text("metadata", "namespace"), name: name)
        return (kind, (try? client.get(path)) ?? nil)
    }

    /// A Secret's `data[key]` decoded.
    static func secretData(_ secret: Document?, _ key: String) -> String? {
        guard let encoded = secret?.text("data", key), let bytes = Base64.decode(encoded) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func base64(_ text: String) -> Document { .string(Base64.encode(Array(text.utf8))) }
}

/// When objects (by uid) may go on: a challenge's record propagating, a slowed request. Its
/// instants are the wall clock's; how long until one is answered as a requeue, in the lab's time
/// (ADR 0058), so the runner's scaling brings the object back when it is due, not sooner.
final class CertManagerSchedule: Sendable {
    private let due = Mutex<[String: ContinuousClock.Instant]>([:])

    /// How long until `uid`'s time, set to now + `first()` (wall time) when first asked; nil once it passed.
    func remaining(_ uid: String, _ clock: KubeLabClock, first: () -> Duration) -> Duration? {
        let at = due.withLock { due in
            if let at = due[uid] { return at }
            let at = ContinuousClock.now + first()
            due[uid] = at
            return at
        }
        let left = at - .now
        return left > .zero ? left / clock.scale : nil
    }
}
