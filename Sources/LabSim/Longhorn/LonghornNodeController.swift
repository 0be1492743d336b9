import HLSCore

/// longhorn-manager's node controller: a Longhorn Node (`nodes.longhorn.io`, same name) for each
/// Kubernetes node, with its default disk, and its conditions — Ready and Schedulable from the
/// Kubernetes node (NotReady, cordoned), RequiredPackages, KernelModulesLoaded and Multipathd
/// from the environment check of the node's root tree; its disk's Ready and Schedulable from the
/// disk's presence (`diskStatus`) — and the node's instance manager (an
/// `InstanceManager` and its `instance-manager-…` pod, which the kubelet starts). The
/// environment is looked at again every few seconds, as the manager's monitor polls it.
struct LonghornNodeController: SimulatedController {
    let root: @Sendable (String) -> String?

    let name = "longhorn-manager"
    let resource = KubeResourceName.nodes
    let workload: SimulatedWorkload? = Longhorn.manager

    /// How often the environment check runs again.
    static let recheck = Duration.seconds(2)

    func reconcile(_ node: Document, client: KubeInProcessClient) -> Duration? {
        guard let nodeName = node.text("metadata", "name") else { return nil }
        let path = Longhorn.nodes.path(namespace: Longhorn.namespace, name: nodeName)
        do {
            var stored = try client.get(path)
            if stored == nil {
                stored = try client.create(
                    Longhorn.nodes.path(namespace: Longhorn.namespace),
                    .object([
                        ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("Node")),
                        (
                            "metadata",
                            .object([("name", .string(nodeName)), ("namespace", .string(Longhorn.namespace))])
                        ),
                        (
                            "spec",
                            .object([
                                ("allowScheduling", .bool(true)), ("evictionRequested", .bool(false)),
                                ("tags", .array([])),
                                (
                                    "disks",
                                    .object([
                                        (
                                            Self.diskName(nodeName),
                                            .object([
                                                ("allowScheduling", .bool(true)), ("diskType", .string("filesystem")),
                                                ("evictionRequested", .bool(false)),
                                                ("path", .string("/var/lib/longhorn/")), ("storageReserved", .int(0)),
                                                ("tags", .array([])),
                                            ])
                                        )
                                    ])
                                ),
                            ])
                        ),
                    ]))
            }
            guard let stored else { return Self.recheck }
            let old = stored.at(["status", "conditions"])?.items ?? []
            let conditions =
                Self.kubernetesConditions(node, old: old)
                + LonghornNodeEnvironment(node: nodeName, root: root).conditions(old: old)
            let disks = diskStatus(nodeName, old: stored.at(["status", "diskStatus"]))
            if conditions != old || disks != stored.at(["status", "diskStatus"]) {
                try client.mergePatch(
                    path,
                    .object([("status", .object([("conditions", .array(conditions)), ("diskStatus", disks)]))]),
                    subresource: "status")
            }
            try ensureInstanceManager(nodeName, running: KubeStoreState.kubeletRuns(on: node), client: client)
        } catch {
            return .seconds(1)
        }
        return Self.recheck
    }

    /// The default disk's status: its size and free space as statfs gives them on the node, so a
    /// data disk mounted at /var/lib/longhorn shows, not the OS disk. A disk taken from the VM
    /// (its file system mounted there but dead, `LonghornDiskStat.Probe.deviceGone`) is not Ready, with
    /// the disk monitor's reason and message (controller/monitor/disk_monitor.go: its config file
    /// cannot be read), keeps the sizes last seen and is not Schedulable (node_controller.go).
    func diskStatus(_ nodeName: String, old: Document?) -> Document {
        let name = Self.diskName(nodeName)
        let path = "/var/lib/longhorn/"
        let nodeRoot = root(nodeName)
        let probe = nodeRoot.map { LonghornDiskStat.probe(root: $0, path: path) } ?? .none
        let stat: LonghornDiskStat? = if case .disk(let found) = probe { found } else { nil }
        let gone = probe == .deviceGone
        let previous = old?.at([name, "conditions"])?.items ?? []
        let ready: Document
        if stat != nil {
            ready = Longhorn.condition(
                "Ready", true, message: "Disk \(name)(\(path)) on node \(nodeName) is ready", old: previous)
        } else if gone {
            let file = path + "longhorn-disk.cfg"
            ready = Longhorn.condition(
                "Ready", false, reason: "NoDiskInfo",
                message:
                    "Disk \(name)(\(path)) on node \(nodeName) is not ready: errors: failed to get disk config: "
                    + "failed to read host disk config file longhorn-disk.cfg: failed to read file content of "
                    + "\(file): cannot find file \(file): stat \(file): input/output error",
                old: previous)
        } else {
            ready = Longhorn.condition(
                "Ready", false, reason: "DiskFilesystemChanged",
                message: "Disk \(name)(\(path)) on node \(nodeName) is not ready: cannot get disk stat", old: previous)
        }
        let schedulable = Longhorn.condition(
            "Schedulable", stat != nil, reason: stat == nil ? "DiskNotReady" : "",
            message: stat == nil ? "Disk \(name) (\(path)) on the node \(nodeName) is not ready" : "", old: previous)
        let kept = { (key: String) in gone ? LonghornVolumeController.int(old?.at([name, key])) ?? 0 : 0 }
        return .object([
            (
                name,
                .object([
                    ("conditions", .array([ready, schedulable])), ("diskName", .string(name)),
                    ("diskPath", .string(path)), ("diskType", .string("filesystem")),
                    (
                        "filesystemType",
                        .string(stat?.filesystemType ?? (gone ? old?.text(name, "filesystemType") : nil) ?? "")
                    ),
                    ("instanceManagerName", .string(Self.instanceManager(nodeName))),
                    ("scheduledReplica", .object([])),
                    ("storageAvailable", .int(stat.map { Int($0.storageAvailable) } ?? kept("storageAvailable"))),
                    ("storageMaximum", .int(stat.map { Int($0.storageMaximum) } ?? kept("storageMaximum"))),
                    ("storageScheduled", .int(0)),
                ])
            )
        ])
    }

    /// Whether the Longhorn node `node` has its disk `disk` Ready.
    static func diskReady(_ disk: String, of node: Document) -> Bool {
        Longhorn.holds("Ready", in: node.at(["status", "diskStatus", disk, "conditions"])?.items ?? [])
    }

    /// Ready and Schedulable, from the Kubernetes node.
    static func kubernetesConditions(_ node: Document, old: [Document]) -> [Document] {
        let name = node.text("metadata", "name") ?? ""
        guard KubeStoreState.kubeletRuns(on: node) else {
            let reason =
                (node.at(["status", "conditions"])?.items ?? []).first { $0.text("type") == "Ready" }?.text("reason")
                ?? "Unknown"
            let message = "Kubernetes node \(name) not ready: \(reason)"
            return [
                Longhorn.condition("Ready", false, reason: "KubernetesNodeNotReady", message: message, old: old),
                Longhorn.condition("Schedulable", false, reason: "KubernetesNodeNotReady", message: message, old: old),
            ]
        }
        let cordoned = node.at(["spec", "unschedulable"]) == .bool(true)
        return [
            Longhorn.condition("Ready", true, message: "Node \(name) is ready", old: old),
            cordoned
                ? Longhorn.condition(
                    "Schedulable", false, reason: "KubernetesNodeCordoned", message: "Node \(name) is cordoned",
                    old: old)
                : Longhorn.condition("Schedulable", true, old: old),
        ]
    }

    /// The default disk's name, `default-disk-<hex>` as Longhorn names it from the disk's fsid.
    static func diskName(_ node: String) -> String { "default-disk-" + hash(node).prefix(16) }

    /// The instance manager of a node: `instance-manager-<hash>`.
    static func instanceManager(_ node: String) -> String { "instance-manager-" + hash(node) }

    /// A stable 32-hex-digit hash (FNV-1a, twice) of `text`.
    static func hash(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 7
        }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(a) + hex(b)
    }

    /// The node's InstanceManager and its pod, as the instance manager controller makes them.
    func ensureInstanceManager(_ nodeName: String, running: Bool, client: KubeInProcessClient) throws {
        let imName = Self.instanceManager(nodeName)
        let imPath = Longhorn.instanceManagers.path(namespace: Longhorn.namespace, name: imName)
        let labels = Document.object([
            ("longhorn.io/component", .string("instance-manager")), ("longhorn.io/data-engine", .string("v1")),
            ("longhorn.io/instance-manager-type", .string("aio")),
            ("longhorn.io/managed-by", .string("longhorn-manager")),
            ("longhorn.io/node", .string(nodeName)),
        ])
        if try client.get(imPath) == nil {
            try client.create(
                Longhorn.instanceManagers.path(namespace: Longhorn.namespace),
                .object([
                    ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")),
                    ("kind", .string("InstanceManager")),
                    (
                        "metadata",
                        .object([
                            ("name", .string(imName)), ("namespace", .string(Longhorn.namespace)), ("labels", labels),
                        ])
                    ),
                    (
                        "spec",
                        .object([
                            ("dataEngine", .string("v1")), ("image", .string("longhornio/longhorn-instance-manager")),
                            ("nodeID", .string(nodeName)), ("type", .string("aio")),
                        ])
                    ),
                ]))
        }
        let state = running ? "running" : "unknown"
        if let im = try client.get(imPath), im.text("status", "currentState") != state {
            try client.mergePatch(
                imPath,
                .object([("status", .object([("currentState", .string(state)), ("ownerID", .string(nodeName))]))]),
                subresource: "status")
        }
        let podPath = KubeResourceName.pods.path(namespace: Longhorn.namespace, name: imName)
        if try client.get(podPath) == nil {
            // Owned by its InstanceManager as the controller, as longhorn-manager sets it, so that
            // `kubectl drain` needs no --force for it (only the disruption budget holds it).
            let owner = Document.object([
                ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("InstanceManager")),
                ("name", .string(imName)), ("uid", .string(try client.get(imPath)?.text("metadata", "uid") ?? "")),
                ("controller", .bool(true)), ("blockOwnerDeletion", .bool(true)),
            ])
            try client.create(
                KubeResourceName.pods.path(namespace: Longhorn.namespace),
                .object([
                    ("apiVersion", .string("v1")), ("kind", .string("Pod")),
                    (
                        "metadata",
                        .object([
                            ("name", .string(imName)), ("namespace", .string(Longhorn.namespace)), ("labels", labels),
                            ("ownerReferences", .array([owner])),
                        ])
                    ),
                    (
                        "spec",
                        .object([
                            ("nodeName", .string(nodeName)),
                            ("serviceAccountName", .string("longhorn-service-account")),
                            (
                                "containers",
                                .array([
                                    .object([
                                        ("name", .string("instance-manager")),
                                        ("image", .string("longhornio/longhorn-instance-manager")),
                                    ])
                                ])
                            ),
                        ])
                    ),
                ]))
        }
    }
}
