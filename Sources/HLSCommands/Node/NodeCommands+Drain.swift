import HLSCore
import HLSLanguage
import Kube
import Synchronization

/// `node drain`: cordon a Kubernetes node, then evict its pods through the eviction API (so
/// PodDisruptionBudgets are honoured), all at once, and wait until they are gone, as `kubectl drain` does.
extension NodeCommands {
    static let drain = CommandSpec(
        ["node", "drain"], summary: "Cordon Kubernetes nodes and evict their pods (DaemonSet and mirror pods stay)",
        discussion: """
            Cordons each node, lists its pods (fieldSelector spec.nodeName) and evicts them through policy/v1, \
            all at once, then waits until the evicted pods are gone, as kubectl drain does. DaemonSet and mirror pods are left; a pod without \
            controller needs --force, one with emptyDir volumes --delete-emptydir-data, and the drain refuses \
            before evicting anything. An eviction a PodDisruptionBudget blocks (429) is tried again every \
            --every. --timeout bounds the whole drain of a node, as kubectl drain's does: from its first \
            eviction until its last pod is gone. Nodes are drained one at a time.
            """,
        positionals: [clusterTargets],
        flags: drainFlags + [contextFlag],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [
            Example(
                "node drain k3s-wk-01 --timeout 5m | where action == \"evict\"",
                "the worker's pods evicted within five minutes, budgets honoured", needsLab: true)
        ],
        implementation: .mutation(drainPlan))

    /// How a node is drained, for node drain and node reboot.
    static let drainFlags = [
        Flag("force", "evict pods no controller recreates"),
        Flag("delete-emptydir-data", "evict pods with emptyDir volumes (their data is lost)"),
        Flag(
            "timeout", .duration, "give up when a node's pods are not all gone after this long",
            default: .duration(.seconds(300))),
        Flag("every", .duration, "time between eviction tries a budget refuses", default: .duration(.seconds(5))),
    ]

    private static func drainPlan(_ inv: Invocation) throws -> ChangePlan {
        let client = try kubeClient(inv)
        let nodes = try clusterNodes(inv, client: client)
        let eviction = PodEviction(inv, client: client)
        let timeout = inv.duration(defaulted: "timeout")
        var changes: [Change] = []
        var skipped: [Value] = []
        for node in nodes {
            try warnIfOnlyControlPlane(node, inv, client: client)
            let plan = try drainPlan(of: node, inv, client: client)
            if !node.unschedulable { changes.append(schedulingChange(node.name, unschedulable: true, client: client)) }
            let drain = NodeDrain(node.name, pods: plan.evict, timeout: timeout, eviction: eviction)
            for pod in plan.evict {
                changes.append(
                    Change(
                        target: "\(pod.namespace)/\(pod.name)", action: "evict",
                        detail: "from \(node.name)" + (pod.controller.isEmpty ? "" : " (\(pod.controller))")
                    ) { _ in try drain.outcome(of: pod) })
            }
            skipped += plan.skipped.map { entry in
                .record(
                    Record([
                        ("target", .string("\(entry.pod.namespace)/\(entry.pod.name)")), ("action", .string("skip")),
                        ("detail", .string(entry.why)), ("status", .string("skipped")), ("elapsed", .duration(.zero)),
                    ]))
            }
        }
        let rows = skipped
        return ChangePlan(changes) { outcomes in .list(outcomes.map(\.record) + rows) }
    }

    /// Warns when `node` is the cluster's only control plane: the Kubernetes API goes with it.
    static func warnIfOnlyControlPlane(_ node: ClusterNode, _ inv: Invocation, client: KubeClient) throws {
        guard node.isControlPlane else { return }
        let nodes = try client.list(.nodes, cancellation: inv.context.cancellation).items.map(ClusterNode.init)
        guard nodes.filter(\.isControlPlane).count == 1 else { return }
        inv.context.err(
            "warning: \(inv.spec.name): \(node.name) is the cluster's only control-plane node (one k3s server, "
                + "docs/adr/0021): while it is drained and rebooted the Kubernetes API goes with it\n")
    }

    /// What draining `node` does with each of its pods now; refuses (nothing evicted) when a pod
    /// needs a flag not given.
    static func drainPlan(of node: ClusterNode, _ inv: Invocation, client: KubeClient) throws -> DrainPlan {
        let cancellation = inv.context.cancellation
        let pods = try client.list(
            .pods, options: KubeListOptions(fieldSelector: "spec.nodeName=\(node.name)"), cancellation: cancellation)
        let plan = DrainPlan(
            pods: pods.items, force: inv.flag("force"), deleteEmptyDirData: inv.flag("delete-emptydir-data"))
        if !plan.refused.isEmpty {
            let lines = plan.refused.map { "\($0.pod.namespace)/\($0.pod.name) \($0.why)" }
            throw HLSError(
                .failed, "cannot drain \(node.name): " + lines.joined(separator: "; "),
                hint: "nothing was evicted; pass the flags named if losing those pods is fine")
        }
        return plan
    }
}

