import HLSLanguage
import Kube

extension KubeCommands {
    /// Resource type names for completion, from the server's discovery (plural, singular and
    /// short names) of the context of `--context` when one is typed.
    static let kinds = NameProvider(kind: "kube-kind", ttl: .seconds(60), scope: typedContext) { query in
        let client = try completionClient(query)
        var seen = Set<String>()
        return try client.discovery(cancellation: query.context.cancellation).resources.flatMap { resource in
            ([resource.name, resource.singularName] + resource.shortNames).filter { seen.insert($0).inserted }.map {
                NameCandidate($0, detail: "\(resource.kind) \(resource.apiVersion)")
            }
        }
    }

    /// Namespace names for completion, from the live API of the context of `--context` when
    /// one is typed.
    static let namespaces = NameProvider(kind: "kube-namespace", ttl: .seconds(15), scope: typedContext) { query in
        let client = try completionClient(query)
        return try client.list(.namespaces, cancellation: query.context.cancellation).items.compactMap { item in
            guard case .string(let name)? = item["metadata"]?["name"] else { return nil }
            var phase: String?
            if case .string(let value)? = item["status"]?["phase"] { phase = value }
            return NameCandidate(name, detail: phase)
        }
    }
}

extension KubeCommands {
    /// Object names for completion, from the live API: of the type typed before the name
    /// (`kube get pods <TAB>`; pods for `kube logs`), in the namespace of `-n`, else the
    /// context's (every namespace with `-A`), through the context of `--context`. Cached per
    /// verb and typed words.
    static let objects = NameProvider(
        kind: "kube-object", ttl: .seconds(10), scope: { $0.joined(separator: " ") }, fetch: objectNames)

    static func objectNames(_ query: NameQuery) throws -> [NameCandidate] {
        guard let spec = [get, delete, wait, logs].first(where: { $0.name == query.command }) else { return [] }
        let (positionals, flags) = spec.arguments(typed: query.words)
        guard let kind = spec.name == logs.name ? "pods" : positionals.first else { return [] }
        let client = try KubeService.of(query.context).client(context: flags["context"], quiet: true)
        let cancellation = query.context.cancellation
        let resource = try client.resolve(kind, cancellation: cancellation)
        let everywhere = flags["all-namespaces"] != nil
        let namespace = resource.namespaced && !everywhere ? flags["namespace"] ?? client.endpoint.namespace : nil
        return try client.list(resource, namespace: namespace, cancellation: cancellation).items.compactMap { item in
            guard case .string(let name)? = item["metadata"]?["name"] else { return nil }
            var detail: String?
            if everywhere, case .string(let namespace)? = item["metadata"]?["namespace"] { detail = namespace }
            return NameCandidate(name, detail: detail)
        }
    }
}

extension KubeCommands {
    /// The `--context` among the words typed after a kube verb (any of them: the flag takes a
    /// value for each), else "": the cache scope of the names that depend only on the cluster.
    @Sendable static func typedContext(_ words: [String]) -> String {
        get.arguments(typed: words).flags["context"] ?? ""
    }

    /// The client completion asks: of the typed `--context`, else the current context's.
    static func completionClient(_ query: NameQuery) throws -> KubeClient {
        let context = typedContext(query.words)
        return try KubeService.of(query.context).client(context: context.isEmpty ? nil : context, quiet: true)
    }
}
