import HLSCore
import HLSFormats

/// The `kube-prometheus-stack` chart (prometheus-community, 79.5.0) as `helm template` renders
/// what matters of it: prometheus-operator's CRDs (`crds.enabled`), the operator's Deployment
/// and Service (`<fullname>-operator`), the `Prometheus` and `Alertmanager` objects the operator
/// turns into StatefulSets (`SimulatedPrometheusOperator`) and their Services, and the
/// subcharts' Grafana (with its Ingress from `grafana.ingress.*` and its data sources) and
/// kube-state-metrics Deployments and the node-exporter DaemonSet, with the subcharts' own names
/// and labels. Left out: RBAC, ServiceMonitors, PrometheusRules, dashboards, and the admission
/// webhook's pre-install Jobs and configurations.
enum KubePrometheusStackChart {
    static let version = "79.5.0"
    static let operatorVersion = "v0.86.2"

    static let chart = SimulatedChart(name: "kube-prometheus-stack", version: version) { release in
        (release.flag("crds", "enabled", otherwise: true) ? PrometheusOperatorCRDs.all.map(\.document) : [])
            + operatorObjects(release) + monitors(release) + grafana(release) + exporters(release)
    }

    /// The chart's fullname (`kube-prometheus-stack.fullname`, 26 characters at most).
    static func fullname(_ release: SimulatedChartRelease) -> String {
        release.fullname("kube-prometheus-stack", limit: 26)
    }

    /// The chart's own objects' labels (`kube-prometheus-stack.labels`).
    private static func objects(_ release: SimulatedChartRelease) -> ChartObjects {
        ChartObjects(
            namespace: release.namespace,
            labels: [
                "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": release.name,
                "app.kubernetes.io/version": release.version, "app.kubernetes.io/part-of": "kube-prometheus-stack",
                "chart": "kube-prometheus-stack-\(release.version)", "release": release.name, "heritage": "Helm",
            ])
    }

    private static func operatorObjects(_ release: SimulatedChartRelease) -> [Document] {
        let name = fullname(release) + "-operator"
        let chart = objects(release)
        let labels = [
            "app": "kube-prometheus-stack-operator",
            "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator",
            "app.kubernetes.io/component": "prometheus-operator",
        ]
        let selector = ["app": "kube-prometheus-stack-operator", "release": release.name]
        let reloader = "quay.io/prometheus-operator/prometheus-config-reloader:\(operatorVersion)"
        return [
            chart.serviceAccount(name, labels: labels),
            chart.workload(
                .deployment, name, labels: labels, selector: selector, podLabels: chart.labels.merging(labels) { $1 },
                serviceAccount: name,
                containers: [
                    .init(
                        name: "kube-prometheus-stack",
                        image: "quay.io/prometheus-operator/prometheus-operator:\(operatorVersion)",
                        ports: [("https", 10250)],
                        args: [
                            "--kubelet-service=kube-system/\(fullname(release))-kubelet",
                            "--kubelet-endpoints=true", "--kubelet-endpointslice=false",
                            "--localhost=127.0.0.1", "--prometheus-config-reloader=\(reloader)",
                            "--config-reloader-cpu-request=0", "--config-reloader-cpu-limit=0",
                            "--config-reloader-memory-request=0", "--config-reloader-memory-limit=0",
                            "--thanos-default-base-image=quay.io/thanos/thanos:v0.40.1",
                            "--secret-field-selector=type!=kubernetes.io/dockercfg,type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1",
                            "--web.enable-tls=true", "--web.cert-file=/cert/cert", "--web.key-file=/cert/key",
                            "--web.listen-address=:10250", "--web.tls-min-version=VersionTLS13",
                        ])
                ], spec: [("replicas", .int(1)), ("revisionHistoryLimit", .int(10))]),
            chart.service(
                name, labels: labels, selector: selector, ports: [.init(name: "https", port: 443, target: "https")]),
        ]
    }

