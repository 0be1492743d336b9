/// What a request path names (apiserver's URL layout).
enum KubeRoute {
    case version
    case coreVersions
    case groupList
    case group(String)
    case resourceList(group: String, version: String)
    case openAPIRoot
    case openAPIDocument(group: String, version: String)
    case openAPIv2
    case object(KubeTarget)
    case notFound

    /// Object paths: `/api/v1/[namespaces/NS/]R[/NAME[/SUB]]`, `/apis/G/V/...`.
    static func parse(_ path: String, types: KubeTypeRegistry) -> KubeRoute {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.first {
        case "version" where parts.count == 1: return .version
        case "openapi":
            if parts == ["openapi", "v3"] { return .openAPIRoot }
            if parts == ["openapi", "v2"] { return .openAPIv2 }
            if parts.count == 4, parts[1] == "v3", parts[2] == "api" {
                return .openAPIDocument(group: "", version: parts[3])
            }
            if parts.count == 5, parts[1] == "v3", parts[2] == "apis" {
                return .openAPIDocument(group: parts[3], version: parts[4])
            }
            return .notFound
        case "api":
            if parts.count == 1 { return .coreVersions }
            guard parts[1] == "v1" else { return .notFound }
            if parts.count == 2 { return .resourceList(group: "", version: "v1") }
            return target(group: "", version: "v1", Array(parts.dropFirst(2)), types: types)
        case "apis":
            if parts.count == 1 { return .groupList }
            if parts.count == 2 { return types.groups.contains { $0.name == parts[1] } ? .group(parts[1]) : .notFound }
            guard types.groups.contains(where: { $0.name == parts[1] && $0.versions.contains(parts[2]) }) else {
                return .notFound
            }
            if parts.count == 3 { return .resourceList(group: parts[1], version: parts[2]) }
            return target(group: parts[1], version: parts[2], Array(parts.dropFirst(3)), types: types)
        default: return .notFound
        }
    }

    private static func target(group: String, version: String, _ rest: [String], types: KubeTypeRegistry)
        -> KubeRoute
    {
        var rest = rest
        var namespace: String?
        // `namespaces/NAME[/status|finalize]` is the Namespace itself; `namespaces/NS/R/…` is inside it.
        if group.isEmpty, rest.first == "namespaces", rest.count >= 3,
            !(rest.count == 3 && ["status", "finalize"].contains(rest[2]))
        {
            namespace = rest[1]
            rest.removeFirst(2)
        } else if !group.isEmpty, rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, rest.count <= 3,
            let type = types.type(group: group, version: version, plural: plural)
        else { return .notFound }
        if namespace != nil, !type.namespaced { return .notFound }
        let name = rest.count > 1 ? rest[1] : nil
        let sub = rest.count > 2 ? rest[2] : nil
        if let sub, !type.subresources.contains(sub) { return .notFound }
        return .object(KubeTarget(type: type, namespace: namespace, name: name, subresource: sub))
    }
}

/// A resource path: the type, the namespace (nil for all namespaces or cluster scope), the
/// object's name (nil for the collection) and the subresource.
struct KubeTarget: Sendable {
    var type: KubeResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
}
