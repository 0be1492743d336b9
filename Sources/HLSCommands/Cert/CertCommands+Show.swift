import HLSCore
import HLSLanguage
import Kube
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CertCommands {
    static let show = CommandSpec(
        ["cert", "show"], summary: "One Certificate as cmctl status certificate shows it",
        discussion: """
            In cmctl's order: name, namespace, creation time, conditions, DNS names, the issuer and its \
            conditions, the Secret's certificate (issuer, key usages, algorithms, key IDs, serial), notBefore, \
            notAfter and renewal time, the CertificateRequest of the next revision, and for ACME its Order \
            and Challenges. -o json|yaml prints the Certificate as the API returns it.
            """,
        positionals: [nameParameter], flags: [KubeCommands.namespaceFlag, KubeCommands.contextFlag],
        examples: [Example("cert show web -n apps", "its conditions, issuer, dates and request", needsLab: true)],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let certificate = try certificate(inv.string("name")!, inv, client: client)
            if inv.string("output").map({ $0 != "table" }) ?? false { return Value(certificate) }
            let chain = try CertificateChain.walk(certificate, client: client, cancellation: inv.context.cancellation)
            return .string(chain.status)
        })

    static let why = CommandSpec(
        ["cert", "why"], summary: "What blocks a Certificate's issuance, in one line, with each step's last message",
        discussion: """
            Walks Certificate → CertificateRequest (of the revision being issued) → Order → Challenges, \
            and the issuer, as one would with four kubectl describes: the first line says what holds \
            issuance up (the deepest step that failed or waits), the next ones each step's state and last \
            message. -o json gives the steps as rows (kind, name, state, message).
            """,
        positionals: [nameParameter], flags: [KubeCommands.namespaceFlag, KubeCommands.contextFlag],
        columns: ["kind", "name", "state", "message"],
        examples: [Example("cert why web -n apps", "what holds its issuance up, step by step", needsLab: true)],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let certificate = try certificate(inv.string("name")!, inv, client: client)
            let chain = try CertificateChain.walk(certificate, client: client, cancellation: inv.context.cancellation)
            if inv.string("output").map({ $0 != "table" }) ?? false {
                return .list(chain.steps.map { .record($0.record) })
            }
            return .string(chain.verdict + "\n" + chain.steps.map { "  " + $0.line + "\n" }.joined())
        })
}

/// A Certificate and what its issuance goes through: its issuer, the CertificateRequest of the
/// revision being issued (else the last one), that request's Order and the Order's Challenges.
struct CertificateChain {
    /// One object on the way, as `cert why` reports it.
    struct Step {
        var kind: String
        var name: String
        /// `Ready=True`, `pending`, `invalid`, …
        var state: String
        var message: String
        /// Whether it holds issuance up: failed, or still waiting.
        var blocks: Bool
        var failed: Bool

        var line: String { "\(kind) \(name): \(state)" + (message.isEmpty ? "" : ": \(message)") }

        var record: Record {
            Record([
                ("kind", .string(kind)), ("name", .string(name)), ("state", .string(state)),
                ("message", .string(message)),
            ])
        }
    }

    var certificate: Document
    var issuer: Document?
    var issuerKind: String
    var request: Document?
    var order: Document?
    var challenges: [Document]
    var secret: Document?

    static func walk(_ certificate: Document, client: KubeClient, cancellation: Cancellation) throws -> CertificateChain
    {
        let namespace = certificate.string("metadata", "namespace") ?? ""
        let kind = certificate.string("spec", "issuerRef", "kind") ?? "Issuer"
        let issuerName = certificate.string("spec", "issuerRef", "name") ?? ""
        let issuer =
            kind == "ClusterIssuer"
            ? try client.getIfPresent(CertCommands.clusterIssuers, issuerName, cancellation: cancellation)
            : try client.getIfPresent(
                CertCommands.issuerResource, issuerName, namespace: namespace, cancellation: cancellation)
        let uid = certificate.string("metadata", "uid")
        let revision = { if case .int(let r)? = certificate.at("status", "revision") { r } else { 0 } }()
        let owned = try client.list(CertCommands.requests, namespace: namespace, cancellation: cancellation).items
            .filter { owner(of: $0) == uid }
        func revisionOf(_ request: Document) -> Int {
            Int(request.string("metadata", "annotations", "cert-manager.io/certificate-revision") ?? "") ?? 0
        }
        let request =
            owned.first { revisionOf($0) == revision + 1 } ?? owned.max { revisionOf($0) < revisionOf($1) }
        var order: Document?
        var challenges: [Document] = []
        if let requestUID = request?.string("metadata", "uid") {
            order = try client.list(CertCommands.orders, namespace: namespace, cancellation: cancellation).items
                .first { owner(of: $0) == requestUID }
        }
        if let orderUID = order?.string("metadata", "uid") {
            challenges = try client.list(CertCommands.challenges, namespace: namespace, cancellation: cancellation)
                .items
                .filter { owner(of: $0) == orderUID }
        }
        let secret = try certificate.string("spec", "secretName").flatMap {
            try client.getIfPresent(CertCommands.secrets, $0, namespace: namespace, cancellation: cancellation)
        }
        return CertificateChain(
            certificate: certificate, issuer: issuer, issuerKind: kind, request: request, order: order,
            challenges: challenges, secret: secret)
    }

