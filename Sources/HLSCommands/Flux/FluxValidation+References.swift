import HLSCore

extension FluxValidation {
    /// The Flux objects' references, as the controllers resolve them: a Kustomization's
    /// `sourceRef` and `dependsOn`, a HelmRelease's chart source (`spec.chart.spec.sourceRef` or
    /// `spec.chartRef`) and `dependsOn`, each namespace defaulting to the object's own; then
    /// `dependsOn` cycles.
    mutating func checkReferences(_ objects: [Object]) {
        var index: [FluxKind: [FluxRef: Object]] = [:]
        for object in objects {
            guard let kind = FluxKind.allCases.first(where: object.isFlux) else { continue }
            if index[kind]?[object.ref] == nil { index[kind, default: [:]][object.ref] = object }
        }
        for object in objects {
            if object.isFlux(.kustomization) {
                checkDependsOn(object, kind: .kustomization, index: index)
                checkSource(
                    of: object, at: ["spec", "sourceRef"], allowed: [.gitRepository, .ociRepository, .bucket],
                    index: index)
            } else if object.isFlux(.helmRelease) {
                checkDependsOn(object, kind: .helmRelease, index: index)
                if object.document.at("spec", "chartRef") != nil {
                    checkSource(
                        of: object, at: ["spec", "chartRef"], allowed: [.ociRepository, .helmChart], index: index)
                } else {
                    checkSource(
                        of: object, at: ["spec", "chart", "spec", "sourceRef"],
                        allowed: [.helmRepository, .gitRepository, .bucket], index: index)
                }
            }
        }
        for kind in [FluxKind.kustomization, .helmRelease] {
            checkCycles(Array((index[kind] ?? [:]).values), kind: kind)
        }
    }

    /// Each `dependsOn` entry names an object of `kind` in the tree.
    mutating func checkDependsOn(_ object: Object, kind: FluxKind, index: [FluxKind: [FluxRef: Object]]) {
        for (position, entry) in (object.document.at("spec", "dependsOn")?.elements ?? []).enumerated() {
            let ref = FluxRef(
                namespace: entry.string("namespace") ?? object.namespace, name: entry.string("name") ?? "")
            guard index[kind]?[ref] == nil else { continue }
            add(
                .error, "reference", at: object.location(["spec", "dependsOn", .index(position), "name"]),
                "\(object.kind) \(object.ref) dependsOn \(kind.kind) \(ref), which is not in the tree"
                    + elsewhere(ref, kind: kind, index: index))
        }
    }

    /// The source reference at `path` names an object of one of the `allowed` kinds in the tree.
    /// The repository's own GitRepository, which `flux bootstrap` writes into `gotk-sync.yaml`,
    /// is taken as given when the tree has none (a note says so).
    mutating func checkSource(
        of object: Object, at path: [Step], allowed: [FluxKind], index: [FluxKind: [FluxRef: Object]]
    ) {
        let keys = path.compactMap { if case .key(let key) = $0 { key } else { nil } }
        let field = keys.joined(separator: ".")
        let owner = "\(object.kind) \(object.ref)"
        guard let reference = object.document.at(keys) else {
            add(.error, "reference", at: object.location(path), "\(owner) has no \(field)")
            return
        }
        let word = reference.string("kind") ?? ""
        guard let kind = allowed.first(where: { $0.kind == word }) else {
            add(
                .error, "reference", at: object.location(path + ["kind"]),
                "\(field).kind '\(word)' of \(owner) is not one of \(allowed.map(\.kind).joined(separator: ", "))")
            return
        }
        let ref = FluxRef(
            namespace: reference.string("namespace") ?? object.namespace, name: reference.string("name") ?? "")
        if index[kind]?[ref] != nil { return }
        let at = object.location(path + ["name"])
        if kind == .gitRepository, ref == Self.bootstrapSource {
            if !problems.contains(where: { $0.level == .note && $0.check == "reference" }) {
                add(
                    .note, "reference", at: at,
                    "GitRepository \(ref) is not in the tree (no gotk-sync.yaml yet): taken as the one "
                        + "`flux bootstrap` makes for this repository")
            }
            return
        }
        add(
            .error, "reference", at: at,
            "\(owner) names \(kind.kind) \(ref), which is not in the tree" + elsewhere(ref, kind: kind, index: index))
    }

    /// `; there is one in namespace X` when an object of that kind and name is in another namespace.
    func elsewhere(_ ref: FluxRef, kind: FluxKind, index: [FluxKind: [FluxRef: Object]]) -> String {
        let namespaces = (index[kind] ?? [:]).keys.filter { $0.name == ref.name }.map(\.namespace).sorted()
        guard let namespace = namespaces.first else { return "" }
        return "; there is one in namespace \(namespace) (say namespace: \(namespace))"
    }

    /// Every `dependsOn` cycle among `objects`, each once, at the entry that closes it.
    mutating func checkCycles(_ objects: [Object], kind: FluxKind) {
        var remaining = objects.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        while let cycle = FluxDependencyOrder.cycle(remaining.map { FluxObject(kind: kind, object: $0.document) }) {
            guard let first = remaining.first(where: { $0.ref == cycle[0] })
            else { return }
            let entries = FluxObject(kind: kind, object: first.document).dependsOn
            let position = entries.firstIndex(of: cycle[1]) ?? 0
            add(
                .error, "dependency", at: first.location(["spec", "dependsOn", .index(position), "name"]),
                "the dependsOn of \(kind.kind)s form a cycle: \(FluxDependencyOrder.describe(cycle))")
            remaining.removeAll { cycle.contains($0.ref) }
        }
    }
}
