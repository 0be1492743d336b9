import HLSCore
import HLSLanguage
import Kube

extension CertCommands {
    static let wait = CommandSpec(
        ["cert", "wait"], summary: "Wait until a Certificate is Ready and not being issued, through a watch",
        discussion: """
            --for ready waits for the Ready condition True (of the current generation) with no issuance \
            under way (no Issuing=True), so a wait right after cert renew waits for the new revision. The \
            Certificate is followed by a watch, so the wait ends as soon as cert-manager reports it; \
            progress shows what was seen (issuing, its message, or Ready=False and why). A failed issuance \
            (Issuing=False of the current generation, as cert-manager sets it when the CertificateRequest \
            failed or was denied) stops the wait at once with cert-manager's reason and message: \
            cert-manager retries only after a back-off of 1h, doubling with each failed attempt up to 32h. \
            When it times out, cert why NAME says what holds it up.
            """,
        positionals: [nameParameter],
        flags: [
            Flag("for", .choice(["ready"]), "what to wait for", default: .string("ready")), KubeCommands.namespaceFlag,
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(120))),
            KubeCommands.contextFlag,
        ],
        columns: ["target", "for", "waited"],
        examples: [
            Example(
                "cert wait web -n apps --timeout 2m", "until it is Ready with no issuance under way", needsLab: true)
        ],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let name = inv.string("name")!
            let namespace = KubeCommands.namespace(inv, client)
            let subject = KubeCommands.describe(certificates, name, namespace: namespace)
            let timeout = inv.duration(defaulted: "timeout")
            var poll = Poll(
                "\(subject) (ready)", timeout: timeout, every: .seconds(5), cancellation: inv.context.cancellation,
                at: .source(inv.location), hint: "see what holds it up: cert why \(name) -n \(namespace)")
            poll.timeoutMessage = "\(inv.spec.name): \(subject) is not ready after \(timeout.text)"
            var absent: String? = nil
            let ready = try KubeObjectWait(client: client, resource: certificates, name: name, namespace: namespace)
                .until(poll, context: inv.context) { object -> Poll.Check<Void> in
                    guard let object else {
                        // Flux may create it later: keep waiting, but say at once where one is.
                        if absent == nil {
                            absent =
                                "not found (yet); "
                                + absence(of: name, namespace: namespace, verb: "wait", inv, client: client)
                        }
                        return .pending(absent!)
                    }
                    if let failed = failure(object) {
                        throw inv.failure(
                            "\(subject): issuance failed (\(failed.reason)): \(failed.message)",
                            hint:
                                "see what failed: cert why \(name) -n \(namespace); once its cause is fixed, retry now "
                                + "(rather than after cert-manager's back-off): cert renew \(name) -n \(namespace)")
                    }
                    return pending(object).map { .pending($0) } ?? .ready(())
                }
            return .record(
                Record([("target", .string(subject)), ("for", .string("ready")), ("waited", .duration(ready.waited))]))
        })

    /// A failed issuance of the Certificate's current generation: cert-manager's issuing controller
    /// sets Issuing=False (with the failed or denied CertificateRequest's reason) only then, and
    /// tries again after its back-off (`1h * 2^(failedIssuanceAttempts-1)`, at most 32h) or a renewal,
    /// at once after a change of spec. The reason, and the message with when cert-manager retries.
    static func failure(_ certificate: Document) -> (reason: String, message: String)? {
        guard let issuing = KubeCondition("Issuing", of: certificate), issuing.holds("False") else { return nil }
        var message = issuing.message
        if case .int(let attempts)? = certificate.at("status", "failedIssuanceAttempts"), attempts > 0,
            let last = certificate.string("status", "lastFailureTime").flatMap(RFC3339.seconds)
        {
            let backOff = min(3600 << min(attempts - 1, 5), 32 * 3600)
            message +=
                "; cert-manager retries at \(RFC3339.format(last + Double(backOff))) "
                + "(back-off \(Duration.seconds(backOff).text) after \(attempts) failed attempt\(attempts == 1 ? "" : "s"))"
        }
        return (issuing.reason, message)
    }

    /// What keeps a Certificate from counting as ready, nil once it is Ready with no issuance under way.
    static func pending(_ certificate: Document) -> String? {
        if let issuing = KubeCondition("Issuing", of: certificate), issuing.status == "True" {
            return "issuing (\(issuing.reason)): \(issuing.message)"
        }
        guard let ready = KubeCondition("Ready", of: certificate) else { return "no Ready condition yet" }
        if ready.holds("True") { return nil }
        return "Ready=\(ready.status) (\(ready.reason)): \(ready.message)"
    }

    // MARK: ready

    static let deployments = KubeResource(
        group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true,
        shortNames: ["deploy"], subresources: ["status", "scale"])

    static let ready = CommandSpec(
        ["cert", "ready"], summary: "Whether cert-manager can take Issuers: its Deployments and its webhook",
        discussion: """
            cert-manager counts as ready when its three Deployments (cert-manager, -cainjector, -webhook) \
            have an available pod and a server-side dry-run create of an Issuer succeeds: the apiserver \
            calls the webhook for it, and the webhook often answers some seconds after its pod is \
            available, refusing Issuers and Certificates meanwhile. With --timeout it waits (checking \
            every second) until both hold; without, it checks once.
            """,
        flags: [
            Flag(
                "cert-manager-namespace", .name("kube-namespace"), "where cert-manager runs",
                default: .string("cert-manager")),
            Flag("timeout", .duration, "wait up to this long for it (0s: check once)", default: .duration(.zero)),
            KubeCommands.contextFlag,
        ],
        columns: ["namespace", "deployments", "webhook", "ready"],
        examples: [Example("cert ready --timeout 5m", "wait until cert-manager takes Issuers", needsLab: true)],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let namespace = inv.string(defaulted: "cert-manager-namespace")
            let cancellation = inv.context.cancellation
            let timeout = inv.duration(defaulted: "timeout")
            func check() throws -> (deployments: String, webhook: String, ready: Bool) {
                let names = ["cert-manager", "cert-manager-cainjector", "cert-manager-webhook"]
                var missing: [String] = []
                for name in names {
                    let deployment = try client.getIfPresent(
                        deployments, name, namespace: namespace, cancellation: cancellation)
                    guard case .int(let available)? = deployment?.at("status", "availableReplicas"), available >= 1
                    else {
                        missing.append(name)
                        continue
                    }
                }
                let counted = "\(names.count - missing.count)/\(names.count) available"
                guard missing.isEmpty else {
                    return ("\(counted) (waiting: \(missing.joined(separator: ", ")))", "not checked", false)
                }
                let probe = Document.object([
                    ("apiVersion", .string("cert-manager.io/v1")), ("kind", .string("Issuer")),
                    (
                        "metadata",
                        .object([("name", .string("hlsh-webhook-check")), ("namespace", .string(namespace))])
                    ),
                    ("spec", .object([("selfSigned", .object([]))])),
                ])
                do {
                    try client.create(issuerResource, probe, dryRun: true, cancellation: cancellation)
                    return (counted, "admits a dry-run Issuer", true)
                } catch {
                    return (counted, error.message, false)
                }
            }
            var outcome = try check()
            if timeout > .zero, !outcome.ready {
                var poll = Poll(
                    "cert-manager in namespace \(namespace) (ready)", timeout: timeout, every: .seconds(1),
                    cancellation: cancellation, at: .source(inv.location),
                    hint: "look at its pods: kube get pods -n \(namespace)")
                poll.timeoutMessage = "\(inv.spec.name): cert-manager is not ready after \(timeout.text)"
                outcome = try poll.until(showingOn: inv.context) { () throws -> Poll.Check<(String, String, Bool)> in
                    let now = try check()
                    return now.ready ? .ready(now) : .pending("\(now.deployments); webhook: \(now.webhook)")
                }.value
            }
            return .record(
                Record([
                    ("namespace", .string(namespace)), ("deployments", .string(outcome.deployments)),
                    ("webhook", .string(outcome.webhook)), ("ready", .bool(outcome.ready)),
                ]))
        })
}
