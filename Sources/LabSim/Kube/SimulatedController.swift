import HLSCore

/// A resource as a simulated controller names it: group, version and plural.
struct KubeResourceName: Sendable, Hashable {
    var group: String
    var version: String
    var plural: String

    /// The store's key for the resource (`KubeResourceType.storeKey`).
    var storeKey: String { "\(group)/\(plural)" }

    /// The API path of one object (namespaced when `namespace` is given), or of the collection.
    func path(namespace: String?, name: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace, !namespace.isEmpty { path += "/namespaces/\(namespace)" }
        path += "/\(plural)"
        if let name { path += "/\(name)" }
        return path
    }
}

/// A controller of the simulated cluster (Flux's, cert-manager's, Longhorn's, k3s's ServiceLB):
/// the resource it reconciles and how it brings one object of it toward what its spec asks, as
/// the real controller would, through the API (`KubeInProcessClient`). The runner calls it after
/// each change to such an object, once for every object at start, and again when it asks to.
protocol SimulatedController: Sendable {
    /// Its name, which is also its field manager (`kustomize-controller`).
    var name: String { get }
    /// The resource whose objects it reconciles.
    var resource: KubeResourceName { get }
    /// Other resources whose changes re-queue every object it reconciles (a Kustomization's
    /// source, say); none by default.
    var follows: [KubeResourceName] { get }
    /// Other resources whose objects it controls (a ReplicaSet's pods): a change to one queues
    /// only the object its controller `ownerReference` names, as an informer's handler resolves
    /// the owner; none by default.
    var owns: [KubeResourceName] { get }
    /// The Deployment, DaemonSet or StatefulSet the controller runs as, if it is installed into
    /// the cluster (Flux's, cert-manager's, Longhorn's): the runner reconciles its objects only
    /// while that workload has an available pod, as nothing acts on a real cluster before its
    /// controller's pod runs, and queues them all again when the workload turns available. nil (k3s's
    /// own ServiceLB) runs from the start.
    var workload: SimulatedWorkload? { get }
    /// Brings `object` toward its spec. Returns when to look at it again, if the controller
    /// would requeue it (an interval, a retry); nil waits for the next change.
    func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration?
}

extension SimulatedController {
    var follows: [KubeResourceName] { [] }
    var owns: [KubeResourceName] { [] }
    var workload: SimulatedWorkload? { nil }
}

/// A workload (`apps/v1`) a simulated controller runs as.
struct SimulatedWorkload: Sendable, Hashable {
    enum Kind: String, Sendable {
        case deployment = "deployments"
        case daemonSet = "daemonsets"
        case statefulSet = "statefulsets"
    }

    var kind: Kind
    var namespace: String
    var name: String

    var resource: KubeResourceName { KubeResourceName(group: "apps", version: "v1", plural: kind.rawValue) }

    /// Whether `object` (the workload as stored) has at least one available pod, by the status
    /// field its controller maintains (`availableReplicas`, or a DaemonSet's `numberAvailable`).
    static func isAvailable(_ object: Document, kind: Kind) -> Bool {
        let field = kind == .daemonSet ? "numberAvailable" : "availableReplicas"
        if case .int(let count) = object.at(["status", field]) { return count >= 1 }
        return false
    }
}
