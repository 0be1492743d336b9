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
    /// Brings `object` toward its spec. Returns when to look at it again, if the controller
    /// would requeue it (an interval, a retry); nil waits for the next change.
    func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration?
}

extension SimulatedController {
    var follows: [KubeResourceName] { [] }
}
