import HLSCore

/// What the API server serves, from legacy discovery (`/api`, `/apis`, then `/api/v1` and every
/// `/apis/G/V`), in kubectl's priority order: the core group first, then the groups in the
/// order `/apis` lists them, each group's preferred version before its others.
public struct KubeDiscovery: Sendable {
    public var resources: [KubeResource]

    public init(resources: [KubeResource]) { self.resources = resources }

    /// The type a user's word names, as kubectl resolves it: a short name (`po`, `deploy`), the
    /// plural (`pods`), the singular (`pod`) or the kind (`Pod`), any of them optionally
    /// qualified with a group (`deployments.apps`) or a version and group
    /// (`deployments.v1.apps`); case does not matter. The first match in priority order wins.
    public func resolve(_ word: String) -> KubeResource? {
        let lower = word.lowercased()
        var candidates: [(name: String, version: String?, group: String?)] = [(lower, nil, nil)]
        if let dot = lower.firstIndex(of: ".") {
            let name = String(lower[..<dot])
            let rest = String(lower[lower.index(after: dot)...])
            if let second = rest.firstIndex(of: "."), Self.looksLikeVersion(String(rest[..<second])) {
                candidates.insert((name, String(rest[..<second]), String(rest[rest.index(after: second)...])), at: 0)
            }
            candidates.insert((name, nil, rest), at: candidates.count - 1)
        }
        for candidate in candidates {
            let pool = resources.filter { resource in
                (candidate.group.map { resource.group == $0 } ?? true)
                    && (candidate.version.map { resource.version == $0 } ?? true)
            }
            // Short names are expanded first (kubectl's shortcut expander), then plural,
            // singular and kind are matched.
            if let match = pool.first(where: { $0.shortNames.contains(candidate.name) }) { return match }
            if let match = pool.first(where: {
                $0.name == candidate.name || $0.singularName == candidate.name || $0.kind.lowercased() == candidate.name
            }) {
                return match
            }
        }
        return nil
    }

    /// The type of objects with this `apiVersion` and `kind` (what `apply` needs).
    public func resource(apiVersion: String, kind: String) -> KubeResource? {
        resources.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// Every name a user may type, for suggestions.
    var names: [String] {
        var seen = Set<String>()
        return resources.flatMap { [$0.name, $0.singularName] + $0.shortNames }.filter { seen.insert($0).inserted }
    }

    static func looksLikeVersion(_ text: String) -> Bool {
        guard text.hasPrefix("v"), let digit = text.dropFirst().first else { return false }
        return digit.isNumber
    }
}
