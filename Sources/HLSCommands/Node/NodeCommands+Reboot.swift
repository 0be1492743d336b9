import HLSCore
import HLSLanguage
import HLSTransport
import Kube
import Remote
import Synchronization

/// `node reboot`: each node in turn is cordoned and drained, rebooted over SSH, watched until its
/// Kubernetes Node is Ready with a new boot id, and uncordoned — one node at a time, so the
/// workloads always have somewhere to run.
extension NodeCommands {
    static let reboot = CommandSpec(
        ["node", "reboot"],
        summary: "Drain Kubernetes nodes, reboot them over SSH, uncordon them once Ready: one at a time",
        discussion: """
            For each node in turn: cordon it, evict its pods as node drain does (the same flags; --timeout \
            bounds the drain of a node), reboot it over SSH (sudo systemctl reboot, detached a second later, \
            so the connection dropping as the machine goes down once the command was accepted is expected; \
            any other SSH error, or the command not returning within 30 s, stops the run), watch its Kubernetes Node \
            until it reports a new boot id and is Ready again (up to --wait), then uncordon it — only when \
            this run (or the stopped run it finishes) cordoned it: a node cordoned before stays cordoned. The \
            next node starts only once the one before is back; a node that does not come back stops the run \
            and stays cordoned. Before rebooting, the Node's boot id is recorded in its annotation \
            hlsh.dev/reboot-from-boot-id (and hlsh.dev/reboot-cordoned when the run cordoned it), as kured \
            records its lock: running it again skips the reboot of a node whose boot id has changed since \
            (it waits for it Ready, uncordons it if a run cordoned it) and reboots the others; both \
            annotations are removed once the node is done. Rebooting the only control plane warns that the \
            Kubernetes API goes with it; the wait rides out the API being away.
            """,
        positionals: [clusterTargets],
        flags: drainFlags + [
            Flag(
                "wait", .duration, "give up when a node is not back Ready after this long",
                default: .duration(.seconds(600))),
            contextFlag, acceptNewFlag,
        ],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [
            Example("node reboot agents", "drain, reboot and uncordon each worker in turn", needsLab: true)
        ],
        idempotent: false, implementation: .mutation(rebootPlan))

    /// Reboots the machine a second after the command returns, so the SSH session ends cleanly
    /// before the connection drops (`systemctl reboot` run in the session itself would cut it).
    static let rebootCommand = "sudo -n sh -c 'nohup sh -c \"sleep 1; systemctl reboot\" >/dev/null 2>&1 &'"

    /// How long the reboot command may take to return (it returns at once, the reboot detached):
    /// 30 s, or --wait when shorter.
    static let rebootCommandTimeout = Duration.seconds(30)

    private static func rebootPlan(_ inv: Invocation) throws -> ChangePlan {
        let client = try kubeClient(inv)
        let nodes = try clusterNodes(inv, client: client)
        let eviction = PodEviction(inv, client: client)
        let service = try NodeService.of(inv)
        let (timeout, wait) = (inv.duration(defaulted: "timeout"), inv.duration(defaulted: "wait"))
        let acceptNew = inv.flag("accept-new")
        var changes: [Change] = []
        for node in nodes {
            try warnIfOnlyControlPlane(node, inv, client: client)
            // A run cordoned it (this one, or one that stopped before finishing): uncordoned at the end.
            let cordonedByRun = !node.unschedulable || node.annotations[cordonedAnnotation] == "true"
            let recorded = node.annotations[bootIDAnnotation] ?? ""
            if !recorded.isEmpty, !node.bootID.isEmpty, recorded != node.bootID {
                // An earlier run rebooted it and stopped before it was back: only finish.
                changes.append(waitChange(node.name, from: { recorded }, within: wait, inv, client: client))
                changes.append(finishChange(node.name, uncordon: cordonedByRun, client: client))
                continue
            }
            // Refuses before anything changes; the pods are listed again when the node's turn comes
            // (the nodes drained before may have sent it some).
            let planned = try drainPlan(of: node, inv, client: client)
            let target = try sshTarget(of: node, inv)
            if !node.unschedulable {
                changes.append(
                    schedulingChange(
                        node.name, unschedulable: true, annotations: [(cordonedAnnotation, .string("true"))],
                        client: client))
            }
            let pods = planned.evict.map(\.key)
            changes.append(
                Change(
                    target: node.name, action: "drain",
                    detail: pods.isEmpty ? "no pods to evict now" : "evict " + pods.joined(separator: ", ")
                ) { _ in
                    let pods = try drainPlan(of: node, inv, client: client).evict
                    try eviction.evict(pods, from: node.name, within: Deadline(after: timeout))
                })
            let bootBefore = Mutex<String>("")
            changes.append(
                Change(target: node.name, action: "reboot", detail: "sudo systemctl reboot over SSH (\(target.name))") {
                    cancellation in
                    let before = ClusterNode(try client.get(.nodes, node.name, cancellation: cancellation)).bootID
                    bootBefore.withLock { $0 = before }
                    // Reachable and logged in first: a node SSH cannot reach fails here, not after --wait.
                    let session = try service.connections.session(
                        for: target, cancellation: cancellation, acceptNew: acceptNew)
                    try client.mergePatch(
                        .nodes, node.name,
                        patch: .object([
                            ("metadata", .object([("annotations", .object([(bootIDAnnotation, .string(before))]))]))
                        ]), cancellation: cancellation)
                    let started = Mutex(false)
                    let result: SSHExecResult
                    do throws(HLSError) {
                        result = try session.exec(
                            rebootCommand, cancellation: cancellation, timeout: min(rebootCommandTimeout, wait),
                            onStarted: { started.withLock { $0 = true } })
                    } catch let error where error.kind == .failed && started.withLock({ $0 }) && !session.isConnected {
                        return  // the connection dropped after the command was accepted: the machine went down
                    } catch {
                        var named = error
                        named.message = "cannot reboot \(node.name) over SSH: \(error.message)"
                        throw named
                    }
                    guard result.exitStatus == 0 else {
                        throw inv.failure(
                            "cannot reboot \(node.name) over SSH (exit \(result.exitStatus.map(String.init) ?? "unknown"))",
                            hint: "may its user run sudo without a password?",
                            cause: NodeScriptRunner.lastLines(result.stderrText))
                    }
                })
            changes.append(
                waitChange(node.name, from: { bootBefore.withLock { $0 } }, within: wait, inv, client: client))
            changes.append(finishChange(node.name, uncordon: cordonedByRun, client: client))
        }
        return ChangePlan(changes)
    }

