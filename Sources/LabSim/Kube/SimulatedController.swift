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

    /// The API path of a stored `object` of this resource (its namespace, if any, and name).
    func path(of object: Document) -> String {
        path(namespace: object.text("metadata", "namespace"), name: object.text("metadata", "name"))
    }
}

/// The built-in resources the simulated controllers read and write, named once.
extension KubeResourceName {
    static let pods = core("pods")
    static let nodes = core("nodes")
    static let services = core("services")
    static let secrets = core("secrets")
    static let namespaces = core("namespaces")
    static let configMaps = core("configmaps")
    static let persistentVolumeClaims = core("persistentvolumeclaims")
    static let persistentVolumes = core("persistentvolumes")
    static let deployments = KubeResourceName(group: "apps", version: "v1", plural: "deployments")
    static let replicaSets = KubeResourceName(group: "apps", version: "v1", plural: "replicasets")
    static let daemonSets = KubeResourceName(group: "apps", version: "v1", plural: "daemonsets")
    static let statefulSets = KubeResourceName(group: "apps", version: "v1", plural: "statefulsets")
    static let podDisruptionBudgets = KubeResourceName(group: "policy", version: "v1", plural: "poddisruptionbudgets")
    static let storageClasses = KubeResourceName(group: "storage.k8s.io", version: "v1", plural: "storageclasses")
    static let ingresses = KubeResourceName(group: "networking.k8s.io", version: "v1", plural: "ingresses")
    static let ingressClasses = KubeResourceName(group: "networking.k8s.io", version: "v1", plural: "ingressclasses")

    private static func core(_ plural: String) -> KubeResourceName {
        KubeResourceName(group: "", version: "v1", plural: plural)
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
    /// Other resources each of whose objects concerns only some of its objects (a pod, the
    /// disruption budgets that select it): a change to one queues those `concerns` names, as
    /// the object is now and as it was before the change (a pod relabelled away from a budget);
    /// none by default.
    var followsSelectively: [KubeResourceName] { get }
    /// Whether `followed`, an object of a resource it follows selectively, concerns `object`,
    /// one of those it reconciles; true by default.
    func concerns(_ followed: Document, _ object: Document) -> Bool
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
    /// Whether only a new generation or a new reconcile request queues one of its objects
    /// (controller-runtime's `GenerationChangedPredicate` or Flux's `ReconcileRequestedPredicate`,
    /// as Flux's source-controller watches its sources): a change to its status (its own
    /// write), labels or other annotations does not. False by default: every change queues it.
    var queuesOnlyNewGenerations: Bool { get }
    /// Brings `object` toward its spec. Returns when to look at it again, if the controller
    /// would requeue it (an interval, a retry); nil waits for the next change.
    func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration?
}

extension SimulatedController {
    var follows: [KubeResourceName] { [] }
    var followsSelectively: [KubeResourceName] { [] }
    func concerns(_ followed: Document, _ object: Document) -> Bool { true }
    var owns: [KubeResourceName] { [] }
    var workload: SimulatedWorkload? { nil }
    var queuesOnlyNewGenerations: Bool { false }
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
