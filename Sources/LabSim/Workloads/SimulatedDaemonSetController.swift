import HLSCore

/// kube-controller-manager's `daemonset-controller`: one pod per eligible node — every node,
/// Ready or not, whose labels match the template's `nodeSelector` and whose NoSchedule and
/// NoExecute taints the pod tolerates (with the tolerations the controller adds to every daemon
/// pod). Each pod is pinned to its node by required node affinity (`metadata.name`) and bound by
/// the scheduler, as since Kubernetes 1.12. Pods on nodes no longer eligible, extra pods on one
/// node, and (RollingUpdate) pods of an older template one at a time are deleted. The status
/// counts as the real controller's. It follows the nodes and the pods it owns.
struct SimulatedDaemonSetController: SimulatedController {
    let name = "daemonset-controller"
    let resource = KubeResourceName.daemonSets
    let follows = [KubeResourceName.nodes]
    let owns = [KubeResourceName.pods]

    static let hashLabel = "controller-revision-hash"

    /// What `util.AddOrUpdateDaemonPodTolerations` adds to every daemon pod.
    static let tolerations: [Document] =
        [
            ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ].map { .object([("key", .string($0.0)), ("operator", .string("Exists")), ("effect", .string($0.1))]) }

    func reconcile(_ set: Document, client: KubeInProcessClient) -> Duration? {
        guard set.at(["metadata", "deletionTimestamp"]) == nil else { return nil }
        guard let all = KubeWorkloads.pods(in: set.text("metadata", "namespace"), client),
            let nodes = try? client.list(KubeResourceName.nodes.path(namespace: nil))
        else { return KubeWorkloads.retry }
        var template = set.at(["spec", "template"]) ?? .object([])
        let hash = KubeWorkloads.templateHash(template)
        let pods = KubeWorkloads.controlled(all, by: set).filter(KubeWorkloads.isActive)
        let ownTolerations = template.at(["spec", "tolerations"])?.items ?? []
        template.set(
            ["spec", "tolerations"], .array(ownTolerations + Self.tolerations.filter { !ownTolerations.contains($0) }))
        let eligible = Set(
            nodes.filter { KubeScheduling.reason(template, on: $0, ignoringReadiness: true) == nil }
                .compactMap { $0.text("metadata", "name") })
        let byNode = Dictionary(grouping: pods) { Self.targetNode($0) ?? "" }

        var surplus: [Document] = []
        for (node, onNode) in byNode {
            surplus += eligible.contains(node) ? Array(onNode.dropFirst()) : onNode
        }
        for node in eligible.sorted() where byNode[node] == nil {
            var pod = KubeWorkloads.pod(
                from: template, owner: set, kind: "DaemonSet",
                labels: [
                    Self.hashLabel: hash,
                    "pod-template-generation": String(KubeWorkloads.int(set, "metadata", "generation") ?? 1),
                ], generateName: (set.text("metadata", "name") ?? "") + "-")
            pod.set(["spec", "affinity", "nodeAffinity"], Self.affinity(to: node))
            guard KubeWorkloads.create(pod, for: set, kind: "DaemonSet", client) else { return KubeWorkloads.retry }
        }
        let placed = eligible.compactMap { byNode[$0]?.first }
        let outdated = pods.filter { $0.text("metadata", "labels", Self.hashLabel) != hash }
        if set.text("spec", "updateStrategy", "type") != "OnDelete", surplus.isEmpty, let stale = outdated.first,
            placed.count == eligible.count, pods.allSatisfy(KubeAPI.isReady)
        {
            surplus.append(stale)
        }
        for pod in surplus {
            guard KubeWorkloads.delete(pod, of: set, kind: "DaemonSet", client) else { return KubeWorkloads.retry }
        }
        let minReady = KubeWorkloads.int(set, "spec", "minReadySeconds") ?? 0
        let (available, next) = KubeWorkloads.availability(placed, minReadySeconds: minReady, client.clock)
        let status = KubeWorkloads.status([
            ("currentNumberScheduled", .int(placed.count)),
            ("numberMisscheduled", .int(byNode.filter { !$0.key.isEmpty && !eligible.contains($0.key) }.count)),
            ("desiredNumberScheduled", .int(eligible.count)),
            ("numberReady", .int(placed.filter(KubeAPI.isReady).count)),
            ("observedGeneration", set.at(["metadata", "generation"])),
            (
                "updatedNumberScheduled",
                KubeWorkloads.count(placed.filter { $0.text("metadata", "labels", Self.hashLabel) == hash }.count)
            ),
            ("numberAvailable", KubeWorkloads.count(available)),
            ("numberUnavailable", KubeWorkloads.count(max(0, eligible.count - available))),
        ])
        let written = KubeWorkloads.write(status: status, of: set, resource, client)
        // A pod ready but not yet for minReadySeconds turns available without a change to see.
        return written ?? next
    }

    /// The node a daemon pod is for: its `spec.nodeName`, else the node its affinity names.
    static func targetNode(_ pod: Document) -> String? {
        if let node = pod.text("spec", "nodeName") { return node }
        let terms = pod.at([
            "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
        ])
        return terms?.items.first?.at(["matchFields"])?.items.first { $0.text("key") == "metadata.name" }?
            .at(["values"])?.items.first.flatMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    /// `nodeAffinity` requiring the node named `node`, as `util.ReplaceDaemonSetPodNodeNameNodeAffinity` writes it.
    static func affinity(to node: String) -> Document {
        .object([
            (
                "requiredDuringSchedulingIgnoredDuringExecution",
                .object([
                    (
                        "nodeSelectorTerms",
                        .array([
                            .object([
                                (
                                    "matchFields",
                                    .array([
                                        .object([
                                            ("key", .string("metadata.name")), ("operator", .string("In")),
                                            ("values", .array([.string(node)])),
                                        ])
                                    ])
                                )
                            ])
                        ])
                    )
                ])
            )
        ])
    }
}
