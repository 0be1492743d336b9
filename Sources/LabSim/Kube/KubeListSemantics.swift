import HLSCore

/// How built-in kinds' lists merge (the `patchMergeKey`/`listMapKeys` of their Go types), shared
/// by strategic merge patch and server-side apply. Custom resources' lists are atomic.
enum KubeListSemantics {
    /// The key a list of objects under `field` merges on, if it is a keyed list.
    static func mergeKey(field: String, items: [Document]) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return "name"
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "conditions", "addresses": return "type"
        case "ownerReferences": return "uid"
        case "hostAliases": return "ip"
        case "ports": return items.contains { $0["containerPort"] != nil } ? "containerPort" : "port"
        default: return nil
        }
    }

    /// Lists of scalars that merge as sets.
    static func isSet(field: String) -> Bool { field == "finalizers" }
}
