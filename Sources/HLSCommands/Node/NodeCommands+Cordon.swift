import HLSCore
import HLSLanguage
import Kube

/// `node cordon` and `node uncordon`: whether the scheduler may place new pods on a Kubernetes
/// node (`spec.unschedulable`, a JSON merge patch). A node already so is no change.
extension NodeCommands {
    static let clusterTargets = Parameter(
        "targets", .name("node"), "Kubernetes node names, all, servers or agents (comma lists too)", variadic: true)
    static let contextFlag = Flag("context", .string, "the kubeconfig context to use (default: its current one)")

    static let cordon = CommandSpec(
        ["node", "cordon"], summary: "Mark Kubernetes nodes unschedulable: new pods go elsewhere",
        discussion: "Pods already running stay (node drain evicts them). A node already cordoned is no change.",
        positionals: [clusterTargets], flags: [contextFlag], columns: ["target", "action", "detail", "status"],
        examples: [Example("node cordon k3s-wk-01", "new pods go to the other nodes", needsLab: true)],
        implementation: .mutation { inv in try schedulingPlan(inv, unschedulable: true) })

    static let uncordon = CommandSpec(
        ["node", "uncordon"], summary: "Let the scheduler place pods on Kubernetes nodes again",
        positionals: [clusterTargets], flags: [contextFlag], columns: ["target", "action", "detail", "status"],
        examples: [Example("node uncordon all", "every node takes pods again", needsLab: true)],
        implementation: .mutation { inv in try schedulingPlan(inv, unschedulable: false) })

    /// The Kubernetes client of the run for `--context`.
    static func kubeClient(_ inv: Invocation) throws -> KubeClient { try KubeCommands.client(inv) }

    /// The nodes the invocation's targets name in the cluster.
    static func clusterNodes(_ inv: Invocation, client: KubeClient) throws -> [ClusterNode] {
        let words = inv.list("targets").map(Render.plain)
        guard !words.isEmpty else { throw inv.usage("name the nodes, or all") }
        return try ClusterNode.select(words, client: client, cancellation: inv.context.cancellation)
    }

    private static func schedulingPlan(_ inv: Invocation, unschedulable: Bool) throws -> ChangePlan {
        let client = try kubeClient(inv)
        let nodes = try clusterNodes(inv, client: client)
        return ChangePlan(
            nodes.filter { $0.unschedulable != unschedulable }.map { node in
                schedulingChange(node.name, unschedulable: unschedulable, client: client)
            })
    }

    /// The change that sets `spec.unschedulable` of a node (removes it, to uncordon, as kubectl's
    /// `false` does under `omitempty`), and sets the `annotations` given in the same patch
    /// (`.null` removes one).
    static func schedulingChange(
        _ name: String, unschedulable: Bool, annotations: [(key: String, value: Document)] = [], client: KubeClient
    ) -> Change {
        var patch: [(key: String, value: Document)] = [
            ("spec", .object([("unschedulable", unschedulable ? .bool(true) : .null)]))
        ]
        if !annotations.isEmpty { patch.append(("metadata", .object([("annotations", .object(annotations))]))) }
        return Change(
            target: name, action: unschedulable ? "cordon" : "uncordon",
            detail: unschedulable ? "spec.unschedulable: true" : "spec.unschedulable removed"
        ) { [patch] cancellation in
            try client.mergePatch(.nodes, name, patch: .object(patch), cancellation: cancellation)
        }
    }
}
