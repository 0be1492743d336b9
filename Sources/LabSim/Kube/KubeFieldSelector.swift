import HLSCore

/// A field selector (`metadata.name=x,spec.nodeName!=y`): only the fields the real server
/// indexes for each resource are allowed, others answer 400 `field label not supported`.
struct KubeFieldSelector: Sendable {
    struct Requirement: Sendable {
        var field: String
        var value: String
        var equals: Bool
    }
    var requirements: [Requirement] = []

    static let everything = KubeFieldSelector()

    init() {}

    init(parsing text: String, for type: KubeResourceType) throws(KubeStatus) {
        for part in text.split(separator: ",") {
            let p = String(part)
            let requirement: Requirement
            if let range = p.firstRange(of: "!=") {
                requirement = Requirement(
                    field: String(p[..<range.lowerBound]), value: String(p[range.upperBound...]), equals: false)
            } else if let range = p.firstRange(of: "==") ?? p.firstRange(of: "=") {
                requirement = Requirement(
                    field: String(p[..<range.lowerBound]), value: String(p[range.upperBound...]), equals: true)
            } else {
                throw KubeStatus.badRequest("invalid selector: '\(text)'; can't understand '\(p)'")
            }
            guard Self.supported(for: type).contains(requirement.field) else {
                throw KubeStatus.badRequest("field label not supported: \(requirement.field)")
            }
            requirements.append(requirement)
        }
    }

    /// The selectable fields of a resource (the `GetAttrs`/`SelectableFields` of each registry).
    static func supported(for type: KubeResourceType) -> Set<String> {
        var fields: Set<String> = ["metadata.name"]
        if type.namespaced { fields.insert("metadata.namespace") }
        switch (type.group, type.plural) {
        case ("", "pods"):
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            ])
        case ("", "nodes"): fields.insert("spec.unschedulable")
        case ("", "namespaces"): fields.insert("status.phase")
        case ("", "secrets"): fields.insert("type")
        case ("", "events"):
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type",
            ])
        case ("apps", "replicasets"): fields.insert("status.replicas")
        default: break
        }
        return fields
    }

    func matches(_ object: Document) -> Bool {
        requirements.allSatisfy { r in
            // An event's `source` selects its reporting component (`source.component`).
            let path = r.field == "source" ? ["source", "component"] : r.field.split(separator: ".").map(String.init)
            var value = object.at(path)?.scalarText ?? ""
            if r.field == "spec.unschedulable", value.isEmpty { value = "false" }
            if r.field == "spec.hostNetwork", value.isEmpty { value = "false" }
            return (value == r.value) == r.equals
        }
    }
}
