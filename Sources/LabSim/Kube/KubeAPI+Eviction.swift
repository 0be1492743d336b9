import HLSCore

/// `POST pods/NAME/eviction` (kubernetes `registry/core/pod/storage/eviction.go`): allowed
/// unless a PodDisruptionBudget selecting the pod has no disruption left (429, no Retry-After);
/// two budgets are a 500; an allowed eviction deletes the pod at once (there is no kubelet to
/// wait for).
extension KubeAPI {
    static let blockedMessage = "Cannot evict pod as it would violate the pod's disruption budget."

    func evict(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let name = target.name ?? ""
        let namespace = target.namespace ?? "default"
        let body = try Self.body(request, accepted: ["application/json", "application/yaml"], type: type)
        if let given = body.text("metadata", "name"), given != name {
            throw KubeStatus.badRequest("name in URL does not match name in Eviction object")
        }
        if faults.consumeEvictionBlock() {
            throw KubeStatus(code: 429, reason: "TooManyRequests", message: Self.blockedMessage, details: [])
        }
        try store.transact { (state: inout KubeStoreState) throws(KubeStatus) in
            guard let pod = state.get(type, namespace: namespace, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            let terminating =
                state.get(KubeStoreState.namespaces, namespace: nil, name: namespace)?.at([
                    "metadata", "deletionTimestamp",
                ]) != nil
            let phase = pod.text("status", "phase") ?? ""
            if !terminating, phase != "Succeeded", phase != "Failed", Self.isReady(pod) {
                try Self.checkBudgets(for: pod, namespace: namespace, &state)
            }
            _ = try state.delete(type, pod, policy: "Background")
        }
        return .json(201, KubeStatus.success(details: [], code: 201))
    }

    private static func checkBudgets(for pod: Document, namespace: String, _ state: inout KubeStoreState)
        throws(KubeStatus)
    {
        guard let pdbType = state.types.type(group: "policy", version: "v1", plural: "poddisruptionbudgets") else {
            return
        }
        let labels = (pod.at(["metadata", "labels"]) ?? .object([])).stringMap
        let budgets = state.list(pdbType, namespace: namespace).map(\.object).filter {
            let selector = $0.at(["spec", "selector"]) ?? .object([])
            return !selector.pairs.isEmpty && KubeLabelSelector(object: selector).matches(labels)
        }
        if budgets.count > 1 {
            throw KubeStatus.internalError(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        }
        guard let budget = budgets.first else { return }
        let count = KubeDisruptionBudget(
            budget, pods: state.list(KubeStoreState.pods, namespace: namespace).map(\.object))
        if count.allowed <= 0 {
            let message =
                "The disruption budget \(budget.text("metadata", "name") ?? "") needs \(count.desired) healthy pods and has \(count.healthy) currently"
            throw KubeStatus(
                code: 429, reason: "TooManyRequests", message: blockedMessage,
                details: [
                    (
                        "causes",
                        .array([.object([("reason", .string("DisruptionBudget")), ("message", .string(message))])])
                    )
                ])
        }
    }

    /// An int, or a percentage of `total` (`"50%"`).
    static func scaled(_ value: Document, _ total: Int, roundUp: Bool) -> Int {
        switch value {
        case .int(let n): return n
        case .string(let s) where s.hasSuffix("%"):
            let percent = Int(s.dropLast()) ?? 0
            return roundUp ? (percent * total + 99) / 100 : percent * total / 100
        case .string(let s): return Int(s) ?? 0
        default: return 0
        }
    }

    static func isReady(_ pod: Document) -> Bool {
        pod.at(["metadata", "deletionTimestamp"]) == nil && KubeStoreState.conditionIsTrue(pod, "Ready")
    }
}

/// What the disruption controller counts for a PodDisruptionBudget from the pods of its
/// namespace (`disruption.go`): the pods its selector matches (expected), those Ready
/// (healthy), how many must stay healthy (desired, from minAvailable or maxUnavailable), and so
/// how many may be disrupted. The eviction subresource and the simulated disruption controller
/// both count this way.
struct KubeDisruptionBudget {
    var expected: Int
    var healthy: Int
    var desired: Int
    var allowed: Int { max(0, healthy - desired) }

    init(_ budget: Document, pods: [Document]) {
        let selector = KubeLabelSelector(object: budget.at(["spec", "selector"]) ?? .object([]))
        let selected = pods.filter { selector.matches(($0.at(["metadata", "labels"]) ?? .object([])).stringMap) }
        expected = selected.count
        healthy = selected.filter(KubeAPI.isReady).count
        if let min = budget.at(["spec", "minAvailable"]) {
            desired = KubeAPI.scaled(min, expected, roundUp: true)
        } else if let max = budget.at(["spec", "maxUnavailable"]) {
            desired = Swift.max(0, expected - KubeAPI.scaled(max, expected, roundUp: true))
        } else {
            desired = expected
        }
    }
}
