import HLSCore

/// The `loki` chart (grafana, 6.46.0, Loki 3.5.7) as `helm template` renders what matters of it.
/// First its `templates/validate.yaml`, whose `fail`s refuse values in the chart's words and
/// order (a schema config, the storage backend against the replica counts of the three
/// deployment modes); then, in SingleBinary mode, the `loki` StatefulSet (a `storage` claim per
/// replica unless `singleBinary.persistence.enabled` is false) with its Services (`loki`,
/// `loki-headless`, `loki-memberlist`), the nginx `loki-gateway` Deployment and Service, the
/// `loki-canary` DaemonSet, and the memcached `chunks-cache`/`results-cache` StatefulSets while
/// enabled. The simple-scalable and distributed targets are not rendered.
enum LokiChart {
    static let version = "6.46.0"
    static let appVersion = "3.5.7"

    static let chart = SimulatedChart(name: "loki", version: version) { release throws(SimulatedChartFailure) in
        try validate(release)
        return manifests(release)
    }

    /// `templates/validate.yaml`: the first of its `fail`s whose condition holds.
    static func validate(_ release: SimulatedChartRelease) throws(SimulatedChartFailure) {
        func fail(_ line: Int, _ text: String) -> SimulatedChartFailure {
            SimulatedChartFailure(chart: "loki", template: "validate.yaml", line: line, text)
        }
        func replicas(_ target: String, _ otherwise: Int) -> Int {
            release.int(target, "replicas", otherwise: otherwise)
        }
        let objectStores = ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"]
        let filesystem = !objectStores.contains(release.text("loki", "storage", "type", otherwise: "s3"))
        let single = replicas("singleBinary", 0)
        let scalable = ["backend", "read", "write"].contains { replicas($0, 3) > 0 }
        let distributed = [
            "ingester", "distributor", "querier", "queryFrontend", "queryScheduler", "indexGateway", "compactor",
            "ruler",
        ].contains { replicas($0, 0) > 0 }
        let mode = release.text("deploymentMode", otherwise: "SimpleScalable")
        let schema = [
            release.value("loki", "schemaConfig"), release.value("loki", "structuredConfig", "schema_config"),
        ]
        .contains { $0 != nil && $0 != .object([]) && $0 != .null }
        let testSchema = release.flag("loki", "useTestSchema", otherwise: false)
        if release.value("config") != nil {
            throw fail(
                2,
                "Top level 'config' is not allowed. Most common configuration sections are exposed under the `loki` section. If you need to override the whole config, provide the configuration as a string that can contain template expressions under `loki.config`. Alternatively, you can provide the configuration as an external secret."
            )
        }
        if !release.flag("lokiCanary", "enabled", otherwise: true), release.flag("test", "enabled", otherwise: true) {
            throw fail(6, "Helm test requires the Loki Canary to be enabled")
        }
        if filesystem, single > 1 {
            throw fail(15, "Cannot run more than 1 Single Binary replica without an object storage backend.")
        }
        if filesystem, single == 0, scalable || distributed {
            throw fail(
                19,
                "Cannot run scalable targets (backend, read, write) or distributed targets without an object storage backend."
            )
        }
        if scalable, distributed, mode != "SimpleScalable<->Distributed" {
            throw fail(
                23,
                "You have more than zero replicas configured for scalable targets (backend, read, write) and distributed targets. If this was intentional change the deploymentMode to the transitional 'SimpleScalable<->Distributed' mode"
            )
        }
        if single > 0, distributed {
            throw fail(
                27,
                "You have more than zero replicas configured for both the single binary and distributed targets, there is no transition mode between these targets please change one or the other to zero or transition to the SimpleScalable mode first."
            )
        }
        if single > 0, scalable, mode != "SingleBinary<->SimpleScalable" {
            throw fail(
                31,
                "You have more than zero replicas configured for both the single binary and simple scalable targets. If this was intentional change the deploymentMode to the transitional 'SingleBinary<->SimpleScalable' mode"
            )
        }
        if schema, testSchema {
            throw fail(
                35,
                "loki.useTestSchema must be false if loki.schemaConfig or loki.structuredConfig.schema_config are defined."
            )
        }
        if !schema, !testSchema {
            throw fail(
                40,
                "You must provide a schema_config for Loki, one is not provided as this will be individual for every Loki cluster. See https://grafana.com/docs/loki/latest/operations/storage/schema/ for schema information. For quick testing (with no persistence) add `--set loki.useTestSchema=true`"
            )
        }
    }

