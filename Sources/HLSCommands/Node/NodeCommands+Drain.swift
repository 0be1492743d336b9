import HLSCore
import HLSLanguage
import Kube
import Synchronization

/// `node drain`: cordon a Kubernetes node, then evict its pods through the eviction API (so
/// PodDisruptionBudgets are honoured) and wait until each is gone, as `kubectl drain` does.
extension NodeCommands {
    static let drain = CommandSpec(
        ["node", "drain"], summary: "Cordon Kubernetes nodes and evict their pods (DaemonSet and mirror pods stay)",
        discussion: """
            Cordons each node, lists its pods (fieldSelector spec.nodeName) and evicts them through policy/v1, \
            then waits until each evicted pod is gone. DaemonSet and mirror pods are left; a pod without \
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
            let deadline = DrainDeadline(timeout)
            for pod in plan.evict {
                changes.append(
                    Change(
                        target: "\(pod.namespace)/\(pod.name)", action: "evict",
                        detail: "from \(node.name)" + (pod.controller.isEmpty ? "" : " (\(pod.controller))")
                    ) { _ in try eviction.evict(pod, from: node.name, within: deadline.started()) })
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

/// The time `--timeout` gives the drain of one node, started by its first eviction and shared by
/// all of them, as kubectl drain's `--timeout` bounds the whole drain.
final class DrainDeadline: Sendable {
    let timeout: Duration
    private let deadline = Mutex<Deadline?>(nil)

    init(_ timeout: Duration) { self.timeout = timeout }

    /// The drain's deadline, started now if nothing started it yet.
    func started() -> Deadline {
        deadline.withLock { deadline in
            if deadline == nil { deadline = Deadline(after: timeout) }
            return deadline!
        }
    }
}

/// One pod's eviction: tried until a budget lets it go (progress with elapsed time while it
/// waits), then watched until the pod is gone (a 404, or a new pod of the same name) — all
/// before the deadline of its node's drain.
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

    func evict(_ pod: DrainPlan.Pod, from node: String, within deadline: Deadline) throws {
        let subject = "pod \(pod.namespace)/\(pod.name)"
        let late = "\(node) was not drained within \((deadline.budget ?? .zero).text)"
        var poll = Poll(
            "\(subject) to be evicted", timeout: deadline.remaining ?? .zero, every: every,
            cancellation: context.cancellation, at: place,
            hint: "a PodDisruptionBudget allows no disruption now: scale its workload up, or wait and drain again")
        poll.timeoutMessage = "\(verb): \(subject) could not be evicted: \(late)"
        let outcome = try poll.until(showingOn: context) { () throws -> Poll.Check<KubeEvictionOutcome> in
            switch try client.tryEviction(pod: pod.name, namespace: pod.namespace, cancellation: context.cancellation) {
            case .done(let outcome): return .ready(outcome)
            case .refused(let reason, _, _): return .pending("refused: \(reason)")
            }
        }
        guard outcome.value == .evicted else { return }
        var gone = Poll(
            "\(subject) to be gone", timeout: deadline.remaining ?? .zero, every: .seconds(1),
            cancellation: context.cancellation, at: place, hint: "is a finalizer holding it? (kube get pod -o yaml)")
        gone.timeoutMessage = "\(verb): \(subject) was evicted but is still there: \(late)"
        _ = try KubeObjectWait(client: client, resource: .pods, name: pod.name, namespace: pod.namespace).until(
            gone, context: context
        ) { object in
            guard let object, object.string("metadata", "uid") == pod.uid else { return .ready(()) }
            return .pending("still there (\(object.string("status", "phase") ?? "no phase"), terminating)")
        }
    }
}
