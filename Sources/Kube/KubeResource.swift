import HLSTransport

/// A resource type the API server serves (an `APIResourceList` entry): where its objects live
/// and what they are called.
public struct KubeResource: Sendable, Hashable, CustomStringConvertible {
    /// `""` for the core group.
    public var group: String
    public var version: String
    /// The plural, as in URLs: `pods`, `customresourcedefinitions`.
    public var name: String
    public var singularName: String
    public var kind: String
    public var namespaced: Bool
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]
    /// The subresources served (`status`, `scale`, `eviction`).
    public var subresources: [String]

    public init(
        group: String, version: String, name: String, singularName: String = "", kind: String, namespaced: Bool,
        verbs: [String] = [], shortNames: [String] = [], categories: [String] = [], subresources: [String] = []
    ) {
        self.group = group
        self.version = version
        self.name = name
        self.singularName = singularName.isEmpty ? kind.lowercased() : singularName
        self.kind = kind
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }

    /// `v1` or `apps/v1`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `pods` or `deployments.apps`, as kubectl names a type.
    public var description: String { group.isEmpty ? name : "\(name).\(group)" }

    /// `/api/v1` or `/apis/apps/v1`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The URL path of the collection (in `namespace`, or across all namespaces when nil), or of
    /// one object when `name` is given, or of its `subresource`.
    public func path(namespace: String?, name object: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPath
        if namespaced, let namespace { path += "/namespaces/\(segment(namespace))" }
        path += "/\(name)"
        if let object { path += "/\(segment(object))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    private func segment(_ text: String) -> String { PercentEncoding.encode(text, keeping: [UInt8(ascii: ":")]) }

    // MARK: Well-known types (for calls that need no discovery)

    public static let pods = KubeResource(
        group: "", version: "v1", name: "pods", kind: "Pod", namespaced: true, shortNames: ["po"],
        subresources: ["status", "eviction", "log"])
    public static let nodes = KubeResource(
        group: "", version: "v1", name: "nodes", kind: "Node", namespaced: false, shortNames: ["no"],
        subresources: ["status"])
    public static let namespaces = KubeResource(
        group: "", version: "v1", name: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"],
        subresources: ["status", "finalize"])
    public static let events = KubeResource(
        group: "", version: "v1", name: "events", kind: "Event", namespaced: true, shortNames: ["ev"])
    public static let customResourceDefinitions = KubeResource(
        group: "apiextensions.k8s.io", version: "v1", name: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], subresources: ["status"])
    public static let deployments = KubeResource(
        group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true,
        shortNames: ["deploy"], subresources: ["status", "scale"])
    public static let secrets = KubeResource(
        group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true)
}
