import HLSCore

/// Compact builders for what a simulated chart renders, so a chart states its names, labels,
/// images and ports and not the YAML around them: metadata with the chart's common labels, the
/// three workload kinds with their selector and pod template, Services, ServiceAccounts and
/// ConfigMaps, each in the release namespace.
struct ChartObjects {
    /// The release namespace.
    var namespace: String
    /// The labels every object's metadata carries (the chart's `labels` helper).
    var labels: [String: String]

    /// A container: name, image, named TCP ports and arguments.
    struct Container {
        var name: String
        var image: String
        var ports: [(name: String, port: Int)] = []
        var args: [String] = []

        var document: Document {
            var pairs: [(key: String, value: Document)] = [
                ("name", .string(name)), ("image", .string(image)), ("imagePullPolicy", .string("IfNotPresent")),
            ]
            if !args.isEmpty { pairs.append(("args", .array(args.map(Document.string)))) }
            if !ports.isEmpty {
                pairs.append(
                    (
                        "ports",
                        .array(
                            ports.map {
                                .object([
                                    ("name", .string($0.name)), ("containerPort", .int($0.port)),
                                    ("protocol", .string("TCP")),
                                ])
                            })
                    ))
            }
            return .object(pairs)
        }
    }

    /// A Service port: name, port, target port (a container port's name, or its number) and protocol.
    struct Port {
        var name: String
        var port: Int
        var target: String
        var proto = "TCP"
    }

    /// `metadata` of an object named `name` with the common labels and `extra` ones.
    func meta(
        _ name: String, labels extra: [String: String] = [:], namespaced: Bool = true,
        annotations: [String: String] = [:]
    ) -> Document {
        var pairs: [(key: String, value: Document)] = [("name", .string(name))]
        if namespaced { pairs.append(("namespace", .string(namespace))) }
        pairs.append(("labels", .stringMap(labels.merging(extra) { _, new in new })))
        if !annotations.isEmpty { pairs.append(("annotations", .stringMap(annotations))) }
        return .object(pairs)
    }

    /// An object of `kind` with its metadata and further top-level fields.
    func object(
        _ apiVersion: String, _ kind: String, _ name: String, labels extra: [String: String] = [:],
        namespaced: Bool = true, _ fields: [(key: String, value: Document)] = []
    ) -> Document {
        .object(
            [
                ("apiVersion", .string(apiVersion)), ("kind", .string(kind)),
                ("metadata", meta(name, labels: extra, namespaced: namespaced)),
            ] + fields)
    }

    func serviceAccount(_ name: String, labels extra: [String: String] = [:]) -> Document {
        object("v1", "ServiceAccount", name, labels: extra)
    }

    func configMap(_ name: String, labels extra: [String: String] = [:], data: [String: String]) -> Document {
        object("v1", "ConfigMap", name, labels: extra, [("data", .stringMap(data))])
    }

    /// A ClusterIP Service (headless when `headless`) selecting `selector`.
    func service(
        _ name: String, labels extra: [String: String] = [:], selector: [String: String], ports: [Port],
        headless: Bool = false
    ) -> Document {
        var spec: [(key: String, value: Document)] = [("type", .string("ClusterIP"))]
        if headless { spec.append(("clusterIP", .string("None"))) }
        spec.append(
            (
                "ports",
                .array(
                    ports.map {
                        .object([
                            ("name", .string($0.name)), ("port", .int($0.port)),
                            ("targetPort", Int($0.target).map(Document.int) ?? .string($0.target)),
                            ("protocol", .string($0.proto)),
                        ])
                    })
            ))
        spec.append(("selector", .stringMap(selector)))
        return object("v1", "Service", name, labels: extra, [("spec", .object(spec))])
    }

    /// A Deployment, DaemonSet or StatefulSet: its pods carry `selector` and `podLabels`, run
    /// `containers` as `serviceAccount`; `spec` adds fields to the workload's spec (replicas,
    /// serviceName, volumeClaimTemplates …).
    func workload(
        _ kind: SimulatedWorkload.Kind, _ name: String, labels extra: [String: String] = [:],
        selector: [String: String], podLabels: [String: String] = [:], serviceAccount: String?,
        containers: [Container], volumes: [Document] = [], spec: [(key: String, value: Document)] = []
    ) -> Document {
        var pod: [(key: String, value: Document)] = []
        if let serviceAccount { pod.append(("serviceAccountName", .string(serviceAccount))) }
        pod.append(("containers", .array(containers.map(\.document))))
        if !volumes.isEmpty { pod.append(("volumes", .array(volumes))) }
        let template = Document.object([
            ("metadata", .object([("labels", .stringMap(selector.merging(podLabels) { _, new in new }))])),
            ("spec", .object(pod)),
        ])
        let kindName: String =
            switch kind {
            case .deployment: "Deployment"
            case .daemonSet: "DaemonSet"
            case .statefulSet: "StatefulSet"
            }
        return object(
            "apps/v1", kindName, name, labels: extra,
            [
                (
                    "spec",
                    .object(
                        spec + [("selector", .object([("matchLabels", .stringMap(selector))])), ("template", template)])
                )
            ])
    }
}

extension ChartObjects {
    /// A chart labelled as Helm's starter chart labels: the selector `app.kubernetes.io/name`
    /// and `instance`, then `helm.sh/chart` (`CHART-VERSION`), the app version, managed-by Helm
    /// and `extra`. Returns the builder and the selector.
    static func standard(
        _ release: SimulatedChartRelease, name: String, chart: String, appVersion: String,
        extra: [String: String] = [:]
    ) -> (objects: ChartObjects, selector: [String: String]) {
        let selector = ["app.kubernetes.io/name": name, "app.kubernetes.io/instance": release.name]
        let labels = selector.merging(extra) { $1 }.merging([
            "helm.sh/chart": chart, "app.kubernetes.io/version": appVersion, "app.kubernetes.io/managed-by": "Helm",
        ]) { $1 }
        return (ChartObjects(namespace: release.namespace, labels: labels), selector)
    }
}
