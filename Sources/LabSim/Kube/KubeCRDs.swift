import HLSCore

/// CustomResourceDefinitions: checked as the apiextensions validation does for what clients
/// trip over, then accepted at once (`NamesAccepted` and `Established` in one step, trap 8's
/// sibling) and their served versions registered for discovery, OpenAPI and the store.
enum KubeCRDs {
    static let type = KubeBuiltInTypes.all.first { $0.plural == "customresourcedefinitions" }!

    static func accept(_ crd: inout Document, _ state: inout KubeStoreState) throws(KubeStatus) {
        let name = crd.text("metadata", "name") ?? ""
        let group = crd.text("spec", "group") ?? ""
        let names = crd.at(["spec", "names"]) ?? .object([])
        let plural = names.text("plural") ?? ""
        let kind = names.text("kind") ?? ""
        var causes: [(field: String, message: String)] = []
        if group.isEmpty { causes.append(("spec.group", "Required value")) }
        if plural.isEmpty { causes.append(("spec.names.plural", "Required value")) }
        if kind.isEmpty { causes.append(("spec.names.kind", "Required value")) }
        if !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            causes.append(("metadata.name", "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = crd.text("spec", "scope") ?? ""
        if scope != "Namespaced", scope != "Cluster" {
            causes.append(
                ("spec.scope", "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
        }
        let versions = (crd.at(["spec", "versions"]) ?? .array([])).items
        if versions.isEmpty {
            causes.append(
                ("spec.versions", "Invalid value: null: must have exactly one version marked as storage version"))
        }
        if versions.filter({ $0["storage"] == .bool(true) }).count != 1, !versions.isEmpty {
            causes.append(
                (
                    "spec.versions",
                    "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version"
                ))
        }
        if !causes.isEmpty { throw KubeStatus.invalid(type, name, causes) }
        if let taken = state.types.types.first(where: { $0.group == group && $0.plural == plural && $0.builtIn }) {
            throw KubeStatus.invalid(
                type, name, [("spec.names.plural", "Invalid value: \"\(taken.plural)\": already in use")])
        }

        let singular = names.text("singular") ?? kind.lowercased()
        var accepted = names
        accepted.set("singular", .string(singular))
        if accepted["listKind"] == nil { accepted.set("listKind", .string(kind + "List")) }
        crd.set(["spec", "names"], accepted)
        let now = KubeTime.rfc3339(KubeTime.now())
        // A condition that was already True keeps its transition time: an update that changes
        // nothing must leave the object (and its resourceVersion) as it was.
        let previous = crd["status"]?["conditions"]?.items ?? []
        func condition(_ type: String, _ reason: String, _ message: String) -> Document {
            let since =
                previous.first { $0.text("type") == type && $0.text("status") == "True" }?.text("lastTransitionTime")
                ?? now
            return .object([
                ("type", .string(type)), ("status", .string("True")), ("lastTransitionTime", .string(since)),
                ("reason", .string(reason)), ("message", .string(message)),
            ])
        }
        let storage = versions.first { $0["storage"] == .bool(true) }?.text("name") ?? ""
        crd.set(
            "status",
            .object([
                (
                    "conditions",
                    .array([
                        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                        condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
                    ])
                ),
                ("acceptedNames", accepted), ("storedVersions", .array([.string(storage)])),
            ]))

        var served: [KubeResourceType] = []
        for version in versions where version["served"] != .bool(false) {
            var columns = (version["additionalPrinterColumns"] ?? .array([])).items.map {
                KubePrinterColumn(
                    name: $0.text("name") ?? "", type: $0.text("type") ?? "string", jsonPath: $0.text("jsonPath") ?? "",
                    priority: { if case .int(let p) = $0 ?? .null { return p } else { return 0 } }($0["priority"]),
                    description: $0.text("description") ?? "")
            }
            if columns.isEmpty {
                columns = [
                    KubePrinterColumn(
                        name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", priority: 0, description: ""
                    )
                ]
            }
            served.append(
                KubeResourceType(
                    group: group, version: version.text("name") ?? "", plural: plural, singular: singular, kind: kind,
                    namespaced: scope == "Namespaced",
                    shortNames: (names["shortNames"]?.items ?? []).compactMap(\.scalarText),
                    categories: (names["categories"]?.items ?? []).compactMap(\.scalarText),
                    subresources: version.at(["subresources", "status"]) != nil ? ["status"] : [], builtIn: false,
                    generation: true, printerColumns: columns, schema: version.at(["schema", "openAPIV3Schema"])))
        }
        state.types.register(served, group: group, plural: plural)
    }

    /// A deleted CRD takes its resources and every custom object with it.
    static func remove(_ crd: Document, _ state: inout KubeStoreState) {
        let group = crd.text("spec", "group") ?? ""
        let plural = crd.text("spec", "names", "plural") ?? ""
        guard let type = state.types.anyVersion(group: group, plural: plural) else { return }
        for (_, object) in state.list(type, namespace: nil) {
            state.remove(
                type, namespace: object.text("metadata", "namespace"), name: object.text("metadata", "name") ?? "")
        }
        state.types.unregister(group: group, plural: plural)
    }
}
