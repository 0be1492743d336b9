import HLSCore

/// Flux objects ordered so that each comes after what it `dependsOn` (a dependency outside the
/// set is left to the controller), otherwise in the order given: the order `reconcile --all`
/// and `resume --all` go in, rather than the alphabetical one of the flux CLI.
enum FluxDependencyOrder {
    /// - Throws: a dependency cycle, naming it.
    static func sorted(_ objects: [FluxObject]) throws(HLSError) -> [FluxObject] {
        let byRef = Dictionary(objects.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        var done = Set<FluxRef>()
        var visiting: [FluxRef] = []
        var out: [FluxObject] = []
        func visit(_ object: FluxObject) throws(HLSError) {
            if done.contains(object.ref) { return }
            if let start = visiting.firstIndex(of: object.ref) {
                let cycle = (visiting[start...] + [object.ref]).map(\.name).joined(separator: " -> ")
                throw HLSError(
                    .failed, "the dependsOn of \(object.kind.kind)s form a cycle: \(cycle)",
                    hint: "a Kustomization cannot depend on itself through others; fix spec.dependsOn in git")
            }
            visiting.append(object.ref)
            for dependency in object.dependsOn {
                if let next = byRef[dependency] { try visit(next) }
            }
            visiting.removeLast()
            done.insert(object.ref)
            out.append(object)
        }
        for object in objects { try visit(object) }
        return out
    }
}
