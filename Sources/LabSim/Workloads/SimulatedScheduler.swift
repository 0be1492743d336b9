import HLSCore

/// k3s's embedded kube-scheduler (`default-scheduler`): binds each new pod that names no node
/// (and this scheduler) through `pods/NAME/binding` to a node that passes the filters
/// (`KubeScheduling`), the one running the fewest pods (then by name), and records `Scheduled`;
/// when none fits, it sets the pod's PodScheduled condition False (Unschedulable) and records
/// `FailedScheduling` with the scheduler's message. It follows the nodes, so a pending pod is
/// tried again when one changes. A bound pod stays where it is.
struct SimulatedScheduler: SimulatedController {
    let name = "default-scheduler"
    let resource = KubeResourceName.pods
    let follows = [KubeResourceName.nodes]

    func reconcile(_ pod: Document, client: KubeInProcessClient) -> Duration? {
        guard pod.text("spec", "nodeName") == nil, pod.at(["metadata", "deletionTimestamp"]) == nil,
            (pod.text("spec", "schedulerName") ?? name) == name, pod.text("status", "phase") == "Pending"
        else { return nil }
        guard let nodes = try? client.list(KubeResourceName.nodes.path(namespace: nil)),
            let pods = KubeWorkloads.pods(in: nil, client)
        else { return KubeWorkloads.retry }
        var reasons: [String] = []
        var fits: [String] = []
        for node in nodes {
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
            let message = KubeScheduling.failure(reasons, nodes: nodes.count)
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
}
