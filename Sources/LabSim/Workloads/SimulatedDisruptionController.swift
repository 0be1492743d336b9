import HLSCore

/// kube-controller-manager's `disruption-controller`: each PodDisruptionBudget's status as the
/// eviction subresource counts it (`KubeDisruptionBudget`) — currentHealthy, desiredHealthy,
/// disruptionsAllowed, expectedPods, observedGeneration and the `DisruptionAllowed` condition
/// (SufficientPods / InsufficientPods). A pod's change queues the budgets of its namespace
/// whose selector matches its labels (`getPdbForPod`), not every budget.
struct SimulatedDisruptionController: SimulatedController {
    let name = "disruption-controller"
    let resource = KubeResourceName.podDisruptionBudgets
    let followsSelectively = [KubeResourceName.pods]

    func concerns(_ pod: Document, _ budget: Document) -> Bool {
        pod.text("metadata", "namespace") == budget.text("metadata", "namespace")
            && KubeLabelSelector(object: budget.at(["spec", "selector"]) ?? .object([]))
                .matches((pod.at(["metadata", "labels"]) ?? .object([])).stringMap)
    }

    func reconcile(_ budget: Document, client: KubeInProcessClient) -> Duration? {
        guard budget.at(["metadata", "deletionTimestamp"]) == nil else { return nil }
        guard let pods = KubeWorkloads.pods(in: budget.text("metadata", "namespace"), client) else {
            return KubeWorkloads.retry
        }
        let count = KubeDisruptionBudget(budget, pods: pods)
        let generation = KubeWorkloads.int(budget, "metadata", "generation")
        let conditions = KubeWorkloads.setting(
            budget.at(["status", "conditions"])?.items ?? [], type: "DisruptionAllowed", status: count.allowed > 0,
            reason: count.allowed > 0 ? "SufficientPods" : "InsufficientPods", message: "",
            observedGeneration: generation)
        let status = KubeWorkloads.status([
            ("observedGeneration", generation.map(Document.int)), ("disruptionsAllowed", .int(count.allowed)),
            ("currentHealthy", .int(count.healthy)), ("desiredHealthy", .int(count.desired)),
            ("expectedPods", .int(count.expected)), ("conditions", .array(conditions)),
        ])
        return KubeWorkloads.write(status: status, of: budget, resource, client)
    }
}
