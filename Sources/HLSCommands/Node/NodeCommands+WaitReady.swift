import HLSCore
import HLSLanguage
import Kube

/// `node wait --for ready`: the Kubernetes Node's Ready condition, watched (not polled) until
/// it is True.
extension NodeCommands {
    static func waitForReady(_ inv: Invocation) throws -> Value {
        let client = try kubeClient(inv)
        let nodes = try clusterNodes(inv, client: client)
        let timeout = inv.duration(defaulted: "timeout")
        return .list(
            try nodes.map { node in
                if inv.context.options.dryRun {
                    // Under --dry-run the current state is the answer: nothing is waited for.
                    let state = node.isReady ? "ready" : "not waited for (dry run): \(node.readyCondition)"
                    return .record(
                        Record([("node", .string(node.name)), ("ready", .string(state)), ("waited", .duration(.zero))]))
                }
                var poll = Poll(
                    "\(node.name) (Ready)", timeout: timeout, every: inv.duration(defaulted: "every"),
                    cancellation: inv.context.cancellation, at: .source(inv.location),
                    hint: "is k3s running on it (node run \(node.name) \"systemctl status k3s\")?")
                poll.timeoutMessage = "\(inv.spec.name): \(node.name) is not Ready after \(timeout.text)"
                let ready = try KubeObjectWait(client: client, resource: .nodes, name: node.name).until(
                    poll, context: inv.context
                ) { object -> Poll.Check<Void> in
                    guard let object else { return .pending("not registered in the cluster") }
                    let seen = ClusterNode(object)
                    return seen.isReady ? .ready(()) : .pending(seen.readyCondition)
                }
                return .record(
                    Record([
                        ("node", .string(node.name)), ("ready", .string("ready")), ("waited", .duration(ready.waited)),
                    ]))
            })
    }
}
