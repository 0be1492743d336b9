import HLSCore

/// kube-controller-manager's `deployment-controller`, with a simple rollout: the ReplicaSet of
/// the current template, `<deploy>-<pod-template-hash>` (the hash also as a label, selector and
/// template label), is scaled to `spec.replicas`; once it has them all available, older
/// ReplicaSets are scaled to 0 (`Recreate` scales them to 0 first). Each scaling is a
/// `ScalingReplicaSet` event, each new ReplicaSet a revision. The status is written as the real
/// controller computes it, with the `Available` and `Progressing` conditions; the progress
/// deadline is not watched. It follows the ReplicaSets it owns.
struct SimulatedDeploymentController: SimulatedController {
    let name = "deployment-controller"
    let resource = KubeResourceName.deployments
    let owns = [KubeResourceName.replicaSets]

    static let hashLabel = "pod-template-hash"
    static let revision = "deployment.kubernetes.io/revision"

    func reconcile(_ deployment: Document, client: KubeInProcessClient) -> Duration? {
        guard deployment.at(["metadata", "deletionTimestamp"]) == nil else { return nil }
        let namespace = deployment.text("metadata", "namespace")
        guard let listed = try? client.list(KubeResourceName.replicaSets.path(namespace: namespace)) else {
            return KubeWorkloads.retry
        }
        if let adopted = adopt(listed, by: deployment, client) { return adopted }
        let sets = KubeWorkloads.controlled(listed, by: deployment)
        let template = deployment.at(["spec", "template"]) ?? .object([])
        let hash = KubeWorkloads.templateHash(
            template, collisionCount: KubeWorkloads.int(deployment, "status", "collisionCount") ?? 0)
        let current = sets.first { $0.text("metadata", "labels", Self.hashLabel) == hash }
        let old = sets.filter { $0.text("metadata", "labels", Self.hashLabel) != hash }
        let desired = KubeWorkloads.replicas(deployment)
        let revisions = old.map { Int($0.text("metadata", "annotations", Self.revision) ?? "") ?? 0 }
        let recreate = deployment.text("spec", "strategy", "type") == "Recreate"

        guard let current else {
            if recreate, old.contains(where: { KubeWorkloads.replicas($0) > 0 || Self.actual($0) > 0 }) {
                return scaleDown(old, deployment, client)
            }
            return create(deployment, hash: hash, revision: (revisions.max() ?? 0) + 1, client)
        }
        if KubeWorkloads.replicas(current) != desired {
            return scale(current, to: desired, deployment, client)
        }
        let newAvailable = KubeWorkloads.int(current, "status", "availableReplicas") ?? 0
        if newAvailable >= desired, old.contains(where: { KubeWorkloads.replicas($0) > 0 }) {
            return scaleDown(old, deployment, client)
        }
        let revision = current.text("metadata", "annotations", Self.revision) ?? ""
        if deployment.text("metadata", "annotations", Self.revision) != revision {
            let patch = Document.object([
                ("metadata", .object([("annotations", .object([(Self.revision, .string(revision))]))]))
            ])
            guard (try? client.mergePatch(resource.path(of: deployment), patch)) != nil else {
                return KubeWorkloads.retry
            }
            return nil
        }
        return writeStatus(deployment, current: current, all: sets, client)
    }

    /// Adopts ReplicaSets that no controller owns and the selector matches (`ClaimReplicaSets`),
    /// such as those an orphaning delete left: nil when there were none, else when to look again.
    private func adopt(_ sets: [Document], by deployment: Document, _ client: KubeInProcessClient) -> Duration?? {
        let selector = KubeLabelSelector(object: deployment.at(["spec", "selector"]) ?? .object([]))
        let orphans = sets.filter { set in
            !(set.at(["metadata", "ownerReferences"])?.items ?? []).contains { $0.at(["controller"]) == .bool(true) }
                && selector.matches((set.at(["metadata", "labels"]) ?? .object([])).stringMap)
        }
        guard !orphans.isEmpty, !(deployment.at(["spec", "selector"])?.pairs.isEmpty ?? true) else { return nil }
        for set in orphans {
            let references =
                (set.at(["metadata", "ownerReferences"])?.items ?? [])
                + [KubeWorkloads.controllerReference(to: deployment, kind: "Deployment")]
            let patch = Document.object([("metadata", .object([("ownerReferences", .array(references))]))])
            guard (try? client.mergePatch(KubeResourceName.replicaSets.path(of: set), patch)) != nil else {
                return .some(KubeWorkloads.retry)
            }
        }
        return .some(nil)
    }

    private static func actual(_ set: Document) -> Int { KubeWorkloads.int(set, "status", "replicas") ?? 0 }

