import HLSCore
import HLSLanguage
import Kube

/// `node wait --for ready`: the Kubernetes Node's Ready condition, watched (not polled) until
/// it is True — and, after hlsh stopped its VM, reported by a boot other than the one before
/// (`NodeBootMark`).
extension NodeCommands {
    static func waitForReady(_ inv: Invocation) throws -> Value {
        let client: KubeClient
        do {
            client = try kubeClient(inv)
        } catch let absent as NotThereYet {
            // A rehearsal of a runbook's first run: the cluster it would wait for is not there yet.
            // Only that: a misspelled node, a refused login or an unreachable API stay errors.
            _ = try readyTargets(inv, client: nil)
            throw absent
        }
        let names = try readyTargets(inv, client: client)
        let timeout = inv.duration(defaulted: "timeout")
        return .list(
            try names.map { name in
                var poll = Poll(
                    "\(name) (Ready)", timeout: timeout, every: inv.duration(defaulted: "every"),
                    cancellation: inv.context.cancellation, at: .source(inv.location),
                    hint: "is k3s running on it (node run \(name) \"systemctl status k3s\")?")
                poll.timeoutMessage = "\(inv.spec.name): \(name) is not Ready after \(timeout.text)"
                let ready = try KubeObjectWait(client: client, resource: .nodes, name: name).until(
                    poll, context: inv.context
                ) { object -> Poll.Check<Bool> in
                    guard let object else { return .pending("not registered in the cluster") }
                    let seen = ClusterNode(object)
                    if NodeBootMark.isPreviousBoot(seen) {
                        // Ready or not, that is what it said before its VM went down (`vm stop`).
                        return .pending("still reports the boot before its VM was stopped (\(seen.readyCondition))")
                    }
                    return seen.isReady ? .ready(NodeBootMark.isMarked(seen)) : .pending(seen.readyCondition)
                }
                if ready.value { NodeBootMark.clear(name, client: client, cancellation: inv.context.cancellation) }
                return readyRow(name, waited: ready.waited)
            })
    }

    /// The nodes to wait for. With a lab in use, its inventory's (`all`, `servers`, `agents`, VM
    /// names): a node whose kubelet has not registered yet is waited for too, as after a
    /// runbook's `node k3s`. Without one, the nodes the cluster has (`client`; nil: the words as
    /// given).
    private static func readyTargets(_ inv: Invocation, client: KubeClient?) throws -> [String] {
        let words = inv.list("targets").map(Render.plain)
        guard !words.isEmpty else { throw inv.usage("name the nodes, or all") }
        if try LabState.of(inv.context).lab ?? LabState.loadDefault(inv.context) != nil {
            return try NodeService.select(words, inv: inv).map(\.target.name)
        }
        guard let client else { return words }
        return try ClusterNode.select(words, client: client, cancellation: inv.context.cancellation).map(\.name)
    }

    private static func readyRow(_ name: String, waited: Duration) -> Value {
        .record(Record([("node", .string(name)), ("ready", .string("ready")), ("waited", .duration(waited))]))
    }
}
