import HLSCore

/// The fields of built-in kinds that Go declares `map[string]string` (a ConfigMap's `data`, a
/// Secret's `data` and `stringData`, every object's labels and annotations): a value there that
/// is not a string is refused as the real API server refuses it. A JSON create or update fails
/// in the decoder, 400 "ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot
/// unmarshal number into Go struct field ConfigMap.data of type string"; a server-side apply in
/// structured-merge-diff's typed conversion, 500 with no reason, "failed to create typed patch
/// object (default/x; /v1, Kind=ConfigMap): .data.a: expected string, got
/// &value.valueUnstructured{Value:1}" (kubectl prints it as "Error from server: …").
enum KubeStringMaps {
    /// The first field holding a value that is not a string: its path, and the value.
    static func violation(in object: Document, type: KubeResourceType) -> (path: [String], value: Document)? {
        var maps: [[String]] = [["metadata", "labels"], ["metadata", "annotations"]]
        if type.group.isEmpty && type.kind == "ConfigMap" { maps.append(["data"]) }
        if type.group.isEmpty && type.kind == "Secret" { maps += [["data"], ["stringData"]] }
        for path in maps {
            guard case .object(let pairs)? = object.at(path) else { continue }
            for (key, value) in pairs {
                switch value {
                case .string, .null: continue
                default: return (path + [key], value)
                }
            }
        }
        return nil
    }

    /// The JSON decoder's refusal of a create or update.
    static func checkDecoded(_ object: Document, type: KubeResourceType) throws(KubeStatus) {
        guard type.builtIn, let (path, value) = violation(in: object, type: type) else { return }
        // Go 1.20's path: the struct that declares the map, then the JSON path to it.
        let field = path.dropLast().joined(separator: ".")
        let owner = path.first == "metadata" ? "ObjectMeta.\(field)" : "\(type.kind).\(field)"
        throw KubeStatus.badRequest(
            "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): json: cannot unmarshal "
                + "\(goKind(value)) into Go struct field \(owner) of type string")
    }

    /// structured-merge-diff's refusal of a server-side apply.
    static func checkApply(_ patch: Document, type: KubeResourceType, namespace: String?, name: String)
        throws(KubeStatus)
    {
        guard type.builtIn, let (path, value) = violation(in: patch, type: type) else { return }
        let object = (namespace.map { "\($0)/" } ?? "/") + name
        let gvk = "\(type.group)/\(type.version), Kind=\(type.kind)"
        throw KubeStatus(
            code: 500, reason: "",
            message:
                "failed to create typed patch object (\(object); \(gvk)): .\(path.joined(separator: ".")): expected string, "
                + "got &value.valueUnstructured{Value:\(goValue(value))}",
            details: [])
    }

    /// encoding/json's word for the JSON type it found.
    private static func goKind(_ value: Document) -> String {
        switch value {
        case .int, .double: "number"
        case .bool: "bool"
        case .array: "array"
        case .object: "object"
        default: "string"
        }
    }

    /// How Go's `%v` prints the value structured-merge-diff holds.
    private static func goValue(_ value: Document) -> String {
        switch value {
        case .int(let n): "\(n)"
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? "\(Int(d))" : "\(d)"
        case .bool(let b): "\(b)"
        case .array: "[]interface {}{…}"
        case .object: "map[string]interface {}{…}"
        default: ""
        }
    }
}
