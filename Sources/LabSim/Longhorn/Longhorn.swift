import HLSCore

/// Longhorn in the simulated cluster (`longhorn.io/v1beta2`, namespace `longhorn-system`): the
/// chart (`SimulatedChart.longhorn`) and the controllers its longhorn-manager DaemonSet runs.
enum Longhorn {
    static let namespace = "longhorn-system"
    static let group = "longhorn.io"
    static let version = "v1beta2"
    /// The CSI driver's name: a StorageClass's provisioner, a PV's `spec.csi.driver`.
    static let driver = "driver.longhorn.io"
    /// The chart version the simulated helm-controller installs when none is pinned.
    static let chartVersion = "1.9.1"

    static let volumes = resource("volumes")
    static let replicas = resource("replicas")
    static let engines = resource("engines")
    static let nodes = resource("nodes")
    static let settings = resource("settings")
    static let instanceManagers = resource("instancemanagers")

    /// The DaemonSet every Longhorn controller runs in.
    static let manager = SimulatedWorkload(kind: .daemonSet, namespace: namespace, name: "longhorn-manager")

    static func resource(_ plural: String) -> KubeResourceName {
        KubeResourceName(group: group, version: version, plural: plural)
    }

    /// Longhorn's controllers; `root` gives a Kubernetes node's root tree (nil: unknown), which
    /// the environment check reads as Longhorn's reads the host through `/host`.
    static func controllers(root: @escaping @Sendable (String) -> String?) -> [any SimulatedController] {
        [
            LonghornConfigMapController(), LonghornNodeController(root: root), LonghornProvisioner(),
            LonghornReclaimer(), LonghornVolumeController(root: root), LonghornDriverDeployer(),
        ]
    }

    /// A setting's `value` (top level, not under spec), nil when the setting does not exist.
    static func setting(_ name: String, client: KubeInProcessClient) -> String? {
        (try? client.get(settings.path(namespace: namespace, name: name)))??.text("value")
    }

    /// A Longhorn condition (`lastProbeTime`, `lastTransitionTime`, `message`, `reason`,
    /// `status`, `type`), keeping the transition time of `old` when the status did not change.
    static func condition(
        _ type: String, _ status: Bool, reason: String = "", message: String = "", old: [Document]
    ) -> Document {
        let word = status ? "True" : "False"
        let previous = old.first { $0.text("type") == type }
        let since =
            previous?.text("status") == word ? previous?.text("lastTransitionTime") : nil
        return .object([
            ("lastProbeTime", .string("")),
            ("lastTransitionTime", .string(since ?? KubeTime.rfc3339(KubeTime.now()))),
            ("message", .string(message)), ("reason", .string(reason)), ("status", .string(word)),
            ("type", .string(type)),
        ])
    }

    /// Whether `conditions` hold `type` with status True.
    static func holds(_ type: String, in conditions: [Document]) -> Bool {
        conditions.contains { $0.text("type") == type && $0.text("status") == "True" }
    }
}
