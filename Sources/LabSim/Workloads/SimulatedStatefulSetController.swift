import HLSCore

/// kube-controller-manager's `statefulset-controller`: pods `<name>-0` … `<name>-(n-1)`, each
/// with the PersistentVolumeClaims of its `volumeClaimTemplates` (`<claim>-<name>-<ordinal>`,
/// made first and kept), created in order, each once the one before runs and is Ready
/// (`OrderedReady`; `Parallel` makes them all at once); scaled down from the highest ordinal;
/// on a template change (RollingUpdate) pods of the old revision at or above the partition are
/// deleted from the highest ordinal down, one at a time once all are Ready. The revision is
/// `<name>-<hash>` (label `controller-revision-hash`). It follows the pods it owns.
struct SimulatedStatefulSetController: SimulatedController {
    let name = "statefulset-controller"
    let resource = KubeResourceName.statefulSets
    let owns = [KubeResourceName.pods]

    static let revisionLabel = "controller-revision-hash"

    func reconcile(_ set: Document, client: KubeInProcessClient) -> Duration? {
        guard set.at(["metadata", "deletionTimestamp"]) == nil else { return nil }
        let namespace = set.text("metadata", "namespace")
        guard let all = KubeWorkloads.pods(in: namespace, client) else { return KubeWorkloads.retry }
        let setName = set.text("metadata", "name") ?? ""
        let template = set.at(["spec", "template"]) ?? .object([])
        let revision = setName + "-" + KubeWorkloads.templateHash(template)
        let replicas = KubeWorkloads.replicas(set)
        let parallel = set.text("spec", "podManagementPolicy") == "Parallel"
        let pods = KubeWorkloads.controlled(all, by: set).filter(KubeWorkloads.isActive)
        var byOrdinal: [Int: Document] = [:]
        for pod in pods {
            guard let podName = pod.text("metadata", "name"), podName.hasPrefix(setName + "-"),
                let ordinal = Int(podName.dropFirst(setName.count + 1))
            else { continue }
            byOrdinal[ordinal] = pod
        }
        let running = (0..<replicas).compactMap { byOrdinal[$0] }
        var created = false
        for ordinal in 0..<replicas {
            if let pod = byOrdinal[ordinal] {
                if !parallel, !KubeAPI.isReady(pod) {
                    return writeStatus(set, pods: running, revision: revision, client)
                }
                continue
            }
            if let retry = create(ordinal, of: set, revision: revision, client) { return retry }
            created = true
            if !parallel { return nil }
        }
        if created { return nil }
        let surplus = byOrdinal.keys.filter { $0 >= replicas }.sorted(by: >)
        if let highest = surplus.first, let pod = byOrdinal[highest] {
            return delete(pod, of: set, client)
        }
        let partition = KubeWorkloads.int(set, "spec", "updateStrategy", "rollingUpdate", "partition") ?? 0
        if set.text("spec", "updateStrategy", "type") != "OnDelete", running.count == replicas,
            running.allSatisfy(KubeAPI.isReady),
            let stale = (partition..<max(partition, replicas)).reversed().compactMap({ byOrdinal[$0] }).first(where: {
                $0.text("metadata", "labels", Self.revisionLabel) != revision
            })
        {
            return delete(stale, of: set, client)
        }
        return writeStatus(set, pods: running, revision: revision, client)
    }