    /// The boot id a node had before `node reboot` rebooted it: a rerun skips the reboot of a node
    /// whose boot id differs (it has rebooted since), as kured's lock annotation does.
    static let bootIDAnnotation = "hlsh.dev/reboot-from-boot-id"
    /// `true` when `node reboot` cordoned the node: it uncordons it once back, even in a rerun.
    static let cordonedAnnotation = "hlsh.dev/reboot-cordoned"

    private static func waitChange(
        _ name: String, from bootID: @escaping @Sendable () -> String, within wait: Duration, _ inv: Invocation,
        client: KubeClient
    ) -> Change {
        Change(target: name, action: "wait", detail: "until Ready with a new boot id (up to \(wait.text))") { _ in
            try waitBack(name, from: bootID(), within: wait, inv, client: client)
        }
    }

    /// The node's last step: uncordoned when a run cordoned it, and its reboot annotations removed.
    private static func finishChange(_ name: String, uncordon: Bool, client: KubeClient) -> Change {
        let annotations: [(key: String, value: Document)] = [(bootIDAnnotation, .null), (cordonedAnnotation, .null)]
        if uncordon { return schedulingChange(name, unschedulable: false, annotations: annotations, client: client) }
        return Change(
            target: name, action: "unmark", detail: "reboot annotations removed; it stays cordoned, as it was before"
        ) { cancellation in
            try client.mergePatch(
                .nodes, name, patch: .object([("metadata", .object([("annotations", .object(annotations))]))]),
                cancellation: cancellation)
        }
    }

    /// How SSH reaches a cluster node: its inventory entry, else its internal address.
    private static func sshTarget(of node: ClusterNode, _ inv: Invocation) throws -> NodeTarget {
        if let lab = try LabState.of(inv.context).lab ?? LabState.loadDefault(inv.context),
            let vm = lab.vm(named: node.name)
        {
            return NodeService.inventoryTarget(vm, lab: lab).target
        }
        guard !node.internalIP.isEmpty else {
            throw inv.failure(
                "\(node.name) is not in the inventory and reports no internal address to reach it over SSH",
                hint: "is the right lab in use (lab use)?")
        }
        return try NodeTarget.adHoc(node.internalIP)
    }

    /// Watches the Node until it is Ready with a boot id other than `bootID` (when the kubelet
    /// reports none: until it was seen not Ready, then Ready). The API going away — the only
    /// control plane rebooting — is waited out within the same time.
    private static func waitBack(
        _ name: String, from bootID: String, within wait: Duration, _ inv: Invocation, client: KubeClient
    ) throws {
        let deadline = Deadline(after: wait)
        var wentDown = false
        while true {
            var poll = Poll(
                "\(name) back from its reboot (Ready, new boot id)", timeout: deadline.remaining ?? .zero,
                every: inv.duration(defaulted: "every"), cancellation: inv.context.cancellation,
                at: .source(inv.location),
                hint: "is it up (vm list, node wait \(name) --for ssh)? does k3s run there (node run \(name) "
                    + "\"systemctl status k3s\")?")
            poll.timeoutMessage = "\(inv.spec.name): \(name) is not back Ready after \(wait.text); it stays cordoned"
            do {
                _ = try KubeObjectWait(client: client, resource: .nodes, name: name).until(poll, context: inv.context) {
                    object -> Poll.Check<Void> in
                    guard let object else { return .pending("not registered in the cluster") }
                    let seen = ClusterNode(object)
                    if !seen.isReady { wentDown = true }
                    if bootID.isEmpty ? !wentDown : seen.bootID == bootID {
                        return .pending("not rebooted yet (\(seen.readyCondition))")
                    }
                    return seen.isReady ? .ready(()) : .pending("rebooting: \(seen.readyCondition)")
                }
                return
            } catch let error as HLSError where error.kind == .failed && !deadline.hasPassed {
                // The API did not answer (its only server is rebooting): again once it may be back.
                inv.context.err("\(inv.spec.name): \(name): \(error.message); trying again\n")
                try inv.context.cancellation.sleep(
                    for: min(poll.every, deadline.remaining ?? .zero), "waiting for \(name)")
            }
        }
    }
}
