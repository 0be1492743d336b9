import HLSCore

/// longhorn-manager's volume controller, with what the engine, replica and CSI attacher do for
/// it: a Volume's `numberOfReplicas` Replicas are placed on distinct schedulable Longhorn nodes
/// (a second replica on one node only with replica-soft-anti-affinity); one that cannot be
/// placed leaves the Scheduled condition False (ReplicaSchedulingFailure). The volume attaches
/// to the node of a pod that uses its claim (state attached, currentNodeID, robustness healthy,
/// degraded with fewer running replicas than asked, faulted with none) and detaches when no
/// pod uses it (robustness unknown). On a node without Longhorn's prerequisites the engine does
/// not start and the pod gets the attacher's FailedAttachVolume; where multipathd claims the
/// device, the volume attaches but the kubelet's mount fails (FailedMount). The instance
/// manager of a node with an attached volume gets a PodDisruptionBudget, so a drain waits.
struct LonghornVolumeController: SimulatedController {
    let root: @Sendable (String) -> String?

    let name = "longhorn-manager"
    let resource = Longhorn.volumes
    let follows = [KubeResourceName.pods, Longhorn.nodes, Longhorn.settings]
    let workload: SimulatedWorkload? = Longhorn.manager

    /// How soon an attached volume (or one failing to attach) is looked at again.
    static let resync = Duration.seconds(2)

    func reconcile(_ volume: Document, client: KubeInProcessClient) -> Duration? {
        guard let name = volume.text("metadata", "name"), volume.at(["metadata", "deletionTimestamp"]) == nil else {
            return nil
        }
        do {
            let again = try sync(volume, name: name, client: client)
            try syncBudgets(client: client)
            return again
        } catch {
            return .seconds(1)
        }
    }