/// The drain of one node's pods, run once by the first of its `evict` rows (all pods at once, as
/// kubectl drain does, `--timeout` bounding all of it) and reported pod by pod by each row.
final class NodeDrain: Sendable {
    let node: String
    let pods: [DrainPlan.Pod]
    let timeout: Duration
    let eviction: PodEviction
    private let failures = Mutex<[String: HLSError]?>(nil)

    init(_ node: String, pods: [DrainPlan.Pod], timeout: Duration, eviction: PodEviction) {
        (self.node, self.pods, self.timeout, self.eviction) = (node, pods, timeout, eviction)
    }

    /// Drains the node if no row did yet, then throws what became of `pod`.
    func outcome(of pod: DrainPlan.Pod) throws {
        let known = failures.withLock { $0 }
        let all = try known ?? eviction.evictAll(pods, from: node, within: Deadline(after: timeout))
        failures.withLock { $0 = all }
        if let failure = all[pod.key] { throw failure }
    }
}

/// Evicting a node's pods as kubectl drain does: every pod's eviction is asked for at once, one a
/// budget refuses (429) is asked again every `every` (progress with elapsed time while it waits),
/// and only then are the evicted pods watched until gone (a 404, or a new pod of the same name),
/// all of it before the one deadline of the node's drain.
struct PodEviction: Sendable {
    let client: KubeClient
    let context: ExecutionContext
    let every: Duration
    let place: Place
    let verb: String

    init(_ inv: Invocation, client: KubeClient) {
        self.client = client
        context = inv.context
        every = inv.duration(defaulted: "every")
        place = .source(inv.location)
        verb = inv.spec.name
    }

    /// Evicts `pods` and waits until they are gone; what failed, by `Pod.key` (interruption is thrown).
    func evictAll(_ pods: [DrainPlan.Pod], from node: String, within deadline: Deadline) throws -> [String: HLSError] {
        let late = "\(node) was not drained within \((deadline.budget ?? .zero).text)"
        var pending = pods
        var refusals: [String: String] = [:]
        var evicted: [DrainPlan.Pod] = []
        var failures: [String: HLSError] = [:]
        var poll = Poll(
            "\(pods.count) pod(s) of \(node) to be evicted", timeout: deadline.remaining ?? .zero, every: every,
            cancellation: context.cancellation, at: place,
            hint: "a PodDisruptionBudget allows no disruption now: scale its workload up, or wait and drain again")
        poll.timeoutMessage = late
        do {
            _ = try poll.until(showingOn: context) { () throws -> Poll.Check<Void> in
                for pod in pending {
                    switch try client.tryEviction(
                        pod: pod.name, namespace: pod.namespace, cancellation: context.cancellation)
                    {
                    case .done(let outcome):
                        pending.removeAll { $0.key == pod.key }
                        if outcome == .evicted { evicted.append(pod) }
                    case .refused(let reason, _, _): refusals[pod.key] = reason
                    }
                }
                guard !pending.isEmpty else { return .ready(()) }
                return .pending(pending.map { "\($0.key) refused: \(refusals[$0.key] ?? "")" }.joined(separator: "; "))
            }
        } catch let error as HLSError where error.kind == .timeout {
            for pod in pending {
                failures[pod.key] = HLSError(
                    .timeout, "\(verb): pod \(pod.key) could not be evicted: \(late)", at: place, hint: error.hint,
                    cause: refusals[pod.key].map { "refused: " + $0 })
            }
        }
        for pod in evicted {
            var gone = Poll(
                "pod \(pod.key) to be gone", timeout: deadline.remaining ?? .zero, every: .seconds(1),
                cancellation: context.cancellation, at: place, hint: "is a finalizer holding it? (kube get pod -o yaml)"
            )
            gone.timeoutMessage = "\(verb): pod \(pod.key) was evicted but is still there: \(late)"
            do {
                _ = try KubeObjectWait(client: client, resource: .pods, name: pod.name, namespace: pod.namespace).until(
                    gone, context: context
                ) { object in
                    guard let object, object.string("metadata", "uid") == pod.uid else { return .ready(()) }
                    return .pending("still there (\(object.string("status", "phase") ?? "no phase"), terminating)")
                }
            } catch let error as HLSError where error.kind != .interrupted {
                failures[pod.key] = error
            }
        }
        return failures
    }

    /// Evicts `pods` as `evictAll` does; the first failure is thrown.
    func evict(_ pods: [DrainPlan.Pod], from node: String, within deadline: Deadline) throws {
        let failures = try evictAll(pods, from: node, within: deadline)
        if let first = pods.lazy.compactMap({ failures[$0.key] }).first { throw first }
    }
}
