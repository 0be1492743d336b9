import HLSCore
import HLSLanguage
import Kube

extension FluxCommands {
    static let tree = CommandSpec(
        ["flux", "tree"], summary: "What a Kustomization applied (its inventory, nested), or its dependsOn graph",
        discussion: """
            Reads status.inventory.entries (ids <namespace>_<name>_<group>_<Kind>) of the Kustomization, and \
            of every Kustomization among them, nested below it. --deps shows instead what it dependsOn, and \
            what those depend on, with their readiness.
            """,
        positionals: [Parameter("name", .name("flux-object"), "the Kustomization's name")],
        flags: [namespaceFlag, Flag("deps", "its dependsOn graph instead of its inventory"), KubeCommands.contextFlag],
        columns: ["tree", "kind", "namespace", "name", "level"],
        examples: [
            Example("flux tree flux-system", "everything the root Kustomization applied", needsLab: true),
            Example("flux tree flux-system --deps", "what the root Kustomization waits for", needsLab: true),
        ],
        implementation: .query { inv in
            let client = try client(inv)
            let root = try object(
                .kustomization, inv.string("name")!, namespace: namespace(inv), client: client, inv: inv)
            var rows: [Value] = []
            var seen = Set<FluxRef>()
            if inv.flag("deps") {
                try dependencyRows(root, level: 0, client: client, inv: inv, seen: &seen, into: &rows)
            } else {
                rows.append(treeRow("Kustomization", root.namespace, root.name, level: 0, extra: []))
                try inventoryRows(root, level: 1, client: client, inv: inv, seen: &seen, into: &rows)
            }
            return .list(rows)
        })

    /// One row: the indented `Kind/namespace/name` and its parts.
    static func treeRow(_ kind: String, _ namespace: String, _ name: String, level: Int, extra: [(String, Value)])
        -> Value
    {
        let indent = String(repeating: "  ", count: max(0, level - 1)) + (level > 0 ? "└─ " : "")
        let path = namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(namespace)/\(name)"
        return .record(
            Record(
                [
                    ("tree", .string(indent + path)), ("kind", .string(kind)), ("namespace", .string(namespace)),
                    ("name", .string(name)), ("level", .int(level)),
                ] + extra))
    }

    /// The inventory of `kustomization`, each nested Kustomization's own below it.
    static func inventoryRows(
        _ kustomization: FluxObject, level: Int, client: KubeClient, inv: Invocation, seen: inout Set<FluxRef>,
        into rows: inout [Value]
    ) throws {
        guard seen.insert(kustomization.ref).inserted else { return }
        for entry in kustomization.object.at("status", "inventory", "entries")?.elements ?? [] {
            guard let id = entry.string("id") else { continue }
            let parts = id.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { continue }
            let (namespace, name, group, kind) = (parts[0], parts[1], parts[2], parts[3])
            rows.append(treeRow(kind, namespace, name, level: level, extra: []))
            if kind == "Kustomization", group == FluxKind.kustomization.resource.group,
                let nested = try client.getIfPresent(
                    FluxKind.kustomization.resource, name, namespace: namespace, cancellation: inv.context.cancellation)
            {
                try inventoryRows(
                    FluxObject(kind: .kustomization, object: nested), level: level + 1, client: client, inv: inv,
                    seen: &seen, into: &rows)
            }
        }
    }

    /// `object` and what it dependsOn, recursively, with readiness.
    static func dependencyRows(
        _ object: FluxObject, level: Int, client: KubeClient, inv: Invocation, seen: inout Set<FluxRef>,
        into rows: inout [Value]
    ) throws {
        rows.append(
            treeRow(
                object.kind.kind, object.namespace, object.name, level: level,
                extra: [("ready", .string(object.readyStatus.status))]))
        guard seen.insert(object.ref).inserted else { return }
        for dependency in object.dependsOn {
            guard
                let found = try client.getIfPresent(
                    object.kind.resource, dependency.name, namespace: dependency.namespace,
                    cancellation: inv.context.cancellation)
            else {
                rows.append(
                    treeRow(
                        object.kind.kind, dependency.namespace, dependency.name, level: level + 1,
                        extra: [("ready", .string("missing"))]))
                continue
            }
            try dependencyRows(
                FluxObject(kind: object.kind, object: found), level: level + 1, client: client, inv: inv, seen: &seen,
                into: &rows)
        }
    }
}
