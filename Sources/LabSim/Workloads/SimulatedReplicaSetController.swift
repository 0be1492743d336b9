import HLSCore

/// kube-controller-manager's `replicaset-controller`: keeps as many active pods of each
/// ReplicaSet as `spec.replicas` asks — creating them from the template as `<rs>-<5 chars>`
/// (`SuccessfulCreate`, `Created pod: NAME`), deleting the surplus unscheduled, pending and
/// unready first (`SuccessfulDelete`) — and writes its status: replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas, observedGeneration. It follows the pods it counts.
struct SimulatedReplicaSetController: SimulatedController {
    let name = "replicaset-controller"
    let resource = KubeResourceName.replicaSets
    let owns = [KubeResourceName.pods]

    func reconcile(_ set: Document, client: KubeInProcessClient) -> Duration? {
        guard set.at(["metadata", "deletionTimestamp"]) == nil else { return nil }
        guard let all = KubeWorkloads.pods(in: set.text("metadata", "namespace"), client) else {
            return KubeWorkloads.retry
        }
        let active = KubeWorkloads.controlled(all, by: set).filter(KubeWorkloads.isActive)
        let want = KubeWorkloads.replicas(set)
        let template = set.at(["spec", "template"]) ?? .object([])
        if active.count < want {
            for _ in active.count..<want {
                let pod = KubeWorkloads.pod(
                    from: template, owner: set, kind: "ReplicaSet",
                    generateName: (set.text("metadata", "name") ?? "") + "-")
                guard KubeWorkloads.create(pod, for: set, kind: "ReplicaSet", client) else {
                    return KubeWorkloads.retry
                }
            }
            return nil
        }
        if active.count > want {
            for pod in Self.deletionOrder(active).prefix(active.count - want) {
                guard KubeWorkloads.delete(pod, of: set, kind: "ReplicaSet", client) else { return KubeWorkloads.retry }
            }
            return nil
        }
        let minReady = KubeWorkloads.int(set, "spec", "minReadySeconds") ?? 0
        let labels = (template.at(["metadata", "labels"]) ?? .object([])).stringMap
        let fullyLabeled = active.filter { pod in
            let podLabels = (pod.at(["metadata", "labels"]) ?? .object([])).stringMap
            return labels.allSatisfy { podLabels[$0.key] == $0.value }
        }
        let ready = active.filter(KubeAPI.isReady)
        let (available, next) = KubeWorkloads.availability(active, minReadySeconds: minReady, client.clock)
        let status = KubeWorkloads.status([
            ("replicas", .int(active.count)), ("fullyLabeledReplicas", KubeWorkloads.count(fullyLabeled.count)),
            ("readyReplicas", KubeWorkloads.count(ready.count)),
            ("availableReplicas", KubeWorkloads.count(available)),
            ("observedGeneration", set.at(["metadata", "generation"])),
        ])
        let written = KubeWorkloads.write(status: status, of: set, resource, client)
        // A pod ready but not yet for minReadySeconds turns available without a change to see.
        return written ?? next
    }

    /// Which pods go first when scaling down (`controller.ActivePods` ordering): unscheduled
    /// before scheduled, pending before running, unready before ready, newer before older.
    static func deletionOrder(_ pods: [Document]) -> [Document] {
        func rank(_ pod: Document) -> (Int, Int, Int, String) {
            (
                pod.text("spec", "nodeName") == nil ? 0 : 1, pod.text("status", "phase") == "Pending" ? 0 : 1,
                KubeAPI.isReady(pod) ? 1 : 0, pod.text("metadata", "creationTimestamp") ?? ""
            )
        }
        return pods.sorted { a, b in
            let (x, y) = (rank(a), rank(b))
            if (x.0, x.1, x.2) != (y.0, y.1, y.2) { return (x.0, x.1, x.2) < (y.0, y.1, y.2) }
            return x.3 > y.3
        }
    }
}