    /// The `Prometheus` and `Alertmanager` objects, their ServiceAccounts and Services.
    private static func monitors(_ release: SimulatedChartRelease) -> [Document] {
        let full = fullname(release)
        let chart = objects(release)
        let ns = release.namespace
        let byRelease = Document.object([("matchLabels", .stringMap(["release": release.name]))])
        /// The Service in front of an operator-run StatefulSet's pods: web, then the reloader.
        func service(_ name: String, _ labels: [String: String], _ selector: [String: String], port: Int) -> Document {
            chart.service(
                name, labels: labels.merging(["self-monitor": "true"]) { $1 }, selector: selector,
                ports: [
                    .init(name: "http-web", port: port, target: String(port)),
                    .init(name: "reloader-web", port: 8080, target: "reloader-web"),
                ])
        }
        var documents: [Document] = []
        if release.flag("alertmanager", "enabled", otherwise: true) {
            let name = full + "-alertmanager"
            let labels = ["app": "kube-prometheus-stack-alertmanager"]
            var spec: [(key: String, value: Document)] = [
                ("image", .string("quay.io/prometheus/alertmanager:v0.29.0")), ("version", .string("v0.29.0")),
                ("replicas", .int(release.int("alertmanager", "alertmanagerSpec", "replicas", otherwise: 1))),
                ("listenLocal", .bool(false)), ("serviceAccountName", .string(name)),
                ("externalUrl", .string("http://\(name).\(ns):9093")), ("paused", .bool(false)),
                ("logFormat", .string("logfmt")), ("logLevel", .string("info")), ("retention", .string("120h")),
                ("alertmanagerConfigSelector", .object([])), ("alertmanagerConfigNamespaceSelector", .object([])),
                ("routePrefix", .string("/")), ("portName", .string("http-web")),
            ]
            if let storage = release.value("alertmanager", "alertmanagerSpec", "storage"), storage != .object([]) {
                spec.append(("storage", storage))
            }
            documents += [
                chart.serviceAccount(name, labels: labels),
                chart.object(
                    "monitoring.coreos.com/v1", "Alertmanager", name, labels: labels, [("spec", .object(spec))]),
                service(name, labels, ["app.kubernetes.io/name": "alertmanager", "alertmanager": name], port: 9093),
            ]
        }
        if release.flag("prometheus", "enabled", otherwise: true) {
            let name = full + "-prometheus"
            let labels = ["app": "kube-prometheus-stack-prometheus"]
            var spec: [(key: String, value: Document)] = [
                (
                    "alerting",
                    .object([
                        (
                            "alertmanagers",
                            .array([
                                .object([
                                    ("namespace", .string(ns)), ("name", .string(full + "-alertmanager")),
                                    ("port", .string("http-web")), ("pathPrefix", .string("/")),
                                    ("apiVersion", .string("v2")),
                                ])
                            ])
                        )
                    ])
                ),
                ("image", .string("quay.io/prometheus/prometheus:v3.7.3")), ("version", .string("v3.7.3")),
                ("externalUrl", .string("http://\(name).\(ns):9090")), ("paused", .bool(false)),
                ("replicas", .int(release.int("prometheus", "prometheusSpec", "replicas", otherwise: 1))),
                ("shards", .int(1)), ("logLevel", .string("info")), ("logFormat", .string("logfmt")),
                ("listenLocal", .bool(false)), ("enableAdminAPI", .bool(false)), ("retention", .string("10d")),
                ("tsdb", .object([("outOfOrderTimeWindow", .string("0s"))])), ("walCompression", .bool(true)),
                ("routePrefix", .string("/")), ("serviceAccountName", .string(name)),
                ("serviceMonitorSelector", byRelease), ("serviceMonitorNamespaceSelector", .object([])),
                ("podMonitorSelector", byRelease), ("podMonitorNamespaceSelector", .object([])),
                ("probeSelector", byRelease), ("probeNamespaceSelector", .object([])),
                ("ruleSelector", byRelease), ("ruleNamespaceSelector", .object([])),
                ("scrapeConfigSelector", byRelease), ("scrapeConfigNamespaceSelector", .object([])),
                ("portName", .string("http-web")), ("hostNetwork", .bool(false)),
            ]
            if let storage = release.value("prometheus", "prometheusSpec", "storageSpec"), storage != .object([]) {
                spec.append(("storage", storage))
            }
            documents += [
                chart.serviceAccount(name, labels: labels),
                chart.object("monitoring.coreos.com/v1", "Prometheus", name, labels: labels, [("spec", .object(spec))]),
                service(
                    name, labels, ["app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": name],
                    port: 9090),
            ]
        }
        return documents
    }

