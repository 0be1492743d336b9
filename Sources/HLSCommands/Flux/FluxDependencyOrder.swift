import HLSCore

/// Flux objects ordered so that each comes after what it `dependsOn` (a dependency outside the
/// set is left to the controller), otherwise in the order given: the order `reconcile --all`
/// and `resume --all` go in, rather than the alphabetical one of the flux CLI.
enum FluxDependencyOrder {
    /// - Throws: a dependency cycle, naming it.
    static func sorted(_ objects: [FluxObject]) throws(HLSError) -> [FluxObject] {
        let (out, cycle) = walk(objects)
        if let cycle, let kind = objects.first?.kind {
            throw HLSError(
                .failed, "the dependsOn of \(kind.kind)s form a cycle: \(describe(cycle))",
                hint: "a Kustomization cannot depend on itself through others; fix spec.dependsOn in git")
        }
        return out
    }

    /// The first dependency cycle among `objects`, from the object where it was entered back to
    /// it (`a, b, a`); nil when there is none.
    static func cycle(_ objects: [FluxObject]) -> [FluxRef]? { walk(objects).cycle }

    /// `a -> b -> a`.
    static func describe(_ cycle: [FluxRef]) -> String { cycle.map(\.name).joined(separator: " -> ") }

    /// The objects each after its dependencies, up to the first cycle found (then also that cycle).
    private static func walk(_ objects: [FluxObject]) -> (sorted: [FluxObject], cycle: [FluxRef]?) {
        let byRef = Dictionary(objects.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        var done = Set<FluxRef>()
        var visiting: [FluxRef] = []
        var out: [FluxObject] = []
        var cycle: [FluxRef]?
        func visit(_ object: FluxObject) {
            if done.contains(object.ref) || cycle != nil { return }
            if let start = visiting.firstIndex(of: object.ref) {
                cycle = Array(visiting[start...]) + [object.ref]
                return
            }
            visiting.append(object.ref)
            for dependency in object.dependsOn {
                if let next = byRef[dependency] { visit(next) }
            }
            visiting.removeLast()
            done.insert(object.ref)
            out.append(object)
        }
        for object in objects { visit(object) }
        return (out, cycle)
    }
}
