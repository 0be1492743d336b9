public import HLSCore
import HLSFormats

/// How an eviction ended.
public enum KubeEvictionOutcome: Sendable, Equatable {
    case evicted
    /// The pod was already gone (404).
    case gone
}

/// What one eviction try found.
public enum KubeEvictionTry: Sendable, Equatable {
    case done(KubeEvictionOutcome)
    /// Refused for now: a PodDisruptionBudget blocks it (429) or its namespace is terminating
    /// (403). `reason` is the server's message and its causes (the budget's own words);
    /// `retryAfter` is the server's Retry-After, if it gave one.
    case refused(reason: String, retryAfter: Duration?, budget: Bool)
}

extension KubeClient {
    /// Evicts a pod through `policy/v1` (`POST …/pods/NAME/eviction`), as `kubectl drain` does.
    /// A 429 means a PodDisruptionBudget blocks it now (or the server asks to come back): the
    /// eviction is tried again after `Retry-After` (else `evictionRetryDelay`) until `timeout`,
    /// and then fails naming the budget's message. 403 `NamespaceTerminating` is retried too.
    public func evict(
        pod name: String, namespace: String, timeout: Duration, cancellation: Cancellation = .never
    ) throws(HLSError) -> KubeEvictionOutcome {
        let deadline = ContinuousClock.now + timeout
        var tries = 0
        while true {
            tries += 1
            let outcome = try tryEviction(pod: name, namespace: namespace, cancellation: cancellation)
            let reason: String
            let retryAfter: Duration?
            let budget: Bool
            switch outcome {
            case .done(let done): return done
            case .refused(let r, let after, let b): (reason, retryAfter, budget) = (r, after, b)
            }
            let delay = retryAfter ?? evictionRetryDelay
            if ContinuousClock.now + delay > deadline {
                throw HLSError(
                    .timeout,
                    "pod \(namespace)/\(name) could not be evicted within \(timeout.text) "
                        + "(\(tries) tr\(tries == 1 ? "y" : "ies")): \(reason)",
                    at: .request(method: "POST", url: Self.evictionPath(pod: name, namespace: namespace)),
                    hint: budget ? "a PodDisruptionBudget allows no disruption now; scale the workload up or wait" : nil
                )
            }
            trace?("eviction of pod \(namespace)/\(name) refused (\(reason)); again in \(delay.text)")
            try KubeWaits.pause(delay, cancellation: cancellation, what: "evicting pod \(namespace)/\(name)")
        }
    }

    /// One eviction try: done (evicted, or already gone), or refused for now (429, or 403
    /// `NamespaceTerminating`); any other refusal is an error naming the call.
    public func tryEviction(
        pod name: String, namespace: String, cancellation: Cancellation = .never
    ) throws(HLSError) -> KubeEvictionTry {
        let body = Document.object([
            ("apiVersion", .string("policy/v1")), ("kind", .string("Eviction")),
            ("metadata", .object([("name", .string(name)), ("namespace", .string(namespace))])),
        ])
        let call = KubeCall(
            method: "POST", path: Self.evictionPath(pod: name, namespace: namespace),
            body: Array(JSONCodec.encode(body).utf8), contentType: "application/json")
        let reply = try send(call, cancellation: cancellation)
        guard let status = reply.status else { return .done(.evicted) }
        if status.code == 404 { return .done(.gone) }
        let terminating = status.code == 403 && status.causes.contains { $0.reason == "NamespaceTerminating" }
        guard status.code == 429 || terminating else { throw status.error(for: call, endpoint: endpoint) }
        let causes = status.causes.map(\.message).filter { !$0.isEmpty && $0 != status.message }
        let reason = ([status.message] + causes).joined(separator: " ")
        return .refused(
            reason: reason, retryAfter: status.retryAfterSeconds.map { .seconds($0) }, budget: status.code == 429)
    }

    static func evictionPath(pod name: String, namespace: String) -> String {
        KubeResource.pods.path(namespace: namespace, name: name, subresource: "eviction")
    }
}