    /// `<fullname>-grafana-datasource` (`templates/grafana/configmaps-datasources.yaml`), which
    /// Grafana's datasources sidecar loads: the default Prometheus and Alertmanager data sources
    /// of the release's own Services, then `grafana.additionalDataSources` as given.
    private static func datasources(_ release: SimulatedChartRelease) -> Document {
        let full = fullname(release)
        func source(_ fields: [(key: String, value: Document)]) -> Document { .object(fields) }
        let defaults = [
            source([
                ("name", .string("Prometheus")), ("type", .string("prometheus")), ("uid", .string("prometheus")),
                ("url", .string("http://\(full)-prometheus.\(release.namespace):9090/")),
                ("access", .string("proxy")), ("isDefault", .bool(true)),
                ("jsonData", .object([("httpMethod", .string("POST")), ("timeInterval", .string("30s"))])),
            ]),
            source([
                ("name", .string("Alertmanager")), ("type", .string("alertmanager")), ("uid", .string("alertmanager")),
                ("url", .string("http://\(full)-alertmanager.\(release.namespace):9093/")),
                ("access", .string("proxy")),
                (
                    "jsonData",
                    .object([("handleGrafanaManagedAlerts", .bool(false)), ("implementation", .string("prometheus"))])
                ),
            ]),
        ]
        let text = YAMLCodec.encode(
            .object([
                ("apiVersion", .int(1)),
                ("datasources", .array(defaults + (release.value("grafana", "additionalDataSources")?.items ?? []))),
            ]))
        return objects(release).configMap(
            full + "-grafana-datasource", labels: ["grafana_datasource": "1", "app": "kube-prometheus-stack-grafana"],
            data: ["datasource.yaml": text])
    }

    /// The grafana subchart (10.1.4, Grafana 12.2.1): `<release>-grafana`, its Service and,
    /// with `grafana.ingress.enabled`, its Ingress for `grafana.ingress.hosts` on `/`.
    private static func grafana(_ release: SimulatedChartRelease) -> [Document] {
        guard release.flag("grafana", "enabled", otherwise: true) else { return [] }
        let name = release.fullname("grafana")
        let (chart, selector) = ChartObjects.standard(
            release, name: "grafana", chart: "grafana-10.1.4", appVersion: "12.2.1")
        let sidecar = "quay.io/kiwigrid/k8s-sidecar:1.30.10"
        var documents = [
            chart.serviceAccount(name),
            chart.workload(
                .deployment, name, selector: selector, serviceAccount: name,
                containers: [
                    .init(name: "grafana-sc-dashboard", image: sidecar),
                    .init(name: "grafana-sc-datasources", image: sidecar),
                    .init(
                        name: "grafana", image: "docker.io/grafana/grafana:12.2.1",
                        ports: [("grafana", 3000), ("gossip-tcp", 9094)]),
                ], spec: [("replicas", .int(1)), ("revisionHistoryLimit", .int(10))]),
            chart.service(name, selector: selector, ports: [.init(name: "http-web", port: 80, target: "3000")]),
            datasources(release),
        ]
        if release.flag("grafana", "ingress", "enabled", otherwise: false) {
            let ingress = release.value("grafana", "ingress") ?? .object([])
            let hosts = (ingress["hosts"]?.items ?? []).compactMap(\.scalarText)
            let backend = Document.object([
                ("service", .object([("name", .string(name)), ("port", .object([("number", .int(80))]))]))
            ])
            var spec: [(key: String, value: Document)] = []
            if let className = ingress.text("ingressClassName") {
                spec.append(("ingressClassName", .string(className)))
            }
            if let tls = ingress["tls"] { spec.append(("tls", tls)) }
            spec.append(
                (
                    "rules",
                    .array(
                        hosts.map { host in
                            .object([
                                ("host", .string(host)),
                                (
                                    "http",
                                    .object([
                                        (
                                            "paths",
                                            .array([
                                                .object([
                                                    ("path", .string(ingress.text("path") ?? "/")),
                                                    ("pathType", .string(ingress.text("pathType") ?? "Prefix")),
                                                    ("backend", backend),
                                                ])
                                            ])
                                        )
                                    ])
                                ),
                            ])
                        })
                ))
            var object = chart.object("networking.k8s.io/v1", "Ingress", name, [("spec", .object(spec))])
            if let annotations = ingress["annotations"], annotations != .object([]) {
                object.set(["metadata", "annotations"], annotations)
            }
            documents.append(object)
        }
        return documents
    }