    private func sync(_ volume: Document, name: String, client: KubeInProcessClient) throws -> Duration? {
        let ns = Longhorn.namespace
        let wanted = Self.int(volume.at(["spec", "numberOfReplicas"])) ?? 3
        let size = Int(volume.text("spec", "size") ?? "") ?? 0
        let lhNodes = try client.list(Longhorn.nodes.path(namespace: ns))
        let schedulable = lhNodes.filter { node in
            let conditions = node.at(["status", "conditions"])?.items ?? []
            return Longhorn.holds("Ready", in: conditions) && Longhorn.holds("Schedulable", in: conditions)
                && node.at(["spec", "allowScheduling"]) != .bool(false)
        }.compactMap { $0.text("metadata", "name") }.sorted()
        let soft: Bool =
            switch volume.text("spec", "replicaSoftAntiAffinity") {
            case "enabled": true
            case "disabled": false
            default: Longhorn.setting("replica-soft-anti-affinity", client: client) == "true"
            }

        // Replicas: keep those there are, add what is missing where it may go, drop the extra.
        var replicas = try client.list(Longhorn.replicas.path(namespace: ns), labelSelector: "longhornvolume=\(name)")
            .sorted { ($0.text("metadata", "name") ?? "") < ($1.text("metadata", "name") ?? "") }
        for extra in replicas.dropFirst(wanted) {
            try client.delete(Longhorn.replicas.path(namespace: ns, name: extra.text("metadata", "name")))
        }
        replicas = Array(replicas.prefix(wanted))
        var scheduled = true
        while replicas.count < wanted {
            let used = replicas.compactMap { $0.text("spec", "nodeID") }
            let free = schedulable.filter { !used.contains($0) }
            let node =
                free.first
                ?? (soft
                    ? schedulable.min { a, b in used.filter { $0 == a }.count < used.filter { $0 == b }.count } : nil)
            guard let node else {
                scheduled = false
                break
            }
            replicas.append(
                try createReplica(of: name, size: size, on: node, owner: Self.owner(volume), client: client))
        }

        // Who uses it: the pods of its claim, as the PV's claimRef names it.
        let pv = try client.get(KubeResourceName.persistentVolumes.path(namespace: nil, name: name))
        let claimNamespace = pv?.text("spec", "claimRef", "namespace")
        let claimName = pv?.text("spec", "claimRef", "name")
        var users: [Document] = []
        if let claimNamespace, let claimName {
            users = try client.list(KubeResourceName.pods.path(namespace: claimNamespace)).filter { pod in
                pod.at(["metadata", "deletionTimestamp"]) == nil && pod.text("spec", "nodeName") != nil
                    && !["Succeeded", "Failed"].contains(pod.text("status", "phase") ?? "")
                    && (pod.at(["spec", "volumes"])?.items ?? []).contains {
                        $0.text("persistentVolumeClaim", "claimName") == claimName
                    }
            }
        }
        let target = users.first?.text("spec", "nodeName")
        let failure = target.flatMap { LonghornNodeEnvironment(node: $0, root: root).attachFailure }
        let attachedTo = failure == nil ? target : nil

        // Replica and engine states follow the attachment.
        let lhReady = Set(
            lhNodes.filter { Longhorn.holds("Ready", in: $0.at(["status", "conditions"])?.items ?? []) }
                .compactMap { $0.text("metadata", "name") })
        let faulty = client.api.faults.degradedVolumes.contains(name)
        var running = 0
        for (index, replica) in replicas.enumerated() {
            let node = replica.text("spec", "nodeID") ?? ""
            // A replica whose disk is gone fails on its first I/O: the engine marks it ERR, the
            // volume controller records failedAt and asks it stopped, its instance manager stops it.
            let diskFailed =
                lhNodes.first { $0.text("metadata", "name") == node }.map {
                    !LonghornNodeController.diskReady(replica.text("spec", "diskID") ?? "", of: $0)
                } ?? false
            let failed = !lhReady.contains(node) || (faulty && index == 0) || diskFailed
            let state = attachedTo == nil ? "stopped" : diskFailed ? "stopped" : failed ? "error" : "running"
            if state == "running" { running += 1 }
            let path = Longhorn.replicas.path(namespace: ns, name: replica.text("metadata", "name"))
            if attachedTo != nil {
                try LonghornReplicaFailure.record(failed: failed, replica, at: path, client: client)
            }
            try setInstanceState(path, replica, state: state, node: node, client: client)
        }
        try syncEngine(of: name, size: size, on: attachedTo, owner: Self.owner(volume), client: client)

        // The volume's status.
        let old = volume["status"] ?? .object([])
        var status = old
        let oldConditions = old["conditions"]?.items ?? []
        status.set(
            "conditions",
            .array([
                scheduled
                    ? Longhorn.condition("Scheduled", true, old: oldConditions)
                    : Longhorn.condition(
                        "Scheduled", false, reason: "ReplicaSchedulingFailure", message: "precheck new replica failed",
                        old: oldConditions)
            ]))
        let robustness: String
        if attachedTo == nil {
            robustness = "unknown"
        } else if running == 0 {
            robustness = "faulted"
        } else if running < wanted {
            robustness = "degraded"
        } else {
            robustness = "healthy"
        }
        status.set("state", .string(attachedTo != nil ? "attached" : target != nil ? "attaching" : "detached"))
        status.set("robustness", .string(robustness))
        status.set("currentNodeID", .string(attachedTo ?? ""))
        status.set("ownerID", .string(attachedTo ?? schedulable.first ?? ""))
        status.set("frontendDisabled", .bool(false))
        if attachedTo != nil, Self.int(old["actualSize"]) ?? 0 == 0 {
            // What mkfs.ext4 writes on first use: its metadata, about 1/64 of the device.
            status.set("actualSize", .int(max(4096, size / 64 / 4096 * 4096)))
        } else if old["actualSize"] == nil {
            status.set("actualSize", .int(0))
        }
        if robustness == "degraded", old.text("robustness") != "degraded" {
            status.set("lastDegradedAt", .string(KubeTime.rfc3339(KubeTime.now())))
        }
        status.set("kubernetesStatus", kubernetesStatus(pv: pv, users: users))
        if status != old {
            try client.mergePatch(
                Longhorn.volumes.path(namespace: ns, name: name), .object([("status", status)]), subresource: "status")
        }

        if let target, let pvName = pv?.text("metadata", "name") {
            for pod in users {
                try recordAttachProblems(pod, node: target, pv: pvName, attachFailure: failure, client: client)
            }
        }
        return attachedTo != nil || failure != nil ? Self.resync : nil
    }