    static func manifests(_ release: SimulatedChartRelease) -> [Document] {
        let full = release.fullname("loki")
        let (chart, selector) = ChartObjects.standard(
            release, name: "loki", chart: "loki-\(release.version)", appVersion: appVersion)
        func component(_ name: String) -> [String: String] { ["app.kubernetes.io/component": name] }
        func selecting(_ name: String) -> [String: String] { selector.merging(component(name)) { $1 } }
        let memberlist = ["app.kubernetes.io/part-of": "memberlist"]
        let image = "docker.io/grafana/loki:\(appVersion)"
        let mode = release.text("deploymentMode", otherwise: "SimpleScalable")
        var documents = [
            chart.serviceAccount(full),
            chart.configMap(
                full, data: ["config.yaml": "auth_enabled: \(release.flag("loki", "auth_enabled", otherwise: true))\n"]),
            chart.configMap("loki-runtime", data: ["runtime-config.yaml": "{}\n"]),
            chart.service(
                full + "-memberlist", selector: selector.merging(memberlist) { $1 },
                ports: [.init(name: "tcp", port: 7946, target: "http-memberlist")], headless: true),
        ]
        if mode == "SingleBinary" || mode == "SingleBinary<->SimpleScalable" {
            let persistence = release.flag("singleBinary", "persistence", "enabled", otherwise: true)
            var spec: [(key: String, value: Document)] = [
                ("replicas", .int(max(1, release.int("singleBinary", "replicas", otherwise: 0)))),
                ("podManagementPolicy", .string("Parallel")),
                ("updateStrategy", .object([("rollingUpdate", .object([("partition", .int(0))]))])),
                ("serviceName", .string("loki-headless")), ("revisionHistoryLimit", .int(10)),
            ]
            if persistence {
                var claim: [(key: String, value: Document)] = [("accessModes", .array([.string("ReadWriteOnce")]))]
                if let storageClass = release.value("singleBinary", "persistence", "storageClass")?.scalarText {
                    claim.append(("storageClassName", .string(storageClass == "-" ? "" : storageClass)))
                }
                let size = release.text("singleBinary", "persistence", "size", otherwise: "10Gi")
                claim.append(("resources", .object([("requests", .object([("storage", .string(size))]))])))
                spec.append(
                    (
                        "volumeClaimTemplates",
                        .array([
                            .object([
                                ("apiVersion", .string("v1")), ("kind", .string("PersistentVolumeClaim")),
                                ("metadata", .object([("name", .string("storage"))])), ("spec", .object(claim)),
                            ])
                        ])
                    ))
            }
            documents += [
                chart.workload(
                    .statefulSet, full, labels: component("single-binary").merging(memberlist) { $1 },
                    selector: selecting("single-binary"), podLabels: memberlist, serviceAccount: full,
                    containers: [
                        .init(
                            name: "loki", image: image,
                            ports: [("http-metrics", 3100), ("grpc", 9095), ("http-memberlist", 7946)],
                            args: ["-config.file=/etc/loki/config/config.yaml", "-target=all"]),
                        .init(name: "loki-sc-rules", image: "docker.io/kiwigrid/k8s-sidecar:1.30.10"),
                    ],
                    volumes: [
                        .object([("name", .string("tmp")), ("emptyDir", .object([]))]),
                        .object([("name", .string("config")), ("configMap", .object([("name", .string(full))]))]),
                    ]
                        + (persistence ? [] : [.object([("name", .string("storage")), ("emptyDir", .object([]))])]),
                    spec: spec),
                chart.service(
                    full, selector: selecting("single-binary"),
                    ports: [
                        .init(name: "http-metrics", port: 3100, target: "http-metrics"),
                        .init(name: "grpc", port: 9095, target: "grpc"),
                    ]),
                chart.service(
                    "loki-headless", labels: ["variant": "headless", "prometheus.io/service-monitor": "false"],
                    selector: selector, ports: [.init(name: "http-metrics", port: 3100, target: "http-metrics")],
                    headless: true),
            ]
        }
        if release.flag("gateway", "enabled", otherwise: true) {
            let name = full + "-gateway"
            documents += [
                chart.configMap(name, labels: component("gateway"), data: ["nginx.conf": "worker_processes 5;\n"]),
                chart.workload(
                    .deployment, name, labels: component("gateway"), selector: selecting("gateway"),
                    serviceAccount: full,
                    containers: [
                        .init(
                            name: "nginx", image: "docker.io/nginxinc/nginx-unprivileged:1.29-alpine",
                            ports: [("http-metrics", 8080)])
                    ], spec: [("replicas", .int(release.int("gateway", "replicas", otherwise: 1)))]),
                chart.service(
                    name, labels: component("gateway").merging(["prometheus.io/service-monitor": "false"]) { $1 },
                    selector: selecting("gateway"),
                    ports: [.init(name: "http-metrics", port: 80, target: "http-metrics")]),
            ]
        }
        if release.flag("lokiCanary", "enabled", otherwise: true) {
            documents += [
                chart.serviceAccount("loki-canary", labels: component("canary")),
                chart.workload(
                    .daemonSet, "loki-canary", labels: component("canary"), selector: selecting("canary"),
                    serviceAccount: "loki-canary",
                    containers: [
                        .init(
                            name: "loki-canary", image: "docker.io/grafana/loki-canary:\(appVersion)",
                            ports: [("http-metrics", 3500)],
                            args: [
                                "-addr=\(full)-gateway.\(release.namespace).svc.cluster.local.:80", "-labelname=pod",
                                "-labelvalue=$(POD_NAME)", "-push=true",
                            ])
                    ]),
                chart.service(
                    "loki-canary", labels: component("canary"), selector: selecting("canary"),
                    ports: [.init(name: "http-metrics", port: 3500, target: "http-metrics")]),
            ]
        }
        for (section, cache) in [("chunksCache", "chunks-cache"), ("resultsCache", "results-cache")]
        where release.flag(section, "enabled", otherwise: true) && release.flag("memcached", "enabled", otherwise: true)
        {
            let name = "\(full)-\(cache)"
            let labels = ["app.kubernetes.io/component": "memcached-\(cache)", "name": "memcached-\(cache)"]
            documents += [
                chart.workload(
                    .statefulSet, name, labels: labels, selector: selector.merging(labels) { $1 },
                    serviceAccount: full,
                    containers: [
                        .init(name: "memcached", image: "memcached:1.6.39-alpine", ports: [("client", 11211)]),
                        .init(
                            name: "exporter", image: "prom/memcached-exporter:v0.15.3", ports: [("http-metrics", 9150)]),
                    ],
                    spec: [
                        ("podManagementPolicy", .string("Parallel")),
                        ("replicas", .int(release.int(section, "replicas", otherwise: 1))),
                        ("serviceName", .string(name)),
                    ]),
                chart.service(
                    name, labels: labels, selector: selector.merging(labels) { $1 },
                    ports: [
                        .init(name: "memcached-client", port: 11211, target: "client"),
                        .init(name: "http-metrics", port: 9150, target: "http-metrics"),
                    ], headless: true),
            ]
        }
        return documents
    }
}