    /// The kube-state-metrics (6.4.1) Deployment and the prometheus-node-exporter (4.49.1)
    /// DaemonSet, each with its Service.
    private static func exporters(_ release: SimulatedChartRelease) -> [Document] {
        var documents: [Document] = []
        func subchart(_ chartName: String, version: String, app: String, extra: [String: String]) -> (
            ChartObjects, [String: String]
        ) {
            ChartObjects.standard(
                release, name: chartName, chart: "\(chartName)-\(version)", appVersion: app,
                extra: extra.merging([
                    "app.kubernetes.io/component": "metrics", "app.kubernetes.io/part-of": chartName,
                    "release": release.name,
                ]) { $1 })
        }
        if release.flag("kubeStateMetrics", "enabled", otherwise: true) {
            let name = release.fullname("kube-state-metrics")
            let (chart, selector) = subchart("kube-state-metrics", version: "6.4.1", app: "2.17.0", extra: [:])
            documents += [
                chart.serviceAccount(name),
                chart.workload(
                    .deployment, name, selector: selector, podLabels: chart.labels, serviceAccount: name,
                    containers: [
                        .init(
                            name: "kube-state-metrics",
                            image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0",
                            ports: [("http", 8080)], args: ["--port=8080", "--telemetry-port=8081"])
                    ], spec: [("replicas", .int(1)), ("revisionHistoryLimit", .int(10))]),
                chart.service(name, selector: selector, ports: [.init(name: "http", port: 8080, target: "http")]),
            ]
        }
        if release.flag("nodeExporter", "enabled", otherwise: true) {
            let name = release.fullname("prometheus-node-exporter")
            let (chart, selector) = subchart(
                "prometheus-node-exporter", version: "4.49.1", app: "1.10.2", extra: ["jobLabel": "node-exporter"])
            var daemonSet = chart.workload(
                .daemonSet, name, selector: selector, podLabels: chart.labels, serviceAccount: name,
                containers: [
                    .init(
                        name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.10.2",
                        ports: [("http-metrics", 9100)],
                        args: [
                            "--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root",
                            "--path.udev.data=/host/root/run/udev/data", "--web.listen-address=[$(HOST_IP)]:9100",
                        ])
                ])
            daemonSet.set(["spec", "template", "spec", "hostNetwork"], .bool(true))
            daemonSet.set(["spec", "template", "spec", "hostPID"], .bool(true))
            daemonSet.set(
                ["spec", "template", "spec", "tolerations"],
                .array([.object([("effect", .string("NoSchedule")), ("operator", .string("Exists"))])]))
            documents += [
                chart.serviceAccount(name), daemonSet,
                chart.service(
                    name, selector: selector, ports: [.init(name: "http-metrics", port: 9100, target: "9100")]),
            ]
        }
        return documents
    }
}
