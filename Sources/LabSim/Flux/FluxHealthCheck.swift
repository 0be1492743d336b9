import HLSCore

/// kustomize-controller's health check (`spec.wait`): kstatus's verdict on each applied object.
/// Flux's own kinds are Current once Ready for their generation; Deployments, StatefulSets and
/// DaemonSets once their replicas are updated and available; claims once Bound; pods once
/// Ready; any other object unless its `Reconciling` or `Stalled` condition is True.
enum FluxHealthCheck {
    /// kstatus's status of an object that is not Current (`InProgress`, `Failed`); nil when Current.
    static func status(of object: Document) -> String? {
        let kind = object.text("kind") ?? ""
        let apiVersion = object.text("apiVersion") ?? ""
        let generation = integer(object, ["metadata", "generation"]) ?? 1
        let observed = integer(object, ["status", "observedGeneration"])
        if apiVersion.contains(".toolkit.fluxcd.io/") {
            return FluxObject.isReady(object) ? nil : "InProgress"
        }
        if KubeStoreState.conditionIsTrue(object, "Stalled") { return "Failed" }
        if KubeStoreState.conditionIsTrue(object, "Reconciling") { return "InProgress" }
        let count = { (field: String) in integer(object, ["status", field]) ?? 0 }
        switch (apiVersion, kind) {
        case ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"):
            let replicas = integer(object, ["spec", "replicas"]) ?? 1
            let available = kind == "Deployment" ? count("availableReplicas") : count("readyReplicas")
            let current = (observed ?? 0) >= generation && count("updatedReplicas") >= replicas && available >= replicas
            return current ? nil : "InProgress"
        case ("apps/v1", "DaemonSet"):
            let desired = count("desiredNumberScheduled")
            let current =
                (observed ?? 0) >= generation && count("updatedNumberScheduled") >= desired
                && count("numberAvailable") >= desired
            return current ? nil : "InProgress"
        case ("v1", "PersistentVolumeClaim"):
            return object.text("status", "phase") == "Bound" ? nil : "InProgress"
        case ("v1", "Pod"):
            return object.text("status", "phase") == "Succeeded" || KubeStoreState.conditionIsTrue(object, "Ready")
                ? nil : "InProgress"
        default:
            return nil
        }
    }

    private static func integer(_ object: Document, _ path: [String]) -> Int? {
        if case .int(let value)? = object.at(path) { return value }
        return nil
    }
}