    private func create(_ ordinal: Int, of set: Document, revision: String, _ client: KubeInProcessClient)
        -> Duration?
    {
        let setName = set.text("metadata", "name") ?? ""
        let namespace = set.text("metadata", "namespace")
        let podName = "\(setName)-\(ordinal)"
        var volumes = set.at(["spec", "template", "spec", "volumes"])?.items ?? []
        for claim in set.at(["spec", "volumeClaimTemplates"])?.items ?? [] {
            let claimName = "\(claim.text("metadata", "name") ?? "")-\(podName)"
            var pvc = claim
            pvc.set("apiVersion", .string("v1"))
            pvc.set("kind", .string("PersistentVolumeClaim"))
            pvc.set(["metadata", "name"], .string(claimName))
            pvc.set(["metadata", "namespace"], set["metadata"]?["namespace"])
            var labels = (claim.at(["metadata", "labels"]) ?? .object([])).stringMap
            labels.merge((set.at(["spec", "selector", "matchLabels"]) ?? .object([])).stringMap) { _, new in new }
            pvc.set(["metadata", "labels"], .stringMap(labels))
            pvc.set("status", nil)
            let path = KubeResourceName.persistentVolumeClaims.path(namespace: namespace)
            if (try? client.get(KubeResourceName.persistentVolumeClaims.path(namespace: namespace, name: claimName)))
                ?? nil == nil
            {
                guard (try? client.create(path, pvc)) != nil else { return KubeWorkloads.retry }
                client.recordEvent(
                    about: set, kind: "StatefulSet", reason: "SuccessfulCreate",
                    message: "create Claim \(claimName) Pod \(podName) in StatefulSet \(setName) success")
            }
            volumes.removeAll { $0.text("name") == claim.text("metadata", "name") }
            volumes.append(
                .object([
                    ("name", claim["metadata"]?["name"] ?? .null),
                    ("persistentVolumeClaim", .object([("claimName", .string(claimName))])),
                ]))
        }
        var pod = KubeWorkloads.pod(
            from: set.at(["spec", "template"]) ?? .object([]), owner: set, kind: "StatefulSet",
            labels: [
                Self.revisionLabel: revision, "statefulset.kubernetes.io/pod-name": podName,
                "apps.kubernetes.io/pod-index": String(ordinal),
            ], name: podName)
        pod.set(["spec", "hostname"], .string(podName))
        if let service = set.text("spec", "serviceName"), !service.isEmpty {
            pod.set(["spec", "subdomain"], .string(service))
        }
        if !volumes.isEmpty { pod.set(["spec", "volumes"], .array(volumes)) }
        guard (try? client.create(KubeResourceName.pods.path(namespace: namespace), pod)) != nil else {
            return KubeWorkloads.retry
        }
        client.recordEvent(
            about: set, kind: "StatefulSet", reason: "SuccessfulCreate",
            message: "create Pod \(podName) in StatefulSet \(setName) successful")
        return nil
    }

    private func delete(_ pod: Document, of set: Document, _ client: KubeInProcessClient) -> Duration? {
        guard (try? client.delete(KubeResourceName.pods.path(of: pod))) != nil else {
            return KubeWorkloads.retry
        }
        client.recordEvent(
            about: set, kind: "StatefulSet", reason: "SuccessfulDelete",
            message:
                "delete Pod \(pod.text("metadata", "name") ?? "") in StatefulSet \(set.text("metadata", "name") ?? "") successful"
        )
        return nil
    }

    private func writeStatus(_ set: Document, pods: [Document], revision: String, _ client: KubeInProcessClient)
        -> Duration?
    {
        let minReady = KubeWorkloads.int(set, "spec", "minReadySeconds") ?? 0
        let (available, next) = KubeWorkloads.availability(pods, minReadySeconds: minReady, client.clock)
        let updated = pods.filter { $0.text("metadata", "labels", Self.revisionLabel) == revision }.count
        let ready = pods.filter(KubeAPI.isReady).count
        let done = updated == KubeWorkloads.replicas(set) && ready == updated
        let current = done ? revision : set.text("status", "currentRevision") ?? revision
        let status = KubeWorkloads.status([
            ("observedGeneration", set.at(["metadata", "generation"])), ("replicas", .int(pods.count)),
            ("readyReplicas", KubeWorkloads.count(ready)),
            (
                "currentReplicas",
                KubeWorkloads.count(pods.filter { $0.text("metadata", "labels", Self.revisionLabel) == current }.count)
            ),
            ("updatedReplicas", KubeWorkloads.count(updated)), ("currentRevision", .string(current)),
            ("updateRevision", .string(revision)), ("collisionCount", .int(0)),
            ("availableReplicas", .int(available)),
        ])
        // A pod ready but not yet for minReadySeconds turns available without a change to see.
        return KubeWorkloads.write(status: status, of: set, resource, client) ?? next
    }
}
