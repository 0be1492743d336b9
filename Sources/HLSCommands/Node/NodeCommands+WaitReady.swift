import HLSCore
import HLSLanguage
import Kube

/// `node wait --for ready`: the Kubernetes Node's Ready condition, watched (not polled) until
/// it is True.
extension NodeCommands {
    static func waitForReady(_ inv: Invocation) throws -> Value {
        let client: KubeClient
        let nodes: [ClusterNode]
        do {
            client = try kubeClient(inv)
            nodes = try clusterNodes(inv, client: client)
        } catch let error as HLSError where inv.context.options.dryRun && !inv.list("targets").isEmpty {
            // A rehearsal of a runbook's first run: the cluster it would wait for is not there yet.
            return .list(
                inv.list("targets").map(Render.plain).map { target in
                    .record(
                        Record([
                            ("node", .string(target)), ("ready", .string("not waited for (dry run): \(error.message)")),
                            ("waited", .duration(.zero)),
                        ]))
                })
        }
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
