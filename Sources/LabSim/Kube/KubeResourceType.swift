import HLSCore

/// One resource the API serves at one group/version: its names as discovery publishes them and
/// the behaviour the generic store needs (scope, subresources, generation, strategic merge).
struct KubeResourceType: Sendable, Hashable {
    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    /// Subresources besides the object itself: `status`, `eviction`, `finalize`, `scale`.
    var subresources: [String] = []
    /// Built into the server (strategic merge patch works; custom resources answer 415).
    var builtIn = true
    /// Whether writes that change more than metadata and status bump `metadata.generation`.
    var generation = true
    /// A custom resource's `additionalPrinterColumns` (name, type, jsonPath, priority).
    var printerColumns: [KubePrinterColumn] = []
    /// A custom resource's `openAPIV3Schema`, served in OpenAPI v3 for `kubectl explain`.
    var schema: Document?

    var verbs: [String] {
        namespaced || plural != "namespaces"
            ? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
            : ["create", "delete", "get", "list", "patch", "update", "watch"]
    }
    var hasStatus: Bool { subresources.contains("status") }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var listKind: String { kind + "List" }
    /// `pods`, `deployments.apps`: how Status messages name the resource.
    var qualified: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// `Pod`, `Deployment.apps`: how Invalid messages name the kind.
    var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
    /// The store's key for this resource: one set of objects whatever version is asked for.
    var storeKey: String { "\(group)/\(plural)" }
}

/// A table column of a custom resource (`additionalPrinterColumns`).
struct KubePrinterColumn: Sendable, Hashable {
    var name: String
    var type: String
    var jsonPath: String
    var priority: Int
    var description: String
}
