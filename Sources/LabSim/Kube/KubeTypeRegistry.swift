/// The resource types the server serves: the built-in ones, then those of every established
/// CustomResourceDefinition, in the order discovery lists them.
struct KubeTypeRegistry: Sendable {
    private(set) var types: [KubeResourceType] { didSet { reindex() } }
    /// The groups other than the core one, each with its versions (the first is preferred);
    /// kept as the types change, since every request's route asks.
    private(set) var groups: [(name: String, versions: [String])] = []
    /// Where in `types` the first type of each group, version and plural is; kept likewise.
    private var positions: [Path: Int] = [:]

    private struct Path: Hashable {
        var group, version, plural: String
    }

    init() {
        types = KubeBuiltInTypes.all
        reindex()
    }

    func type(group: String, version: String, plural: String) -> KubeResourceType? {
        positions[Path(group: group, version: version, plural: plural)].map { types[$0] }
    }

    func type(apiVersion: String, kind: String) -> KubeResourceType? {
        let (group, version) = Self.split(apiVersion)
        return types.first { $0.group == group && $0.version == version && $0.kind == kind }
    }

    /// Any served version of a group/resource (the store keeps one set of objects for all versions).
    func anyVersion(group: String, plural: String) -> KubeResourceType? {
        types.first { $0.group == group && $0.plural == plural }
    }

    private mutating func reindex() {
        var result: [(name: String, versions: [String])] = []
        for type in types where !type.group.isEmpty {
            if let index = result.firstIndex(where: { $0.name == type.group }) {
                if !result[index].versions.contains(type.version) { result[index].versions.append(type.version) }
            } else {
                result.append((type.group, [type.version]))
            }
        }
        groups = result
        positions = [:]
        for (index, type) in types.enumerated() {
            let path = Path(group: type.group, version: type.version, plural: type.plural)
            if positions[path] == nil { positions[path] = index }
        }
    }

    func resources(group: String, version: String) -> [KubeResourceType] {
        types.filter { $0.group == group && $0.version == version }
    }

    /// Replaces the types of one custom resource (all its served versions).
    mutating func register(_ served: [KubeResourceType], group: String, plural: String) {
        types.removeAll { !$0.builtIn && $0.group == group && $0.plural == plural }
        types.append(contentsOf: served)
    }

    mutating func unregister(group: String, plural: String) {
        types.removeAll { !$0.builtIn && $0.group == group && $0.plural == plural }
    }

    /// `apps/v1` → ("apps", "v1"); `v1` → ("", "v1").
    static func split(_ apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.lastIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }
}
