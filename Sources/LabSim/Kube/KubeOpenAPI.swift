import HLSCore
import HLSCrypto
import HLSFormats

/// OpenAPI v3, as much as kubectl's validator reads (cli-runtime `query_param_verifier_v3.go`):
/// the root lists one document per group/version, and each document has, for every kind, a
/// PATCH operation tagged with its group/version/kind that declares the `fieldValidation` query
/// parameter. kubectl then leaves validation to the server, which is what it does with a real
/// one that supports field validation.
enum KubeOpenAPI {
    static func root(_ types: KubeTypeRegistry) -> Document {
        var paths: [(key: String, value: Document)] = []
        var seen: Set<String> = []
        for type in types.types where seen.insert(type.apiVersion).inserted {
            let path = type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
            let hash = Hex.encode(SHA.sha256(Array(JSONCodec.encode(document(type.group, type.version, types)).utf8)))
                .uppercased()
            paths.append((path, .object([("serverRelativeURL", .string("/openapi/v3/\(path)?hash=\(hash)"))])))
        }
        return .object([("paths", .object(paths))])
    }

    static func document(_ group: String, _ version: String, _ types: KubeTypeRegistry) -> Document {
        var paths: [(key: String, value: Document)] = []
        var schemas: [(key: String, value: Document)] = []
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        for type in types.resources(group: group, version: version) {
            let path =
                type.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(type.plural)/{name}" : "\(prefix)/\(type.plural)/{name}"
            let gvk = Document.object([
                ("group", .string(group)), ("kind", .string(type.kind)), ("version", .string(version)),
            ])
            let parameters: [Document] = ["dryRun", "fieldManager", "fieldValidation", "force"].map {
                .object([
                    ("name", .string($0)), ("in", .string("query")), ("description", .string("")),
                    ("schema", .object([("type", .string($0 == "force" ? "boolean" : "string"))])),
                ])
            }
            let patch = Document.object([
                ("tags", .array([.string(group.isEmpty ? "core_\(version)" : "\(group)_\(version)")])),
                ("operationId", .string("patch\(type.kind)")), ("parameters", .array(parameters)),
                ("responses", .object([("200", .object([("description", .string("OK"))]))])),
                ("x-kubernetes-action", .string("patch")), ("x-kubernetes-group-version-kind", gvk),
            ])
            paths.append((path, .object([("patch", patch)])))
            if var schema = type.schema {
                // Named as the apiextensions server names it (reversed group), found by its GVK.
                let name = (group.split(separator: ".").reversed().map(String.init) + [version, type.kind])
                    .joined(separator: ".")
                schema.set("x-kubernetes-group-version-kind", .array([gvk]))
                schemas.append((name, schema))
            }
        }
        return .object([
            ("openapi", .string("3.0.0")),
            ("info", .object([("title", .string("Kubernetes")), ("version", .string("unversioned"))])),
            ("paths", .object(paths)), ("components", .object([("schemas", .object(schemas))])),
        ])
    }
}