    /// The ownerReferences Longhorn gives a volume's replicas and engine, so they go with it.
    static func owner(_ volume: Document) -> Document {
        .array([
            .object([
                ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("Volume")),
                ("name", .string(volume.text("metadata", "name") ?? "")),
                ("uid", .string(volume.text("metadata", "uid") ?? "")),
            ])
        ])
    }

    private func createReplica(
        of volume: String, size: Int, on node: String, owner: Document, client: KubeInProcessClient
    ) throws -> Document {
        let suffix = LonghornNodeController.hash("\(volume)/\(node)/\(KubeTime.now())/\(KubeIDs.uid())").prefix(8)
        let name = "\(volume)-r-\(suffix)"
        return try client.create(
            Longhorn.replicas.path(namespace: Longhorn.namespace),
            .object([
                ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("Replica")),
                (
                    "metadata",
                    .object([
                        ("name", .string(name)), ("namespace", .string(Longhorn.namespace)),
                        ("labels", .object([("longhornnode", .string(node)), ("longhornvolume", .string(volume))])),
                        ("ownerReferences", owner),
                    ])
                ),
                (
                    "spec",
                    .object([
                        ("active", .bool(true)), ("dataEngine", .string("v1")),
                        ("dataDirectoryName", .string("\(volume)-\(suffix)")),
                        ("desireState", .string("stopped")), ("diskID", .string(LonghornNodeController.diskName(node))),
                        ("diskPath", .string("/var/lib/longhorn/")), ("engineName", .string("\(volume)-e-0")),
                        ("failedAt", .string("")), ("healthyAt", .string("")), ("nodeID", .string(node)),
                        ("volumeName", .string(volume)), ("volumeSize", .string(String(size))),
                    ])
                ),
            ]))
    }

    /// The volume's engine, on the node it is attached to (stopped when detached).
    private func syncEngine(
        of volume: String, size: Int, on node: String?, owner: Document, client: KubeInProcessClient
    ) throws {
        let path = Longhorn.engines.path(namespace: Longhorn.namespace, name: "\(volume)-e-0")
        var engine = try client.get(path)
        if engine == nil {
            engine = try client.create(
                Longhorn.engines.path(namespace: Longhorn.namespace),
                .object([
                    ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("Engine")),
                    (
                        "metadata",
                        .object([
                            ("name", .string("\(volume)-e-0")), ("namespace", .string(Longhorn.namespace)),
                            ("labels", .object([("longhornvolume", .string(volume))])),
                            ("ownerReferences", owner),
                        ])
                    ),
                    (
                        "spec",
                        .object([
                            ("active", .bool(true)), ("dataEngine", .string("v1")), ("frontend", .string("blockdev")),
                            ("nodeID", .string("")), ("volumeName", .string(volume)),
                            ("volumeSize", .string(String(size))),
                        ])
                    ),
                ]))
        }
        guard let engine else { return }
        if engine.text("spec", "nodeID") != (node ?? "") {
            try client.mergePatch(path, .object([("spec", .object([("nodeID", .string(node ?? ""))]))]))
        }
        try setInstanceState(path, engine, state: node == nil ? "stopped" : "running", node: node ?? "", client: client)
    }

    /// An engine's or replica's `status.currentState` (and its instance manager), if it changed.
    private func setInstanceState(
        _ path: String, _ instance: Document, state: String, node: String, client: KubeInProcessClient
    ) throws {
        let manager = node.isEmpty || state == "stopped" ? "" : LonghornNodeController.instanceManager(node)
        guard
            instance.text("status", "currentState") != state
                || instance.text("status", "instanceManagerName") != manager
        else { return }
        try client.mergePatch(
            path,
            .object([
                (
                    "status",
                    .object([
                        ("currentState", .string(state)), ("instanceManagerName", .string(manager)),
                        ("started", .bool(state == "running")),
                    ])
                )
            ]), subresource: "status")
    }

    /// `status.kubernetesStatus`: the PV and claim, and the pods using it with their workloads.
    private func kubernetesStatus(pv: Document?, users: [Document]) -> Document {
        let workloads = users.map { pod -> Document in
            let owner = (pod.at(["metadata", "ownerReferences"])?.items ?? []).first
            return .object([
                ("podName", .string(pod.text("metadata", "name") ?? "")),
                ("podStatus", .string(pod.text("status", "phase") ?? "Pending")),
                ("workloadName", .string(owner?.text("name") ?? "")),
                ("workloadType", .string(owner?.text("kind") ?? "")),
            ])
        }
        return .object([
            ("namespace", .string(pv?.text("spec", "claimRef", "namespace") ?? "")),
            ("pvName", .string(pv?.text("metadata", "name") ?? "")),
            ("pvStatus", .string(pv?.text("status", "phase") ?? "")),
            ("pvcName", .string(pv?.text("spec", "claimRef", "name") ?? "")),
            ("workloadsStatus", .array(workloads)),
        ])
    }

    /// The events a pod gets when its volume cannot attach (the attach-detach controller's
    /// FailedAttachVolume) or attaches to a device multipathd took (the kubelet's FailedMount).
    private func recordAttachProblems(
        _ pod: Document, node: String, pv: String, attachFailure: String?, client: KubeInProcessClient
    ) throws {
        let reference = KubeObjectReference.to(pod, kind: "Pod")
        if let attachFailure {
            client.api.store.transact {
                $0.recordEvent(
                    about: reference, type: "Warning", reason: "FailedAttachVolume",
                    message:
                        "AttachVolume.Attach failed for volume \"\(pv)\" : rpc error: code = Internal desc = \(attachFailure)",
                    source: KubeEventSource(component: "attachdetach-controller"))
            }
        } else if LonghornNodeEnvironment(node: node, root: root).multipathdClaims {
            let device = "/dev/longhorn/\(pv)"
            client.api.store.transact {
                $0.recordEvent(
                    about: reference, type: "Warning", reason: "FailedMount",
                    message:
                        "MountVolume.MountDevice failed for volume \"\(pv)\" : rpc error: code = Internal desc = format of disk \"\(device)\" failed: \(device) is apparently in use by the system; will not make a filesystem here!",
                    source: .kubelet(node))
            }
        }
    }

    /// A PodDisruptionBudget (`minAvailable: 1`, named as the instance manager) for the instance
    /// manager of every node a volume is attached to, and none for the others: evicting it
    /// answers 429 until the volumes there are detached.
    private func syncBudgets(client: KubeInProcessClient) throws {
        let ns = Longhorn.namespace
        let attached = Set(
            try client.list(Longhorn.volumes.path(namespace: ns)).compactMap { volume -> String? in
                guard volume.text("status", "state") == "attached", let node = volume.text("status", "currentNodeID"),
                    !node.isEmpty
                else { return nil }
                return node
            })
        let existing = try client.list(KubeResourceName.podDisruptionBudgets.path(namespace: ns)).compactMap {
            $0.text("metadata", "name")
        }
        .filter { $0.hasPrefix("instance-manager-") }
        let wanted = Dictionary(
            uniqueKeysWithValues: attached.map { (LonghornNodeController.instanceManager($0), $0) })
        for name in existing where wanted[name] == nil {
            try client.delete(KubeResourceName.podDisruptionBudgets.path(namespace: ns, name: name))
        }
        for (name, node) in wanted where !existing.contains(name) {
            try client.create(
                KubeResourceName.podDisruptionBudgets.path(namespace: ns),
                .object([
                    ("apiVersion", .string("policy/v1")), ("kind", .string("PodDisruptionBudget")),
                    ("metadata", .object([("name", .string(name)), ("namespace", .string(ns))])),
                    (
                        "spec",
                        .object([
                            ("minAvailable", .int(1)),
                            (
                                "selector",
                                .object([
                                    (
                                        "matchLabels",
                                        .object([
                                            ("longhorn.io/component", .string("instance-manager")),
                                            ("longhorn.io/node", .string(node)),
                                        ])
                                    )
                                ])
                            ),
                        ])
                    ),
                ]))
        }
    }

    static func int(_ value: Document?) -> Int? {
        switch value {
        case .int(let n): n
        case .string(let s): Int(s)
        default: nil
        }
    }
}
