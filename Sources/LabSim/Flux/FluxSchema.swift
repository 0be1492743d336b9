import HLSCore

/// A compact way to write the OpenAPI v3 schemas of Flux's CRDs (what controller-gen emits:
/// `type`, `description`, `properties`, `required`, `items`, `additionalProperties`), enough for
/// `kubectl explain` and for server-side apply to know the fields.
indirect enum FluxSchema: Sendable {
    case string(String)
    case integer(String)
    case boolean(String)
    /// A Go `metav1.Duration`: a string matching Flux's duration pattern.
    case duration(String)
    /// A timestamp (`format: date-time`).
    case time(String)
    case object(String, [(String, FluxSchema)], required: [String] = [])
    case array(String, FluxSchema)
    /// A `map[string]string` (labels, annotations, substitutions).
    case stringMap(String)
    /// Free-form JSON (Helm values, patches' targets of any kind).
    case free(String)
    case enumeration(String, [String])

    var document: Document {
        switch self {
        case .string(let d): return Self.typed("string", d)
        case .integer(let d): return Self.typed("integer", d)
        case .boolean(let d): return Self.typed("boolean", d)
        case .duration(let d):
            return .object([
                ("description", .string(d)), ("pattern", .string("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")),
                ("type", .string("string")),
            ])
        case .time(let d):
            return .object([("description", .string(d)), ("format", .string("date-time")), ("type", .string("string"))])
        case .enumeration(let d, let values):
            return .object([
                ("description", .string(d)), ("enum", .array(values.map { .string($0) })), ("type", .string("string")),
            ])
        case .object(let d, let properties, let required):
            var pairs: [(key: String, value: Document)] = []
            if !d.isEmpty { pairs.append(("description", .string(d))) }
            pairs.append(("properties", .object(properties.map { ($0.0, $0.1.document) })))
            if !required.isEmpty { pairs.append(("required", .array(required.map { .string($0) }))) }
            pairs.append(("type", .string("object")))
            return .object(pairs)
        case .array(let d, let items):
            return .object([("description", .string(d)), ("items", items.document), ("type", .string("array"))])
        case .stringMap(let d):
            return .object([
                ("additionalProperties", .object([("type", .string("string"))])), ("description", .string(d)),
                ("type", .string("object")),
            ])
        case .free(let d):
            return .object([("description", .string(d)), ("x-kubernetes-preserve-unknown-fields", .bool(true))])
        }
    }

    private static func typed(_ type: String, _ description: String) -> Document {
        .object([("description", .string(description)), ("type", .string(type))])
    }

    // Shared pieces of the toolkit's APIs (github.com/fluxcd/pkg/apis/meta).

    static let localReference = FluxSchema.object(
        "LocalObjectReference contains enough information to locate the referenced Kubernetes resource object.",
        [("name", .string("Name of the referent."))], required: ["name"])

    static func namespacedReference(_ description: String) -> FluxSchema {
        .object(
            description,
            [
                ("apiVersion", .string("API version of the referent.")),
                ("kind", .string("Kind of the referent.")),
                ("name", .string("Name of the referent.")),
                ("namespace", .string("Namespace of the referent, defaults to the namespace of the object.")),
            ], required: ["kind", "name"])
    }

    static let dependsOn = FluxSchema.array(
        "DependsOn may contain a meta.NamespacedObjectReference slice with references to resources that must be ready before this one can be reconciled.",
        .object(
            "NamespacedObjectReference contains enough information to locate the referenced Kubernetes resource object in any namespace.",
            [
                ("name", .string("Name of the referent.")),
                (
                    "namespace",
                    .string("Namespace of the referent, when not specified it acts as LocalObjectReference.")
                ),
            ], required: ["name"]))

    static let conditions = FluxSchema.array(
        "Conditions holds the conditions for the object.",
        .object(
            "Condition contains details for one aspect of the current state of this API Resource.",
            [
                (
                    "lastTransitionTime",
                    .time("lastTransitionTime is the last time the condition transitioned from one status to another.")
                ),
                ("message", .string("message is a human readable message indicating details about the transition.")),
                (
                    "observedGeneration",
                    .integer(
                        "observedGeneration represents the .metadata.generation that the condition was set based upon.")
                ),
                (
                    "reason",
                    .string(
                        "reason contains a programmatic identifier indicating the reason for the condition's last transition."
                    )
                ),
                (
                    "status",
                    .enumeration("status of the condition, one of True, False, Unknown.", ["True", "False", "Unknown"])
                ),
                ("type", .string("type of condition in CamelCase or in foo.example.com/CamelCase.")),
            ], required: ["lastTransitionTime", "message", "reason", "status", "type"]))

    static let artifact = FluxSchema.object(
        "Artifact represents the last successful reconciliation.",
        [
            ("digest", .string("Digest is the digest of the file in the form of '<algorithm>:<checksum>'.")),
            (
                "lastUpdateTime",
                .time("LastUpdateTime is the timestamp corresponding to the last update of the Artifact.")
            ),
            ("metadata", .stringMap("Metadata holds upstream information such as OCI annotations.")),
            ("path", .string("Path is the relative file path of the Artifact.")),
            ("revision", .string("Revision is a human-readable identifier traceable in the origin source system.")),
            ("size", .integer("Size is the number of bytes in the file.")),
            (
                "url",
                .string("URL is the HTTP address of the Artifact as exposed by the controller managing the Source.")
            ),
        ], required: ["lastUpdateTime", "path", "revision", "url"])

    /// The status fields every toolkit object has.
    static func status(_ description: String, _ extra: [(String, FluxSchema)]) -> FluxSchema {
        .object(
            description,
            [
                ("conditions", conditions),
                (
                    "lastHandledReconcileAt",
                    .string(
                        "LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation value can be detected."
                    )
                ),
                ("observedGeneration", .integer("ObservedGeneration is the last observed generation.")),
            ] + extra)
    }
}
