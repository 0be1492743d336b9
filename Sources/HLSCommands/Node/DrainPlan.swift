import HLSCore

/// What `node drain` does with each pod on a node, decided as `kubectl drain` decides it: mirror
/// pods (the kubelet's static pods) and DaemonSet pods stay, finished pods may go, a pod with no
/// controller needs `--force` (nothing recreates it), one with emptyDir volumes needs
/// `--delete-emptydir-data` (their data is lost).
struct DrainPlan {
    struct Pod {
        let namespace: String
        let name: String
        let uid: String
        /// `ReplicaSet web`, or empty.
        let controller: String

        /// `namespace/name`.
        var key: String { "\(namespace)/\(name)" }
    }

    /// The pods to evict, in the order listed.
    var evict: [Pod] = []
    /// Pods left alone and why: `default/cilium-x: DaemonSet-controlled`.
    var skipped: [(pod: Pod, why: String)] = []
    /// Pods that stop the drain and why, unless flags allow them.
    var refused: [(pod: Pod, why: String)] = []

    init(pods: [Document], force: Bool, deleteEmptyDirData: Bool) {
        for document in pods {
            let owner = document.at("metadata", "ownerReferences")?.elements.first {
                $0["controller"] == .bool(true)
            }
            let kind = owner?.string("kind") ?? ""
            let pod = Pod(
                namespace: document.string("metadata", "namespace") ?? "default",
                name: document.string("metadata", "name") ?? "", uid: document.string("metadata", "uid") ?? "",
                controller: owner.map { "\(kind) \($0.string("name") ?? "")" } ?? "")
            let phase = document.string("status", "phase") ?? ""
            let finished = phase == "Succeeded" || phase == "Failed"
            if document.at("metadata", "annotations", "kubernetes.io/config.mirror") != nil {
                skipped.append((pod, "mirror pod (the kubelet's static pod)"))
            } else if kind == "DaemonSet", !finished {
                skipped.append((pod, "DaemonSet-controlled (\(pod.controller))"))
            } else if owner == nil, !finished, !force {
                refused.append((pod, "has no controller, so nothing recreates it (--force evicts it anyway)"))
            } else if !deleteEmptyDirData,
                (document.at("spec", "volumes")?.elements ?? []).contains(where: { $0["emptyDir"] != nil })
            {
                refused.append((pod, "uses emptyDir volumes, whose data is lost (--delete-emptydir-data)"))
            } else {
                evict.append(pod)
            }
        }
    }
}
