import HLSCore
import HLSFormats

extension SimulatedChart {
    /// The `longhorn` chart (charts.longhorn.io): its CRDs, the longhorn-manager DaemonSet, the
    /// driver deployer and UI Deployments, and the two ConfigMaps the manager turns into the
    /// `longhorn` StorageClass (`persistence.*`) and the Settings (`defaultSettings.*`), as
    /// `helm template` renders them.
    static let longhorn = SimulatedChart(name: "longhorn", version: Longhorn.chartVersion) { release in
        Longhorn.customResourceDefinitions + Longhorn.manifests(release)
    }
}

extension Longhorn {
    /// The chart's `defaultSettings` keys the simulation knows, by the Setting each becomes.
    static let settingKeys = [
        ("default-replica-count", "defaultReplicaCount"), ("replica-soft-anti-affinity", "replicaSoftAntiAffinity"),
        ("node-drain-policy", "nodeDrainPolicy"),
    ]

    /// Longhorn's own defaults of those Settings (types/setting.go).
    static let settingDefaults = [
        "default-replica-count": "3", "replica-soft-anti-affinity": "false",
        "node-drain-policy": "block-if-contains-last-replica",
    ]

    static func manifests(_ release: SimulatedChartRelease) -> [Document] {
        let values = release.values
        func value(_ path: String...) -> String? { values.at(path)?.scalarText }
        let namespace = release.namespace
        let labels = "app.kubernetes.io/name: longhorn\n    app.kubernetes.io/instance: \(release.name)"
        let image = "longhornio/longhorn-manager:v\(release.version)"
        var defaults = "priority-class: \"longhorn-critical\"\n"
        for (setting, key) in settingKeys {
            if let given = value("defaultSettings", key) { defaults += "\(setting): \"\(given)\"\n" }
        }
        let storageClass = """
            kind: StorageClass
            apiVersion: storage.k8s.io/v1
            metadata:
              name: longhorn
              annotations:
                storageclass.kubernetes.io/is-default-class: "\(value("persistence", "defaultClass") ?? "true")"
            provisioner: \(driver)
            allowVolumeExpansion: true
            reclaimPolicy: "\(value("persistence", "reclaimPolicy") ?? "Delete")"
            volumeBindingMode: Immediate
            parameters:
              numberOfReplicas: "\(value("persistence", "defaultClassReplicaCount") ?? "3")"
              staleReplicaTimeout: "30"
              fromBackup: ""
              fsType: "\(value("persistence", "defaultFsType") ?? "ext4")"
              dataLocality: "\(value("persistence", "defaultDataLocality") ?? "disabled")"
              unmapMarkSnapChainRemoved: "ignored"
              disableRevisionCounter: "true"
              dataEngine: "v1"

            """
        func indented(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        }
        let yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: longhorn-service-account
              namespace: \(namespace)
              labels:
                \(labels)
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: longhorn-default-setting
              namespace: \(namespace)
              labels:
                \(labels)
            data:
              default-setting.yaml: |-
            \(indented(defaults))
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: longhorn-storageclass
              namespace: \(namespace)
              labels:
                \(labels)
            data:
              storageclass.yaml: |
            \(indented(storageClass))
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: longhorn-manager
              namespace: \(namespace)
              labels:
                \(labels)
                app: longhorn-manager
            spec:
              selector:
                matchLabels:
                  app: longhorn-manager
              template:
                metadata:
                  labels:
                    app: longhorn-manager
                spec:
                  serviceAccountName: longhorn-service-account
                  containers:
                  - name: longhorn-manager
                    image: \(image)
                    command: [longhorn-manager, -d, daemon, --service-account, longhorn-service-account]
                    securityContext:
                      privileged: true
            ---
            \(deployment("longhorn-driver-deployer", namespace: namespace, image: image))
            ---
            \(deployment("longhorn-ui", namespace: namespace, image: "longhornio/longhorn-ui:v\(release.version)"))
            """
        // The text above is the chart's own template: it always parses.
        return (try? YAMLCodec.decodeAll(yaml, file: "longhorn chart")) ?? []
    }

    /// A Deployment of Longhorn's (`app: NAME`), as YAML.
    static func deployment(_ name: String, namespace: String, image: String, replicas: Int = 1) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels:
            app.kubernetes.io/name: longhorn
            app: \(name)
        spec:
          replicas: \(replicas)
          selector:
            matchLabels:
              app: \(name)
          template:
            metadata:
              labels:
                app: \(name)
            spec:
              serviceAccountName: longhorn-service-account
              containers:
              - name: \(name)
                image: \(image)
        """
    }
}
