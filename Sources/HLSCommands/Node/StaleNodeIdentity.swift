import HLSCore
import HLSLanguage
import Inventory
import Kube
import Remote

/// A k3s agent's identity left in the cluster by a machine that is gone: the Secret
/// `<node>.node-password.k3s` in kube-system, which holds the scrypt hash of the old machine's
/// `/etc/rancher/node/password`, and the old Node object. k3s refuses a new machine with that
/// name ("Node password rejected", for ever) until the Secret goes; `node k3s` removes both
/// before it joins a machine of the inventory that has no node password yet (re-created), unless
/// the Node is still Ready: then another machine answers to that name, and it refuses
/// (docs/adr/0063).
struct StaleNodeIdentity: Sendable {
    let node: String
    /// Whether the old Node object is there too.
    let hasNodeObject: Bool

    static func secretName(_ node: String) -> String { node.lowercased() + ".node-password.k3s" }

    var secret: String { Self.secretName(node) }

    /// What the plan says it will do.
    var detail: String {
        "remove the stale Secret kube-system/\(secret)" + (hasNodeObject ? " and Node \(node)" : "")
            + " (the machine was re-created)"
    }

    /// Its row among `node k3s`'s: `would change` in a plan, `changed` once removed.
    func row(removed: Bool) -> Value {
        .record(
            Record([
                ("node", .string(node)), ("control", .string("k3s.identity")),
                ("status", .string(removed ? "changed" : "would change")),
                ("detail", .string(removed ? "removed" + detail.dropFirst("remove".count) : "would " + detail)),
            ]))
    }

    /// The command that does by hand what `remove` does.
    static func fix(_ node: String) -> String {
        "kubectl -n kube-system delete secret \(secretName(node)) && kubectl delete node \(node) --ignore-not-found"
    }

    /// The stale identity of `node`, which has no node password yet; nil when the cluster holds
    /// no Secret for it. A Node of that name that is Ready means a machine still runs under it:
    /// an error naming the node, the Secret and the fix, nothing removed.
    static func find(node: String, client: KubeClient, cancellation: Cancellation) throws(HLSError)
        -> StaleNodeIdentity?
    {
        let name = node.lowercased()
        guard
            try client.getIfPresent(.secrets, secretName(node), namespace: "kube-system", cancellation: cancellation)
                != nil
        else { return nil }
        let object = try client.getIfPresent(.nodes, name, cancellation: cancellation)
        if let object, ClusterNode(object).isReady {
            throw HLSError(
                .failed,
                "\(node) has no k3s node password, but the cluster's Node \(name) is Ready and its Secret "
                    + "kube-system/\(secretName(node)) holds another machine's: k3s would refuse this one",
                at: .host(node),
                hint: "if the old \(node) is gone for good, remove its identity (\(fix(node))) and run node k3s "
                    + "\(node) again; if it still runs, give this machine another name")
        }
        return StaleNodeIdentity(node: name, hasNodeObject: object != nil)
    }

    /// Removes the Secret and the Node; either already gone is fine.
    func remove(client: KubeClient, cancellation: Cancellation) throws(HLSError) {
        try client.delete(.secrets, secret, namespace: "kube-system", ignoreMissing: true, cancellation: cancellation)
        if hasNodeObject { try client.delete(.nodes, node, ignoreMissing: true, cancellation: cancellation) }
    }
}

extension NodeCommands {
    /// A client of the lab's API as its first server's admin kubeconfig describes it, read over
    /// SSH as `node kubeconfig` reads it and kept in memory (the user's kubeconfig may not have
    /// the lab's context yet, or point elsewhere).
    static func labClient(
        lab: Lab, first: VMSpec, service: NodeService, environment: [String: String], acceptNew: Bool,
        cancellation: Cancellation
    ) throws(HLSError) -> KubeClient {
        let target = NodeService.inventoryTarget(first, lab: lab).target
        let result = try service.connections.exec(
            target, NodeScript.kubeconfigCommand, timeout: .seconds(60), cancellation: cancellation,
            acceptNew: acceptNew)
        guard result.exitStatus == 0 else {
            throw HLSError(
                .failed, "cannot read /etc/rancher/k3s/k3s.yaml on \(first.name)", at: .host(first.name),
                hint: "is k3s running there? (node k3s \(first.name))",
                cause: NodeScriptRunner.lastLines(result.stderrText))
        }
        let source = "\(first.name):/etc/rancher/k3s/k3s.yaml"
        let config = try Kubeconfig(yaml: result.stdoutText, source: source)
            .forLab(named: lab.name, server: "https://\(first.ip.addressText):6443", source: first.name)
        var set = KubeconfigSet()
        try set.add(config.yaml, file: source)
        return KubeClient(endpoint: try set.endpoint(context: lab.name), environment: environment)
    }

    /// `error` from joining `node`, with the way out when k3s refused its node password.
    static func explainingRefusal(_ error: HLSError, node: String) -> HLSError {
        guard error.message.contains("refused this node's password") else { return error }
        var explained = error
        explained.hint =
            "the cluster keeps kube-system/\(StaleNodeIdentity.secretName(node)) for a machine that had the name "
            + "\(node) before: if that machine is gone, \(StaleNodeIdentity.fix(node)), then node k3s \(node) again"
        return explained
    }
}