    private static func owner(of object: Document) -> String? {
        object.at("metadata", "ownerReferences")?.elements.first?.string("uid")
    }

    var subject: String {
        "\(certificate.string("metadata", "namespace") ?? "")/\(certificate.string("metadata", "name") ?? "")"
    }

    /// Each step with its state and last message, issuer first.
    var steps: [Step] {
        var steps: [Step] = []
        let issuerName = certificate.string("spec", "issuerRef", "name") ?? ""
        if let issuer {
            steps.append(Self.conditionStep(issuerKind, issuerName, issuer, "Ready"))
        } else {
            steps.append(
                Step(
                    kind: issuerKind, name: issuerName, state: "missing",
                    message: "\(issuerKind) \(issuerName) does not exist", blocks: true, failed: true))
        }
        let issuing = KubeCondition("Issuing", of: certificate)
        var own = Self.conditionStep("Certificate", subject, certificate, "Ready")
        if let issuing {
            own.state += ", Issuing=\(issuing.status)"
            own.message = "\(issuing.reason): \(issuing.message)"
            own.failed = issuing.status == "False"
        }
        steps.append(own)
        if let request {
            var step = Self.conditionStep("CertificateRequest", Self.name(request), request, "Ready")
            step.blocks = step.blocks && issuing?.status == "True" || step.failed
            steps.append(step)
        }
        if let order {
            let state = order.string("status", "state") ?? "new"
            steps.append(
                Step(
                    kind: "Order", name: Self.name(order), state: state,
                    message: order.string("status", "reason") ?? "", blocks: state != "valid",
                    failed: ["invalid", "errored", "expired"].contains(state)))
        }
        for challenge in challenges {
            let state = challenge.string("status", "state") ?? "new"
            steps.append(
                Step(
                    kind: "Challenge",
                    name: Self.name(challenge)
                        + " (\(challenge.string("spec", "type") ?? "")) \(challenge.string("spec", "dnsName") ?? "")",
                    state: state, message: challenge.string("status", "reason") ?? "", blocks: state != "valid",
                    failed: ["invalid", "errored", "expired"].contains(state)))
        }
        return steps
    }

    /// The one line saying what holds issuance up, or that nothing does.
    var verdict: String {
        let ready = KubeCondition("Ready", of: certificate)
        let issuing = KubeCondition("Issuing", of: certificate)?.status == "True"
        if ready?.status == "True", !issuing {
            let until = certificate.string("status", "notAfter").map { ", valid until \($0)" } ?? ""
            return "\(subject): issued and Ready\(until); nothing blocks it"
        }
        let all = steps
        let blocker = all.last { $0.failed } ?? all.last { $0.blocks }
        guard let blocker else {
            return
                "\(subject): not Ready, waiting for cert-manager to act: \(ready?.message ?? "no Ready condition yet")"
        }
        let what = blocker.failed ? "failed at" : "waiting on"
        return "\(subject): \(what) \(blocker.kind) \(blocker.name) (\(blocker.state))"
            + (blocker.message.isEmpty ? "" : ": \(blocker.message)")
    }

    private static func name(_ object: Document) -> String {
        "\(object.string("metadata", "namespace") ?? "")/\(object.string("metadata", "name") ?? "")"
    }

    private static func conditionStep(_ kind: String, _ name: String, _ object: Document, _ type: String) -> Step {
        guard let condition = KubeCondition(type, of: object) else {
            return Step(kind: kind, name: name, state: "no \(type) condition", message: "", blocks: true, failed: false)
        }
        let failed = condition.status == "False" && ["Failed", "Denied", "InvalidRequest"].contains(condition.reason)
        return Step(
            kind: kind, name: name, state: "\(type)=\(condition.status)",
            message: condition.reason.isEmpty ? condition.message : "\(condition.reason): \(condition.message)",
            blocks: condition.status != "True",
            failed: failed || (kind.hasSuffix("Issuer") && condition.status == "False"))
    }
}
