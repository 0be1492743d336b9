import HLSCore
import HLSFormats

/// longhorn-manager's ConfigMap controller: the chart's `longhorn-storageclass` ConfigMap
/// becomes the `longhorn` StorageClass, and `longhorn-default-setting` the Settings (each one
/// it names with its value, the others with Longhorn's default), applied again whenever the
/// ConfigMap changes, as the manager does.
struct LonghornConfigMapController: SimulatedController {
    let name = "longhorn-manager"
    let resource = KubeResourceName.configMaps
    let workload: SimulatedWorkload? = Longhorn.manager

    func reconcile(_ map: Document, client: KubeInProcessClient) -> Duration? {
        guard map.text("metadata", "namespace") == Longhorn.namespace else { return nil }
        do {
            switch map.text("metadata", "name") {
            case "longhorn-storageclass":
                guard let text = map.text("data", "storageclass.yaml") else { return nil }
                let storageClass = try YAMLCodec.decode(text, file: "longhorn-storageclass")
                try client.apply(
                    KubeResourceName.storageClasses.path(namespace: nil, name: storageClass.text("metadata", "name")),
                    storageClass)
            case "longhorn-default-setting":
                let given = try map.text("data", "default-setting.yaml").map {
                    try YAMLCodec.decode($0, file: "longhorn-default-setting").stringMap
                }
                for (setting, _) in Longhorn.settingKeys {
                    let value = given?[setting] ?? Longhorn.settingDefaults[setting] ?? ""
                    try client.apply(
                        Longhorn.settings.path(namespace: Longhorn.namespace, name: setting),
                        .object([
                            ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")),
                            ("kind", .string("Setting")),
                            (
                                "metadata",
                                .object([("name", .string(setting)), ("namespace", .string(Longhorn.namespace))])
                            ),
                            ("value", .string(value)),
                        ]))
                }
            default: return nil
            }
        } catch {
            return .seconds(1)
        }
        return nil
    }
}
