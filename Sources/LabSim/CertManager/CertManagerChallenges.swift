import HLSCore

/// cert-manager's challenges controller against the simulated ACME server: a new Challenge is
/// presented (`pending`, waiting for propagation), then accepted (`valid`) a moment later, or
/// refused (`invalid`, with the ACME error cert-manager records) when a refusal is injected
/// (`KubeFault.acmeChallengeInvalid`).
struct CertManagerChallenges: SimulatedController {
    let workload: SimulatedWorkload?
    let name = "cert-manager-challenges"
    let resource = CertManager.challenges
    /// When each presented challenge (by uid) is checked.
    private let presented = CertManagerSchedule()
    /// How long a presented record takes to propagate.
    static let propagation = Duration.milliseconds(100)

    init(workload: SimulatedWorkload) { self.workload = workload }

    func reconcile(_ challenge: Document, client: KubeInProcessClient) -> Duration? {
        let state = challenge.text("status", "state") ?? ""
        guard state.isEmpty || state == "pending" else { return nil }
        let dnsName = challenge.text("spec", "dnsName") ?? ""
        let dns = challenge.text("spec", "type") != "HTTP-01"
        let uid = challenge.text("metadata", "uid") ?? ""
        var updated = challenge
        if state.isEmpty {
            updated.set(["status", "processing"], .bool(true))
            updated.set(["status", "presented"], .bool(true))
            updated.set(["status", "state"], .string("pending"))
            updated.set(
                ["status", "reason"],
                .string(
                    dns
                        ? "Waiting for DNS-01 challenge propagation: DNS record for \"\(dnsName)\" not yet propagated"
                        : "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'"))
            _ = presented.remaining(uid) { Self.propagation }
            return CertManager.writeStatus(resource, challenge, updated, client: client) ?? Self.propagation
        }
        if let wait = presented.remaining(uid, first: { .zero }) { return wait }
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
}
