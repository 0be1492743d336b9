import HLSLanguage
import Kube

extension FluxCommands {
    /// The kind words of the flux verbs (`ks`, `hr`, `git`, …, and `sources`/`all` for `get`).
    static let kinds = NameProvider(kind: "flux-kind", ttl: .seconds(3600)) { _ in
        FluxKind.allCases.map { NameCandidate($0.words[0], detail: $0.kind) }
            + [NameCandidate("sources", detail: "every source kind"), NameCandidate("all", detail: "every kind")]
    }

    /// Object names for completion, from the live API: of the kind typed before the name
    /// (Kustomizations for `wait` and `tree`, or `--kind hr`), in the namespace of `-n`, else
    /// flux-system, through the context of `--context`.
    static let objects = NameProvider(
        kind: "flux-object", ttl: .seconds(10), scope: { $0.joined(separator: " ") }, fetch: objectNames)

    static func objectNames(_ query: NameQuery) throws -> [NameCandidate] {
        guard let spec = [get, reconcile, suspend, resume, wait, tree, diff].first(where: { $0.name == query.command })
        else { return [] }
        let (positionals, flags) = spec.arguments(typed: query.words)
        let kinds: [FluxKind]
        if spec.positionals.first?.name == "kind" {
            guard let word = positionals.first, let selection = FluxKind.selection(word) else { return [] }
            kinds = selection
        } else {
            kinds = [flags["kind"] == "hr" ? .helmRelease : .kustomization]
        }
        let client = try KubeService.of(query.context).client(context: flags["context"], quiet: true)
        var names: [NameCandidate] = spec.name == wait.name ? [NameCandidate("all", detail: "every one")] : []
        for kind in kinds {
            let items = try client.list(
                kind.resource, namespace: flags["namespace"] ?? defaultNamespace,
                cancellation: query.context.cancellation
            ).items
            names += items.compactMap { item in
                item.string("metadata", "name").map { NameCandidate($0, detail: kind.kind) }
            }
        }
        return names
    }
}
