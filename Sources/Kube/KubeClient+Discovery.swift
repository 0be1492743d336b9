public import HLSCore

extension KubeClient {
    /// The server's resource types, fetched once and cached; `refresh` fetches them again (after
    /// a CRD becomes Established, or when a name is not found).
    public func discovery(refresh: Bool = false, cancellation: Cancellation = .never) throws(HLSError) -> KubeDiscovery
    {
        if !refresh, let cached = discoveryCache.withLock({ $0 }) { return cached }
        var resources: [KubeResource] = []
        let core = try send(KubeCall(method: "GET", path: "/api"), cancellation: cancellation)
        var groupVersions: [(group: String, version: String)] = []
        if core.response.status != 404 {
            for version in strings(try core.document(self)["versions"]) { groupVersions.append(("", version)) }
        }
        let groups = try object(KubeCall(method: "GET", path: "/apis"), cancellation: cancellation)
        if case .array(let list)? = groups["groups"] {
            for group in list {
                guard case .string(let name)? = group["name"] else { continue }
                var versions: [String] = []
                if case .string(let preferred)? = group["preferredVersion"]?["version"] { versions.append(preferred) }
                if case .array(let all)? = group["versions"] {
                    for entry in all {
                        if case .string(let version)? = entry["version"], !versions.contains(version) {
                            versions.append(version)
                        }
                    }
                }
                for version in versions { groupVersions.append((name, version)) }
            }
        }
        for (group, version) in groupVersions {
            let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let reply = try send(KubeCall(method: "GET", path: path), cancellation: cancellation)
            // A group version listed but not served (an aggregated API that is down) is skipped.
            if reply.response.status == 404 || reply.response.status == 503 { continue }
            resources += Self.resources(try reply.document(self), group: group, version: version)
        }
        let discovery = KubeDiscovery(resources: resources)
        discoveryCache.withLock { $0 = discovery }
        return discovery
    }

    /// The type `word` names (`po`, `pods`, `deployment.apps`, `Kustomization`), looked up again
    /// after a refresh when the cached discovery does not know it.
    public func resolve(_ word: String, cancellation: Cancellation = .never) throws(HLSError) -> KubeResource {
        if let found = try discovery(cancellation: cancellation).resolve(word) { return found }
        let fresh = try discovery(refresh: true, cancellation: cancellation)
        if let found = fresh.resolve(word) { return found }
        throw HLSError(
            .usage, "the server doesn't have a resource type \"\(word)\"", at: .host(endpoint.server),
            hint: Suggest.nearest(word.lowercased(), in: fresh.names).map { "did you mean \($0)?" }
                ?? "list them with kubectl api-resources")
    }

    /// The type of objects with `apiVersion` and `kind`, looked up again after a refresh when
    /// unknown (a CRD applied since).
    public func resource(apiVersion: String, kind: String, cancellation: Cancellation = .never) throws(HLSError)
        -> KubeResource
    {
        if let found = try discovery(cancellation: cancellation).resource(apiVersion: apiVersion, kind: kind) {
            return found
        }
        if let found = try discovery(refresh: true, cancellation: cancellation).resource(
            apiVersion: apiVersion, kind: kind)
        {
            return found
        }
        throw HLSError(
            .failed, "the server does not know kind \(kind) in \(apiVersion)", at: .host(endpoint.server),
            hint: "is the CustomResourceDefinition applied and Established, and the apiVersion right?")
    }

    /// The entries of an `APIResourceList`, subresources folded into their resource.
    static func resources(_ list: Document, group: String, version: String) -> [KubeResource] {
        guard case .array(let items)? = list["resources"] else { return [] }
        var out: [KubeResource] = []
        for item in items {
            guard case .string(let name)? = item["name"], case .string(let kind)? = item["kind"] else { continue }
            if let slash = name.firstIndex(of: "/") {
                let parent = name[..<slash]
                if let index = out.firstIndex(where: { $0.name == parent }) {
                    out[index].subresources.append(String(name[name.index(after: slash)...]))
                }
                continue
            }
            var singular = ""
            if case .string(let value)? = item["singularName"] { singular = value }
            out.append(
                KubeResource(
                    group: group, version: version, name: name, singularName: singular, kind: kind,
                    namespaced: item["namespaced"] == .bool(true), verbs: strings(item["verbs"]),
                    shortNames: strings(item["shortNames"]), categories: strings(item["categories"])))
        }
        return out
    }
}

/// The strings of a JSON array (others skipped).
func strings(_ value: Document?) -> [String] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
}

extension KubeClient {
    /// The server's `/version` `gitVersion` (`v1.33.4+k3s1`).
    public func serverVersion(cancellation: Cancellation = .never) throws(HLSError) -> String {
        let version = try object(KubeCall(method: "GET", path: "/version"), cancellation: cancellation)
        if case .string(let text)? = version["gitVersion"] { return text }
        throw HLSError(.failed, "the server's /version has no gitVersion", at: .request(method: "GET", url: "/version"))
    }
}
