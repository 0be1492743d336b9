import HLSCore

/// cert-manager's challenges controller against the simulated Let's Encrypt: a new Challenge is
/// scheduled (`pending`, processing), then presented — a Cloudflare DNS-01 solver reads its API
/// token Secret (a ClusterIssuer's in the cluster resource namespace) and makes the record
/// through the simulated Cloudflare, and what fails (no Secret, no key, a token Cloudflare
/// refuses, no zone for the name) stays the Challenge's reason, with a `PresentError` event,
/// until it is mended — then waits for propagation and is accepted (`valid`) a moment later, or
/// refused (`invalid`, with the ACME error cert-manager records) when a refusal is injected
/// (`KubeFault.acmeChallengeInvalid`). `KubeFault.cloudflareUnreachable` makes Cloudflare's API
/// time out for a number of presentations.
struct CertManagerChallenges: SimulatedController {
    let workload: SimulatedWorkload?
    let cloudflare: SimulatedCloudflare
    let clusterNamespace: String
    let name = "cert-manager-challenges"
    let resource = CertManager.challenges
    let follows = [KubeResourceName.secrets]
    /// When each presented challenge (by uid) is checked.
    private let presented = CertManagerSchedule()
    /// How long a presented record takes to propagate, in the lab's time.
    static let propagation = Duration.milliseconds(100)
    /// How soon a challenge that could not be presented is tried again.
    static let presentRetry = Duration.seconds(1)

    init(workload: SimulatedWorkload, cloudflare: SimulatedCloudflare, clusterNamespace: String) {
        self.workload = workload
        self.cloudflare = cloudflare
        self.clusterNamespace = clusterNamespace
    }

    func reconcile(_ challenge: Document, client: KubeInProcessClient) -> Duration? {
        let state = challenge.text("status", "state") ?? ""
        guard state.isEmpty || state == "pending" else { return nil }
        let dnsName = challenge.text("spec", "dnsName") ?? ""
        let dns = challenge.text("spec", "type") != "HTTP-01"
        let uid = challenge.text("metadata", "uid") ?? ""
        var updated = challenge
        if state.isEmpty {
            updated.set(["status", "processing"], .bool(true))
            updated.set(["status", "presented"], .bool(false))
            updated.set(["status", "state"], .string("pending"))
            return CertManager.writeStatus(resource, challenge, updated, client: client) ?? .zero
        }
        if challenge.at(["status", "presented"]) != .bool(true) {
            if let error = presentError(challenge, client: client) {
                if challenge.text("status", "reason") != error {
                    client.recordEvent(
                        about: challenge, kind: "Challenge", type: "Warning", reason: "PresentError",
                        message: "Error presenting challenge: \(error)")
                }
                updated.set(["status", "reason"], .string(error))
                return CertManager.writeStatus(resource, challenge, updated, client: client) ?? Self.presentRetry
            }
            updated.set(["status", "presented"], .bool(true))
            updated.set(
                ["status", "reason"],
                .string(
                    dns
                        ? "Waiting for DNS-01 challenge propagation: DNS record for \"\(dnsName)\" not yet propagated"
                        : "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'"))
            client.recordEvent(
                about: challenge, kind: "Challenge", reason: "Presented",
                message: "Presented challenge using \(challenge.text("spec", "type") ?? "") challenge mechanism")
            _ = presented.remaining(uid, client.clock) { Self.propagation * client.clock.scale }
            return CertManager.writeStatus(resource, challenge, updated, client: client) ?? Self.propagation
        }
        if let wait = presented.remaining(uid, client.clock, first: { .zero }) { return wait }
        updated.set(["status", "processing"], .bool(false))
        updated.set(["status", "presented"], .bool(false))
        if client.api.faults.consumeChallengeRefusal() {
            updated.set(["status", "state"], .string("invalid"))
            let record =
                dns ? "No TXT record found at _acme-challenge.\(dnsName)" : "Invalid response from http://\(dnsName)"
            updated.set(
                ["status", "reason"],
                .string(
                    "Error accepting authorization: acme: authorization error for \(dnsName): 403 "
                        + "urn:ietf:params:acme:error:unauthorized: \(record)"))
        } else {
            updated.set(["status", "state"], .string("valid"))
            updated.set(["status", "reason"], .string("Successfully authorized domain"))
        }
        return CertManager.writeStatus(resource, challenge, updated, client: client)
    }

    /// Why the solver cannot present the challenge, in cert-manager's words
    /// (pkg/issuer/acme/dns/dns.go, `solverForChallenge`); nil when it is presented. Only a
    /// Cloudflare DNS-01 solver reaches anything here; others present at once.
    func presentError(_ challenge: Document, client: KubeInProcessClient) -> String? {
        guard let reference = challenge.at(["spec", "solver", "dns01", "cloudflare", "apiTokenSecretRef"]) else {
            return nil
        }
        let namespace =
            challenge.text("spec", "issuerRef", "kind") == "ClusterIssuer"
            ? clusterNamespace : challenge.text("metadata", "namespace") ?? ""
        let secretName = reference.text("name") ?? ""
        let key = reference.text("key") ?? ""
        guard
            let secret = (try? client.get(KubeResourceName.secrets.path(namespace: namespace, name: secretName))) ?? nil
        else { return "error getting cloudflare secret: secret \"\(secretName)\" not found" }
        guard secret.at(["data", key]) != nil else {
            return "specified key \"\(key)\" not found in secret \(namespace)/\(secretName)"
        }
        let token = CertManager.secretData(secret, key) ?? ""
        if token.isEmpty {
            return "error instantiating cloudflare challenge solver: "
                + "no Cloudflare credential has been given (can be either an API key or an API token)"
        }
        if token.contains(where: { $0 == "\n" || $0 == "\r" }) {
            return "error instantiating cloudflare challenge solver: "
                + "the Cloudflare API token is invalid (does the API token contain a newline?)"
        }
        return cloudflare.present(
            dnsName: challenge.text("spec", "dnsName") ?? "", token: token,
            unreachable: client.api.faults.consumeCloudflareOutage())
    }
}
