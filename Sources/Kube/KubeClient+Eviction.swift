public import HLSCore
import HLSFormats

/// How an eviction ended.
public enum KubeEvictionOutcome: Sendable, Equatable {
    case evicted
    /// The pod was already gone (404).
    case gone
}

extension KubeClient {
    /// Evicts a pod through `policy/v1` (`POST …/pods/NAME/eviction`), as `kubectl drain` does.
    /// A 429 means a PodDisruptionBudget blocks it now (or the server asks to come back): the
    /// eviction is tried again after `Retry-After` (else `evictionRetryDelay`) until `timeout`,
    /// and then fails naming the budget's message. 403 `NamespaceTerminating` is retried too.
    public func evict(
        pod name: String, namespace: String, timeout: Duration, cancellation: Cancellation = .never
    ) throws(HLSError) -> KubeEvictionOutcome {
        let body = Document.object([
            ("apiVersion", .string("policy/v1")), ("kind", .string("Eviction")),
            ("metadata", .object([("name", .string(name)), ("namespace", .string(namespace))])),
        ])
        let call = KubeCall(
            method: "POST", path: KubeResource.pods.path(namespace: namespace, name: name, subresource: "eviction"),
            body: Array(JSONCodec.encode(body).utf8), contentType: "application/json")
        let deadline = ContinuousClock.now + timeout
        var tries = 0
        while true {
            tries += 1
            let reply = try send(call, cancellation: cancellation)
            guard let status = reply.status else { return .evicted }
            if status.code == 404 { return .gone }
            let terminating = status.code == 403 && status.causes.contains { $0.reason == "NamespaceTerminating" }
            guard status.code == 429 || terminating else { throw status.error(for: call, endpoint: endpoint) }
            let delay = status.retryAfterSeconds.map { Duration.seconds($0) } ?? evictionRetryDelay
            if ContinuousClock.now + delay > deadline {
                throw HLSError(
                    .timeout,
                    "pod \(namespace)/\(name) could not be evicted within \(timeout.text) "
                        + "(\(tries) tr\(tries == 1 ? "y" : "ies")): \(status.message)",
                    at: call.place,
                    hint: status.code == 429
                        ? "a PodDisruptionBudget allows no disruption now; scale the workload up or wait"
                        : nil)
            }
            trace?(
                "eviction of pod \(namespace)/\(name) refused (\(status.message)); again in \(delay.text)")
            try KubeWaits.pause(delay, cancellation: cancellation, what: "evicting pod \(namespace)/\(name)")
        }
    }
}
