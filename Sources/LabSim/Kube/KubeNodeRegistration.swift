public import HLSCore

/// A Node as a k3s kubelet registers it: what the simulated k3s will pass when its node starts.
public struct KubeNodeRegistration: Sendable {
    public struct Taint: Sendable {
        public var key: String
        public var value: String
        public var effect: String
        public init(key: String, value: String = "", effect: String) {
            self.key = key
            self.value = value
            self.effect = effect
        }
    }

    public var name: String
    public var internalIP: String
    /// A server (control-plane and master roles, as k3s labels them) or an agent (no role).
    public var controlPlane: Bool
    /// The kubelet version, the installed k3s's (`v1.33.4+k3s1`).
    public var version: String
    public var labels: [String: String]
    public var taints: [Taint]
    public var ready: Bool
    /// The machine's boot id (`/proc/sys/kernel/random/boot_id`), new after every reboot.
    public var bootID = ""
    public var osImage = "Ubuntu 24.04.3 LTS"
    public var kernelVersion = "6.8.0-79-generic"
    public var containerRuntime = "containerd://2.0.5-k3s2"

    public init(
        name: String, internalIP: String, controlPlane: Bool, version: String, labels: [String: String] = [:],
        taints: [Taint] = [], ready: Bool = true
    ) {
        self.name = name
        self.internalIP = internalIP
        self.controlPlane = controlPlane
        self.version = version
        self.labels = labels
        self.taints = taints
        self.ready = ready
    }

    /// The Node object's metadata, spec and status.
    func document(index: Int, now: String) -> Document {
        var labels: [String: String] = [
            "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "k3s",
            "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "k3s",
        ]
        if controlPlane {
            labels["node-role.kubernetes.io/control-plane"] = "true"
            labels["node-role.kubernetes.io/master"] = "true"
        }
        labels.merge(self.labels) { $1 }
        var spec: [(key: String, value: Document)] = [
            ("podCIDR", .string("10.42.\(index).0/24")), ("podCIDRs", .array([.string("10.42.\(index).0/24")])),
            ("providerID", .string("k3s://\(name)")),
        ]
        if !taints.isEmpty {
            spec.append(
                (
                    "taints",
                    .array(
                        taints.map {
                            var t: [(key: String, value: Document)] = [("key", .string($0.key))]
                            if !$0.value.isEmpty { t.append(("value", .string($0.value))) }
                            t.append(("effect", .string($0.effect)))
                            return .object(t)
                        })
                ))
        }
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> Document {
            .object([
                ("type", .string(type)), ("status", .string(status)), ("lastHeartbeatTime", .string(now)),
                ("lastTransitionTime", .string(now)), ("reason", .string(reason)), ("message", .string(message)),
            ])
        }
        let resources = Document.object([
            ("cpu", .string("2")), ("ephemeral-storage", .string("30787492Ki")), ("memory", .string("4005788Ki")),
            ("pods", .string("110")),
        ])
        let status = Document.object([
            ("capacity", resources), ("allocatable", resources),
            (
                "conditions",
                .array([
                    condition(
                        "MemoryPressure", "False", "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    condition(
                        "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ready
                        ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                        : condition("Ready", "False", "KubeletNotReady", "container runtime network not ready"),
                ])
            ),
            (
                "addresses",
                .array([
                    .object([("type", .string("InternalIP")), ("address", .string(internalIP))]),
                    .object([("type", .string("Hostname")), ("address", .string(name))]),
                ])
            ),
            ("daemonEndpoints", .object([("kubeletEndpoint", .object([("Port", .int(10250))]))])),
            (
                "nodeInfo",
                .object([
                    ("machineID", .string("")), ("systemUUID", .string("")), ("bootID", .string(bootID)),
                    ("kernelVersion", .string(kernelVersion)), ("osImage", .string(osImage)),
                    ("containerRuntimeVersion", .string(containerRuntime)), ("kubeletVersion", .string(version)),
                    ("kubeProxyVersion", .string(version)), ("operatingSystem", .string("linux")),
                    ("architecture", .string("amd64")),
                ])
            ),
        ])
        return .object([
            ("apiVersion", .string("v1")), ("kind", .string("Node")),
            (
                "metadata",
                .object([
                    ("name", .string(name)), ("labels", .stringMap(labels)),
                    (
                        "annotations",
                        .object([
                            ("node.alpha.kubernetes.io/ttl", .string("0")),
                            ("volumes.kubernetes.io/controller-managed-attach-detach", .string("true")),
                        ])
                    ),
                ])
            ),
            ("spec", .object(spec)), ("status", status),
        ])
    }
}

extension KubeAPI {
    /// Registers (or re-registers) a node as its kubelet would, keeping its uid and cordon.
    func register(_ node: KubeNodeRegistration) throws(KubeStatus) {
        try store.transact { (state: inout KubeStoreState) throws(KubeStatus) in
            let type = KubeStoreState.nodes
            let count = state.list(type, namespace: nil).count
            let now = KubeTime.rfc3339(KubeTime.now())
            if let existing = state.get(type, namespace: nil, name: node.name) {
                var object = node.document(index: count, now: now)
                for key in ["uid", "creationTimestamp", "resourceVersion", "managedFields"] {
                    object.set(["metadata", key], existing.at(["metadata", key]))
                }
                for key in ["unschedulable", "podCIDR", "podCIDRs"] {
                    object.set(["spec", key], existing.at(["spec", key]))
                }
                KubeManagedFields.recordUpdate(
                    old: existing, new: &object, manager: "k3s", type: type, subresource: nil)
                let stored = state.put(type, object, event: "MODIFIED", old: existing)
                state.recordKubeletStart(
                    stored, new: false, ready: node.ready,
                    oldBootID: existing.text("status", "nodeInfo", "bootID") ?? "")
            } else {
                let created = try state.create(
                    type, node.document(index: count, now: now), namespace: nil, manager: .update("k3s"))
                state.recordKubeletStart(created, new: true, ready: node.ready)
            }
        }
        kubeletPass(after: KubeStoreState.nodes)
    }

    /// Sets a node's Ready condition, as its kubelet stopping or starting would.
    func setNodeReady(_ name: String, _ ready: Bool) throws(KubeStatus) {
        try store.transact { (state: inout KubeStoreState) throws(KubeStatus) in
            let type = KubeStoreState.nodes
            guard let existing = state.get(type, namespace: nil, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            var node = existing
            let conditions = (node.at(["status", "conditions"])?.items ?? []).map { condition -> Document in
                guard condition.text("type") == "Ready" else { return condition }
                var c = condition
                c.set("status", .string(ready ? "True" : "Unknown"))
                c.set("reason", .string(ready ? "KubeletReady" : "NodeStatusUnknown"))
                c.set(
                    "message",
                    .string(ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status."))
                c.set("lastTransitionTime", .string(KubeTime.rfc3339(KubeTime.now())))
                return c
            }
            node.set(["status", "conditions"], .array(conditions))
            let stored = state.put(type, node, event: "MODIFIED", old: existing)
            guard KubeStoreState.kubeletRuns(on: existing) != ready else { return }
            if ready { state.recordNodeStatus(name, "NodeReady") } else { state.recordNodeLost(stored) }
        }
        kubeletPass(after: KubeStoreState.nodes)
    }
}