    private func create(_ deployment: Document, hash: String, revision: Int, _ client: KubeInProcessClient)
        -> Duration?
    {
        let name = (deployment.text("metadata", "name") ?? "") + "-" + hash
        let desired = KubeWorkloads.replicas(deployment)
        var template = deployment.at(["spec", "template"]) ?? .object([])
        template.set(["metadata", "labels", Self.hashLabel], .string(hash))
        var selector = deployment.at(["spec", "selector"]) ?? .object([])
        selector.set(["matchLabels", Self.hashLabel], .string(hash))
        var labels = (template.at(["metadata", "labels"]) ?? .object([])).stringMap
        labels[Self.hashLabel] = hash
        let surge = Self.resolve(deployment.at(["spec", "strategy", "rollingUpdate", "maxSurge"]), desired, up: true)
        let set = Document.object([
            ("apiVersion", .string("apps/v1")), ("kind", .string("ReplicaSet")),
            (
                "metadata",
                .object([
                    ("name", .string(name)), ("namespace", deployment["metadata"]?["namespace"] ?? .null),
                    ("labels", .stringMap(labels)),
                    (
                        "annotations",
                        .stringMap([
                            "deployment.kubernetes.io/desired-replicas": String(desired),
                            "deployment.kubernetes.io/max-replicas": String(desired + surge),
                            Self.revision: String(revision),
                        ])
                    ),
                    (
                        "ownerReferences",
                        .array([KubeWorkloads.controllerReference(to: deployment, kind: "Deployment")])
                    ),
                ])
            ),
            (
                "spec",
                .object(
                    [("replicas", .int(desired))]
                        + (deployment.at(["spec", "minReadySeconds"]).map { [("minReadySeconds", $0)] } ?? [])
                        + [("selector", selector), ("template", template)])
            ),
        ])
        let path = KubeResourceName.replicaSets.path(namespace: deployment.text("metadata", "namespace"))
        guard (try? client.create(path, set)) != nil else { return KubeWorkloads.retry }
        client.recordEvent(
            about: deployment, kind: "Deployment", reason: "ScalingReplicaSet",
            message: "Scaled up replica set \(name) from 0 to \(desired)")
        return nil
    }

    private func scale(_ set: Document, to count: Int, _ deployment: Document, _ client: KubeInProcessClient)
        -> Duration?
    {
        let from = KubeWorkloads.replicas(set)
        let patch = Document.object([
            (
                "metadata",
                .object([
                    ("annotations", .object([("deployment.kubernetes.io/desired-replicas", .string(String(count)))]))
                ])
            ),
            ("spec", .object([("replicas", .int(count))])),
        ])
        guard (try? client.mergePatch(KubeResourceName.replicaSets.path(of: set), patch)) != nil else {
            return KubeWorkloads.retry
        }
        client.recordEvent(
            about: deployment, kind: "Deployment", reason: "ScalingReplicaSet",
            message: "Scaled \(count > from ? "up" : "down") replica set \(set.text("metadata", "name") ?? "") "
                + "from \(from) to \(count)")
        return nil
    }

    private func scaleDown(_ sets: [Document], _ deployment: Document, _ client: KubeInProcessClient) -> Duration? {
        for set in sets where KubeWorkloads.replicas(set) > 0 {
            if let retry = scale(set, to: 0, deployment, client) { return retry }
        }
        return nil
    }

    private func writeStatus(_ deployment: Document, current: Document, all: [Document], _ client: KubeInProcessClient)
        -> Duration?
    {
        func sum(_ field: String) -> Int { all.reduce(0) { $0 + (KubeWorkloads.int($1, "status", field) ?? 0) } }
        let desired = KubeWorkloads.replicas(deployment)
        let specTotal = all.reduce(0) { $0 + KubeWorkloads.replicas($1) }
        let available = sum("availableReplicas")
        let replicas = sum("replicas")
        let updated = Self.actual(current)
        let name = current.text("metadata", "name") ?? ""
        let maxUnavailable = Self.resolve(
            deployment.at(["spec", "strategy", "rollingUpdate", "maxUnavailable"]), desired, up: false)
        let minimum = deployment.text("spec", "strategy", "type") == "Recreate" ? desired : desired - maxUnavailable
        var conditions = deployment.at(["status", "conditions"])?.items ?? []
        let complete =
            updated == desired && replicas == desired && available == desired
            && KubeWorkloads.int(current, "status", "observedGeneration")
                == KubeWorkloads.int(
                    current, "metadata", "generation")
        let fresh = conditions.isEmpty
        conditions = KubeWorkloads.setting(
            conditions, type: "Available", status: available >= minimum,
            reason: available >= minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            message: available >= minimum
                ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
            updateTime: true)
        conditions = KubeWorkloads.setting(
            conditions, type: "Progressing", status: true,
            reason: complete ? "NewReplicaSetAvailable" : fresh ? "NewReplicaSetCreated" : "ReplicaSetUpdated",
            message: complete
                ? "ReplicaSet \"\(name)\" has successfully progressed."
                : fresh ? "Created new replica set \"\(name)\"" : "ReplicaSet \"\(name)\" is progressing.",
            updateTime: true)
        let status = KubeWorkloads.status([
            ("observedGeneration", deployment.at(["metadata", "generation"])),
            ("replicas", KubeWorkloads.count(replicas)), ("updatedReplicas", KubeWorkloads.count(updated)),
            ("readyReplicas", KubeWorkloads.count(sum("readyReplicas"))),
            ("availableReplicas", KubeWorkloads.count(available)),
            ("unavailableReplicas", KubeWorkloads.count(max(0, specTotal - available))),
            ("conditions", .array(conditions)), ("collisionCount", deployment.at(["status", "collisionCount"])),
        ])
        return KubeWorkloads.write(status: status, of: deployment, resource, client)
    }

    /// An int-or-percent of `total` (`intstr.GetScaledValueFromIntOrPercent`), 25% when unset:
    /// maxSurge rounds up, maxUnavailable down.
    static func resolve(_ value: Document?, _ total: Int, up: Bool) -> Int {
        KubeAPI.scaled(value ?? .string("25%"), total, roundUp: up)
    }
}
