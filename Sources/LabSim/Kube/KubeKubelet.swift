import HLSCore

/// The kubelets of the registered nodes, as far as pods go: a pod bound to a node whose kubelet
/// posts Ready is started shortly after (on the controllers' loop, as a real kubelet acts after
/// the write): its containers run, it turns Running and Ready, the kubelet records `Created`
/// and `Started` for each container, and each container's log gets a first line, so there is
/// something to read. Pods get their node from the simulated scheduler (`SimulatedScheduler`).
extension KubeAPI {
    /// Starts what waits to run, after a write to pods or nodes.
    func kubeletPass(after type: KubeResourceType) {
        guard type.group.isEmpty, type.plural == "pods" || type.plural == "nodes" else { return }
        controllers.execute { [self] in store.transact { $0.runBoundPods() } }
    }
}

extension KubeStoreState {
    /// The kubelet stopping a pod that left the store, however it went: `Killing` for each
    /// running container (refused, as any write, in a terminating namespace), its logs
    /// forgotten and the streams following them ended.
    mutating func podRemoved(_ pod: Document) {
        recordPodKilled(pod)
        dropLogs(of: pod)
    }

    /// Starts every pod bound to a node with a running kubelet that has not started yet.
    mutating func runBoundPods() {
        for (_, pod) in list(Self.pods, namespace: nil) {
            guard pod.text("status", "phase") == "Pending", pod.at(["status", "containerStatuses"]) == nil,
                pod.at(["metadata", "deletionTimestamp"]) == nil, let nodeName = pod.text("spec", "nodeName"),
                let node = get(Self.nodes, namespace: nil, name: nodeName), Self.kubeletRuns(on: node)
            else { continue }
            start(pod, on: node)
        }
    }

    private mutating func start(_ pod: Document, on node: Document) {
        let now = KubeTime.rfc3339(KubeTime.now())
        let nodeName = node.text("metadata", "name") ?? ""
        let hostIP = Self.internalIP(of: node) ?? ""
        let podCIDR = node.text("spec", "podCIDR") ?? "10.42.0.0/24"
        let podIP = podCIDR.split(separator: ".").prefix(3).joined(separator: ".") + ".\(revision % 250 + 2)"
        let containers = pod.at(["spec", "containers"])?.items ?? []
        func condition(_ type: String) -> Document {
            .object([
                ("type", .string(type)), ("status", .string("True")), ("lastProbeTime", .null),
                ("lastTransitionTime", .string(now)),
            ])
        }
        let statuses = containers.map { container -> Document in
            .object([
                ("name", .string(container.text("name") ?? "")),
                ("state", .object([("running", .object([("startedAt", .string(now))]))])),
                ("lastState", .object([])), ("ready", .bool(true)), ("restartCount", .int(0)),
                ("image", .string(container.text("image") ?? "")), ("imageID", .string("")),
                ("containerID", .string("containerd://" + String(KubeIDs.uid().filter { $0 != "-" }))),
                ("started", .bool(true)),
            ])
        }
        var running = pod
        var status = pod["status"] ?? .object([])
        status.set("phase", .string("Running"))
        status.set(
            "conditions",
            .array(
                ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition))
        )
        status.set("hostIP", .string(hostIP))
        status.set("hostIPs", .array([.object([("ip", .string(hostIP))])]))
        status.set("podIP", .string(podIP))
        status.set("podIPs", .array([.object([("ip", .string(podIP))])]))
        status.set("startTime", .string(now))
        status.set("containerStatuses", .array(statuses))
        running.set("status", status)
        let stored = put(Self.pods, running, event: "MODIFIED", old: pod)
        let namespace = pod.text("metadata", "namespace") ?? "default"
        let name = pod.text("metadata", "name") ?? ""
        for container in containers {
            guard let containerName = container.text("name") else { continue }
            let reference = KubeObjectReference.to(stored, kind: "Pod", fieldPath: "spec.containers{\(containerName)}")
            recordEvent(
                about: reference, reason: "Created", message: "Created container: \(containerName)",
                source: .kubelet(nodeName))
            recordEvent(
                about: reference, reason: "Started", message: "Started container \(containerName)",
                source: .kubelet(nodeName))
            appendLog(
                namespace: namespace, pod: name, container: containerName,
                "hlsh-sim: container \(containerName) started (image \(container.text("image") ?? ""))")
        }
    }
}
