import HLSCore

/// k3s's embedded kube-scheduler (`default-scheduler`): binds each new pod that names no node
/// (and this scheduler) through `pods/NAME/binding` to a node that passes the filters
/// (`KubeScheduling`), the one running the fewest pods (then by name), and records `Scheduled`;
/// when none fits, it sets the pod's PodScheduled condition False (Unschedulable) and records
/// `FailedScheduling` with the scheduler's message. Before the nodes, VolumeBinding's PreFilter:
/// a pod whose PersistentVolumeClaim is missing, or unbound with an immediate-binding class, is
/// not scheduled at all. It follows the nodes and the claims, so a pending pod is tried again
/// when one changes. A bound pod stays where it is.
struct SimulatedScheduler: SimulatedController {
    let name = "default-scheduler"
    let resource = KubeResourceName.pods
    let follows = [KubeResourceName.nodes, KubeResourceName.persistentVolumeClaims]

    func reconcile(_ pod: Document, client: KubeInProcessClient) -> Duration? {
        guard pod.text("spec", "nodeName") == nil, pod.at(["metadata", "deletionTimestamp"]) == nil,
            (pod.text("spec", "schedulerName") ?? name) == name, pod.text("status", "phase") == "Pending"
        else { return nil }
        guard let nodes = try? client.list(KubeResourceName.nodes.path(namespace: nil)),
            let pods = KubeWorkloads.pods(in: nil, client)
        else { return KubeWorkloads.retry }
        var reasons: [String] = []
        var fits: [String] = []
        let preFilter = unboundClaim(pod, client)
        for node in nodes where preFilter == nil {
            if let reason = KubeScheduling.reason(pod, on: node) {
                reasons.append(reason)
            } else if let nodeName = node.text("metadata", "name") {
                fits.append(nodeName)
            }
        }
        let path = resource.path(of: pod)
        let namespace = pod.text("metadata", "namespace") ?? "default"
        let podName = pod.text("metadata", "name") ?? ""
        let load = Dictionary(grouping: pods.filter(KubeWorkloads.isActive).compactMap { $0.text("spec", "nodeName") })
        {
            $0
        }
        guard let chosen = fits.min(by: { (load[$0]?.count ?? 0, $0) < (load[$1]?.count ?? 0, $1) }) else {
            let message = KubeScheduling.failure(reasons, nodes: nodes.count, preFilter: preFilter)
            var conditions = pod.at(["status", "conditions"])?.items ?? []
            if conditions.contains(where: { $0.text("type") == "PodScheduled" && $0.text("message") == message }) {
                return nil
            }
            conditions.removeAll { $0.text("type") == "PodScheduled" }
            conditions.append(
                .object([
                    ("type", .string("PodScheduled")), ("status", .string("False")), ("lastProbeTime", .null),
                    ("lastTransitionTime", .string(KubeTime.rfc3339(KubeTime.now()))),
                    ("reason", .string("Unschedulable")), ("message", .string(message)),
                ]))
            let patch = Document.object([("status", .object([("conditions", .array(conditions))]))])
            guard let patched = try? client.mergePatch(path, patch, subresource: "status") else {
                return KubeWorkloads.retry
            }
            client.recordEvent(
                about: patched, kind: "Pod", type: "Warning", reason: "FailedScheduling", message: message)
            return nil
        }
        let binding = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("Binding")),
            ("metadata", .object([("name", .string(podName)), ("namespace", .string(namespace))])),
            ("target", .object([("apiVersion", .string("v1")), ("kind", .string("Node")), ("name", .string(chosen))])),
        ])
        guard (try? client.create(path + "/binding", binding)) != nil else { return KubeWorkloads.retry }
        client.recordEvent(
            about: pod, kind: "Pod", reason: "Scheduled",
            message: "Successfully assigned \(namespace)/\(podName) to \(chosen)")
        return nil
    }

    /// VolumeBinding's PreFilter: why the pod's claims keep it from any node (a claim missing, or
    /// unbound while its class binds immediately), nil when they do not.
    private func unboundClaim(_ pod: Document, _ client: KubeInProcessClient) -> String? {
        let namespace = pod.text("metadata", "namespace") ?? "default"
        var unbound = false
        for volume in pod.at(["spec", "volumes"])?.items ?? [] {
            guard let claimName = volume.text("persistentVolumeClaim", "claimName") else { continue }
            let path = KubeResourceName.persistentVolumeClaims.path(namespace: namespace, name: claimName)
            guard let claim = (try? client.get(path)) ?? nil else {
                return "persistentvolumeclaim \"\(claimName)\" not found"
            }
            guard claim.text("spec", "volumeName") == nil else { continue }
            let className = claim.text("spec", "storageClassName") ?? ""
            let storageClass =
                className.isEmpty
                ? nil : (try? client.get(KubeResourceName.storageClasses.path(namespace: nil, name: className))) ?? nil
            if storageClass?.text("volumeBindingMode") != "WaitForFirstConsumer" { unbound = true }
        }
        return unbound ? "pod has unbound immediate PersistentVolumeClaims" : nil
    }
}
