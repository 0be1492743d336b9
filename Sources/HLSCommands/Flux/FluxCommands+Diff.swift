import HLSCore
import HLSLanguage
import Kube

extension FluxCommands {
    static let diff = CommandSpec(
        ["flux", "diff"],
        summary: "What applying a Kustomization's path from a local checkout would change: creates, updates, prunes",
        discussion: """
            Builds --path (the folder of the Kustomization's spec.path in a checkout of the GitOps \
            repository) with hlsh's own build, as kustomize-controller and kubectl kustomize do, puts the \
            objects in spec.targetNamespace when the Kustomization sets one, and compares each with the \
            cluster by a server-side dry-run apply (the server's defaulting and validation, nothing stored): \
            create for an object that does not exist, update with the fields that would change, and — when \
            the Kustomization prunes — prune for what its inventory holds and the build no longer does. A \
            Kustomization that does not exist yet is compared object by object, with nothing to prune. No \
            rows: nothing would change.
            """,
        positionals: [Parameter("name", .name("flux-object"), "the Kustomization's name")],
        flags: [
            namespaceFlag,
            Flag("path", .path, "the local folder that the Kustomization's spec.path is in the checkout"),
            KubeCommands.contextFlag,
        ],
        columns: ["action", "target", "detail"],
        examples: [
            Example(
                "flux diff flux-system --path gitops/kubernetes/clusters/homelab",
                "what a push of the checkout's cluster folder would change", needsLab: true)
        ],
        implementation: .query { inv in
            guard let path = inv.string("path") else {
                throw inv.usage("give the local folder of the Kustomization's path: --path DIR")
            }
            let client = try client(inv)
            let cancellation = inv.context.cancellation
            let kustomization = try client.getIfPresent(
                FluxKind.kustomization.resource, inv.string("name")!, namespace: namespace(inv),
                cancellation: cancellation
            ).map { FluxObject(kind: .kustomization, object: $0) }
            var built = try KustomizeBuild.build(path)
            let discovery = try client.discovery(cancellation: cancellation)
            if let target = kustomization?.object.string("spec", "targetNamespace") {
                built = built.map { item in
                    let kind = item.document.string("kind") ?? ""
                    let namespaced =
                        discovery.resource(apiVersion: item.document.string("apiVersion") ?? "", kind: kind)?.namespaced
                        ?? !KustomizeBuild.clusterScoped.contains(kind)
                    return namespaced
                        ? (item.document.setting(["metadata", "namespace"], to: .string(target)), item.at) : item
                }
            }
            let defined = KubeManifests.definedTypes(built.map(\.document))
            var manifests: [KubeManifest] = []
            for (document, at) in built {
                manifests.append(
                    try KubeManifests.manifest(document, at: at, discovery: discovery, defined: defined, client: client)
                )
            }
            var rows: [Value] = []
            func row(_ action: String, _ target: String, _ detail: String) {
                rows.append(
                    .record(
                        Record([("action", .string(action)), ("target", .string(target)), ("detail", .string(detail))]))
                )
            }
            var missingNamespaces = Set<String>()
            for namespace in Set(manifests.compactMap(\.namespace))
            where try client.getIfPresent(.namespaces, namespace, cancellation: cancellation) == nil {
                missingNamespaces.insert(namespace)
            }
            for manifest in manifests {
                guard let resource = manifest.resource else {
                    row("create", manifest.target, "of a type a CRD of the build defines")
                    continue
                }
                guard
                    let existing = try client.getIfPresent(
                        resource, manifest.name, namespace: manifest.namespace, cancellation: cancellation)
                else {
                    // Validated by the server, unless its namespace does not exist yet.
                    if let namespace = manifest.namespace, missingNamespaces.contains(namespace) {
                        row("create", manifest.target, "in namespace \(namespace), which does not exist yet")
                        continue
                    }
                    try client.apply(manifest.object, force: true, dryRun: true, cancellation: cancellation)
                    row("create", manifest.target, "")
                    continue
                }
                let result = try client.apply(manifest.object, force: true, dryRun: true, cancellation: cancellation)
                let changed = changedPaths(comparable(existing), comparable(result), prefix: "")
                if !changed.isEmpty { row("update", manifest.target, changed.joined(separator: ", ")) }
            }
            if let kustomization, kustomization.object.at("spec", "prune") == .bool(true) {
                let kept = Set(
                    manifests.map { manifest in
                        let apiVersion = manifest.object.string("apiVersion") ?? ""
                        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
                        return "\(manifest.namespace ?? "")_\(manifest.name)_\(group)_\(manifest.kind)"
                    })
                for entry in kustomization.object.at("status", "inventory", "entries")?.elements ?? [] {
                    guard let id = entry.string("id"), !kept.contains(id) else { continue }
                    let parts = id.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 4 else { continue }
                    row(
                        "prune", parts[0].isEmpty ? "\(parts[3])/\(parts[1])" : "\(parts[3])/\(parts[0])/\(parts[1])",
                        "")
                }
            }
            return .list(rows)
        })

    /// An object without what the server writes on every apply (managed fields, resource
    /// version, generation, times, uid) and without its status.
    static func comparable(_ object: Document) -> Document {
        guard case .object(var fields) = object else { return object }
        fields.removeAll { $0.key == "status" }
        if let index = fields.firstIndex(where: { $0.key == "metadata" }),
            case .object(var metadata) = fields[index].value
        {
            let volatile: Set<String> = ["managedFields", "resourceVersion", "generation", "creationTimestamp", "uid"]
            metadata.removeAll { volatile.contains($0.key) }
            fields[index].value = .object(metadata)
        }
        return .object(fields)
    }

    /// The field paths (`spec.replicas`, `data.x`) whose values differ between two objects.
    static func changedPaths(_ before: Document, _ after: Document, prefix: String) -> [String] {
        switch (before, after) {
        case (.object(let old), .object(let new)):
            var keys = old.map(\.key)
            for (key, _) in new where !keys.contains(key) { keys.append(key) }
            return keys.flatMap { key in
                changedPaths(
                    before[key] ?? .null, after[key] ?? .null, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
            }
        case (.array(let old), .array(let new)) where old.count == new.count:
            return zip(old, new).enumerated().flatMap { index, pair in
                changedPaths(pair.0, pair.1, prefix: "\(prefix)[\(index)]")
            }
        default:
            return before == after ? [] : [prefix]
        }
    }
}
