import HLSCore
import Kube

/// A Kubernetes Node as the `node` verbs read it: whether it takes pods, its Ready condition,
/// roles, kubelet version, internal address and taints.
struct ClusterNode {
    let name: String
    let unschedulable: Bool
    /// `True`, `False`, `Unknown`; empty when the node reports no Ready condition.
    let ready: String
    /// The Ready condition's reason and message: `KubeletNotReady: container runtime …`.
    let readyReason: String
    /// From the `node-role.kubernetes.io/ROLE` labels, sorted.
    let roles: [String]
    let version: String
    let internalIP: String
    /// `key=value:effect`.
    let taints: [String]
    let uid: String
    /// The machine's boot id as the kubelet reports it (`status.nodeInfo.bootID`); a new one
    /// means the machine rebooted. Empty when not reported.
    let bootID: String
    /// `metadata.annotations` with string values.
    let annotations: [String: String]

    init(_ node: Document) {
        name = node.string("metadata", "name") ?? ""
        uid = node.string("metadata", "uid") ?? ""
        unschedulable = node.at("spec", "unschedulable") == .bool(true)
        let condition = KubeCondition("Ready", of: node)
        ready = condition?.status ?? ""
        readyReason = [condition?.reason ?? "", condition?.message ?? ""].filter { !$0.isEmpty }.joined(separator: ": ")
        let prefix = "node-role.kubernetes.io/"
        if case .object(let labels)? = node.at("metadata", "labels") {
            roles = labels.map(\.key).filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
                .sorted()
        } else {
            roles = []
        }
        version = node.string("status", "nodeInfo", "kubeletVersion") ?? ""
        bootID = node.string("status", "nodeInfo", "bootID") ?? ""
        var annotations: [String: String] = [:]
        if case .object(let pairs)? = node.at("metadata", "annotations") {
            for (key, value) in pairs { if case .string(let text) = value { annotations[key] = text } }
        }
        self.annotations = annotations
        internalIP =
            node.at("status", "addresses")?.elements.first { $0.string("type") == "InternalIP" }?.string("address")
            ?? ""
        taints = (node.at("spec", "taints")?.elements ?? []).map { taint in
            let value = taint.string("value").map { "=" + $0 } ?? ""
            return (taint.string("key") ?? "") + value + ":" + (taint.string("effect") ?? "")
        }
    }

    var isReady: Bool { ready == "True" }
    var isControlPlane: Bool { roles.contains("control-plane") || roles.contains("master") }

    /// `Ready=False (KubeletNotReady: container runtime network not ready)`, or `no Ready condition`.
    var readyCondition: String {
        guard !ready.isEmpty else { return "no Ready condition" }
        return "Ready=\(ready)" + (readyReason.isEmpty ? "" : " (\(readyReason))")
    }

    /// The cluster's nodes that `words` name: node names, `all`, `servers` (control plane) or
    /// `agents`, comma lists too; a name the cluster does not know is an error.
    static func select(_ words: [String], client: KubeClient, cancellation: Cancellation) throws -> [ClusterNode] {
        let nodes = try client.list(.nodes, cancellation: cancellation).items.map(ClusterNode.init)
        var picked: [ClusterNode] = []
        func add(_ node: ClusterNode) { if !picked.contains(where: { $0.name == node.name }) { picked.append(node) } }
        for word in words.flatMap({ $0.split(separator: ",").map(String.init) }) {
            switch word {
            case "all": nodes.forEach(add)
            case "servers", "server": nodes.filter(\.isControlPlane).forEach(add)
            case "agents", "agent": nodes.filter { !$0.isControlPlane }.forEach(add)
            default:
                guard let node = nodes.first(where: { $0.name == word }) else {
                    throw HLSError(
                        .usage, "the cluster has no node \(word)",
                        hint: "its nodes: \(nodes.map(\.name).joined(separator: ", ")); has its k3s joined (node k3s)?"
                    )
                }
                add(node)
            }
        }
        return picked
    }
}
