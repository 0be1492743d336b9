import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import LabSim

/// The observability charts the scaffold installs (kube-prometheus-stack, loki, alloy) and the
/// simulated prometheus-operator, read with the real kubectl: the operator's CRDs and their
/// printer columns, the workloads under their charts' names, the operator turning Prometheus and
/// Alertmanager objects into StatefulSets and reporting on them, and loki's own validation.
final class ObservabilityChartsTests: XCTestCase {
    /// Two nodes and the monitoring namespace; with `loki`, Alloy's pushes land there and the
    /// service proxy reaches its pods.
    private func cluster(loki: SimulatedLoki? = nil) throws -> KubeSimFixture {
        let kube = try KubeSimFixture(
            sim: KubeAPISimulator(
                options: .init(), controllers: SimulatedPrometheusOperator.controllers() + [SimulatedAlloy(loki: loki)],
                backends: loki.map { [$0.backend] } ?? []))
        for (index, name) in ["k3s-cp-01", "k3s-wk-01"].enumerated() {
            try kube.sim.registerNode(
                KubeNodeRegistration(
                    name: name, internalIP: "192.168.10.\(21 + index)", controlPlane: index == 0,
                    version: "v1.33.4+k3s1"))
        }
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: "{apiVersion: v1, kind: Namespace, metadata: {name: monitoring}}")
        return kube
    }

    /// Applies a chart's rendering as helm-controller would: CRDs first, then the rest.
    private func install(_ chart: SimulatedChart, _ kube: KubeSimFixture, name: String, values: String = "{}") throws {
        let release = SimulatedChartRelease(
            name: name, namespace: "monitoring", version: chart.version, values: try YAMLCodec.decode(values))
        let rendered = try chart.render(release)
        for crds in [true, false] {
            let part = rendered.filter { ($0.text("kind") == "CustomResourceDefinition") == crds }
            guard !part.isEmpty else { continue }
            try kube.kubectlOK(
                ["apply", "--server-side", "-n", "monitoring", "-f", "-"],
                stdin: part.map(YAMLCodec.encode).joined(separator: "---\n"))
        }
    }

    /// `kubectl get ARGS`'s lines, each split into its cells.
    private func table(_ kube: KubeSimFixture, _ arguments: [String]) throws -> [[String]] {
        try kube.kubectlOK(["get"] + arguments).split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
    }

    private func eventually(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        XCTFail("never: \(what)")
    }

    func testKubePrometheusStackInstallsTheOperatorsCRDsAndTheOperatorRunsPrometheusAndAlertmanager() throws {
        let kube = try cluster()
        try install(
            KubePrometheusStackChart.chart, kube, name: "kube-prometheus-stack",
            values: """
                grafana:
                  ingress:
                    enabled: true
                    hosts: [grafana.home.example.com]
                    tls: [{hosts: [grafana.home.example.com], secretName: grafana-tls}]
                    annotations: {cert-manager.io/cluster-issuer: letsencrypt-production}
                  additionalDataSources:
                    - {name: Loki, type: loki, access: proxy, url: "http://loki-gateway.monitoring.svc.cluster.local"}
                """)
        let crds = try table(kube, ["crd", "-o", "name"]).map { $0[0] }
        XCTAssertEqual(
            crds.filter { $0.hasSuffix(".monitoring.coreos.com") }.sorted(),
            [
                "alertmanagerconfigs", "alertmanagers", "podmonitors", "probes", "prometheusagents", "prometheuses",
                "prometheusrules", "scrapeconfigs", "servicemonitors", "thanosrulers",
            ].map { "customresourcedefinition.apiextensions.k8s.io/\($0).monitoring.coreos.com" })
        XCTAssertEqual(
            try kube.kubectlOK([
                "api-resources", "--api-group=monitoring.coreos.com", "--categories=prometheus-operator", "-o", "name",
            ])
            .split(separator: "\n").count, 10, "short names and category")

        // The charts' workloads, by their real names.
        for (kind, name) in [
            ("deployment", "kube-prometheus-stack-operator"), ("deployment", "kube-prometheus-stack-grafana"),
            ("deployment", "kube-prometheus-stack-kube-state-metrics"),
            ("daemonset", "kube-prometheus-stack-prometheus-node-exporter"),
        ] {
            try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "\(kind)/\(name)", "--timeout=30s"])
        }
        let ingress = try JSONCodec.decode(
            try kube.kubectlOK(["get", "ingress", "kube-prometheus-stack-grafana", "-n", "monitoring", "-o", "json"]))
        XCTAssertEqual(ingress["spec"]?["rules"]?.items.first?.text("host"), "grafana.home.example.com")
        XCTAssertEqual(
            ingress["spec"]?["rules"]?.items.first?.at(["http", "paths"])?.items.first?.at([
                "backend", "service", "name",
            ])?.scalarText, "kube-prometheus-stack-grafana")
        XCTAssertEqual(
            ingress.text("metadata", "annotations", "cert-manager.io/cluster-issuer"), "letsencrypt-production")

        // The operator makes the StatefulSets and reports on the objects as its printer columns show.
        for set in ["prometheus-kube-prometheus-stack-prometheus", "alertmanager-kube-prometheus-stack-alertmanager"] {
            try eventually("statefulset \(set)") {
                try kube.kubectl(["get", "statefulset", set, "-n", "monitoring"]).status == 0
            }
            try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "statefulset/\(set)", "--timeout=30s"])
        }
        try eventually("Prometheus Available") {
            let rows = try table(kube, ["prometheus", "-n", "monitoring"])
            return rows.count == 2 && rows[1].count == 7 && rows[1][5] == "True"
        }
        let prometheus = try table(kube, ["prometheus", "-n", "monitoring", "-o", "wide"])
        XCTAssertEqual(
            prometheus[0], ["NAME", "VERSION", "DESIRED", "READY", "RECONCILED", "AVAILABLE", "AGE", "PAUSED"])
        XCTAssertEqual(
            prometheus[1].enumerated().filter { $0.offset != 6 }.map(\.element),
            ["kube-prometheus-stack-prometheus", "v3.7.3", "1", "1", "True", "True", "false"])
        try eventually("Alertmanager Available") {
            let rows = try table(kube, ["alertmanager", "-n", "monitoring"])
            return rows.count == 2
                && rows[0] == ["NAME", "VERSION", "REPLICAS", "READY", "RECONCILED", "AVAILABLE", "AGE"]
                && rows[1].prefix(6) == ["kube-prometheus-stack-alertmanager", "v0.29.0", "1", "1", "True", "True"]
        }
        let set = try JSONCodec.decode(
            try kube.kubectlOK([
                "get", "statefulset", "prometheus-kube-prometheus-stack-prometheus", "-n", "monitoring", "-o", "json",
            ]))
        XCTAssertEqual(set.text("spec", "serviceName"), "prometheus-operated")
        XCTAssertEqual(
            set.at(["spec", "selector", "matchLabels"])?.stringMap,
            [
                "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
                "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/name": "prometheus",
                "operator.prometheus.io/name": "kube-prometheus-stack-prometheus", "operator.prometheus.io/shard": "0",
                "prometheus": "kube-prometheus-stack-prometheus",
            ])
        XCTAssertEqual(set.at(["metadata", "ownerReferences"])?.items.first?.text("kind"), "Prometheus")
        for service in ["prometheus-operated", "alertmanager-operated"] {
            let governing = try JSONCodec.decode(
                try kube.kubectlOK(["get", "service", service, "-n", "monitoring", "-o", "json"]))
            XCTAssertEqual(governing.text("spec", "clusterIP"), "None", service)
        }
        let pods = try table(kube, ["pods", "-n", "monitoring", "-l", "app.kubernetes.io/name=prometheus"])
        XCTAssertEqual(
            pods.dropFirst().map { [$0[0], $0[2]] }, [["prometheus-kube-prometheus-stack-prometheus-0", "Running"]])

        // Grafana's data sources: the release's Prometheus and Alertmanager (their Services), then
        // the additional ones as given.
        let datasources: Document = try YAMLCodec.decode(
            try kube.kubectlOK([
                "get", "configmap", "kube-prometheus-stack-grafana-datasource", "-n", "monitoring", "-o",
                "jsonpath={.data.datasource\\.yaml}",
            ]))
        let sources = datasources["datasources"]?.items ?? []
        XCTAssertEqual(sources.compactMap { $0.text("name") }, ["Prometheus", "Alertmanager", "Loki"])
        XCTAssertEqual(sources.last?.text("url"), "http://loki-gateway.monitoring.svc.cluster.local")
        for source in sources.prefix(2) {
            let host = try XCTUnwrap(source.text("url")?.split(separator: "/")[1].split(separator: ":")[0])
            let service = host.split(separator: ".").map(String.init)
            try kube.kubectlOK(["get", "service", service[0], "-n", service[1]])
        }
    }

    func testLokiSingleBinaryRendersItsStatefulSetServicesGatewayAndCanary() throws {
        let kube = try cluster()
        try installLoki(kube)
        let services = try table(kube, ["services", "-n", "monitoring", "-o", "name"]).map { $0[0] }
        XCTAssertEqual(
            services.sorted(),
            ["loki", "loki-canary", "loki-gateway", "loki-headless", "loki-memberlist"].map { "service/\($0)" })
        XCTAssertEqual(
            try kube.kubectlOK(["get", "pvc", "-n", "monitoring", "-o", "name"]),
            "persistentvolumeclaim/storage-loki-0\n",
            "the StatefulSet's claim template")
        XCTAssertEqual(
            try kube.kubectlOK(["get", "statefulset", "-n", "monitoring", "-o", "name"]), "statefulset.apps/loki\n",
            "no memcached caches while disabled")
    }

    /// The loki chart in SingleBinary mode, its claim bound by hand (no storage provisioner
    /// here), rolled out with its gateway and canary.
    private func installLoki(_ kube: KubeSimFixture) throws {
        try install(
            LokiChart.chart, kube, name: "loki",
            values: """
                deploymentMode: SingleBinary
                loki:
                  storage: {type: filesystem}
                  schemaConfig: {configs: [{from: "2024-04-01", store: tsdb, object_store: filesystem, schema: v13}]}
                singleBinary: {replicas: 1}
                backend: {replicas: 0}
                read: {replicas: 0}
                write: {replicas: 0}
                chunksCache: {enabled: false}
                resultsCache: {enabled: false}
                """)
        // Its claim (no storage provisioner here) binds by hand, and only then its pod is scheduled.
        try eventually("the claim of loki-0") {
            try kube.kubectl(["get", "pvc", "storage-loki-0", "-n", "monitoring"]).status == 0
        }
        XCTAssertNil(
            try JSONCodec.decode(try kube.kubectlOK(["get", "pod", "loki-0", "-n", "monitoring", "-o", "json"]))
                .text("spec", "nodeName"), "scheduled with its claim unbound")
        try kube.kubectlOK([
            "patch", "pvc", "storage-loki-0", "-n", "monitoring", "--type=merge", "-p",
            #"{"spec":{"volumeName":"pv-loki"}}"#,
        ])
        try kube.kubectlOK([
            "patch", "pvc", "storage-loki-0", "-n", "monitoring", "--subresource=status", "--type=merge", "-p",
            #"{"status":{"phase":"Bound"}}"#,
        ])
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "statefulset/loki", "--timeout=30s"])
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "deployment/loki-gateway", "--timeout=30s"])
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "daemonset/loki-canary", "--timeout=30s"])
    }

    /// Alloy with the scaffold's pipeline (pods of its node, relabelled, to Loki's gateway) ships
    /// the containers' lines, and Loki's read API answers for them through the apiserver's service
    /// proxy as `kubectl get --raw` calls it: streams, labels, label values, line filters, and
    /// Loki's refusals.
    func testAlloyShipsThePodsLogsAndLokisQueryAPIAnswersThroughTheServiceProxy() throws {
        let loki = SimulatedLoki()
        let kube = try cluster(loki: loki)
        let api = "/api/v1/namespaces/monitoring/services/loki-gateway:80/proxy/loki/api/v1"
        let down = try kube.kubectl(["get", "--raw", api + "/labels"])
        XCTAssertNotEqual(down.status, 0)
        XCTAssertTrue(down.stderr.contains(#"services "loki-gateway" not found"#), down.stderr)
        try installLoki(kube)
        try install(
            AlloyChart.chart, kube, name: "alloy",
            values: """
                alloy:
                  configMap:
                    content: |
                      discovery.kubernetes "pods" {
                        role = "pod"
                      }
                      discovery.relabel "pods" {
                        targets = discovery.kubernetes.pods.targets
                        rule {
                          source_labels = ["__meta_kubernetes_namespace"]
                          target_label  = "namespace"
                        }
                        rule {
                          source_labels = ["__meta_kubernetes_pod_name"]
                          target_label  = "pod"
                        }
                        rule {
                          source_labels = ["__meta_kubernetes_pod_container_name"]
                          target_label  = "container"
                        }
                      }
                      loki.source.kubernetes "pods" {
                        targets    = discovery.relabel.pods.output
                        forward_to = [loki.write.default.receiver]
                      }
                      loki.write "default" {
                        endpoint {
                          url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"
                        }
                      }
                """)
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "daemonset/alloy", "--timeout=30s"])
        func raw(_ path: String, _ query: [(String, String)] = []) throws -> Document {
            let encoded = query.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
            return try JSONCodec.decode(
                try kube.kubectlOK(["get", "--raw", api + path + (encoded.isEmpty ? "" : "?" + encoded)]))
        }
        let started = #"{namespace="monitoring", container="loki"} |= "container loki started""#
        try eventually("Loki has the loki container's start") {
            (try raw("/query_range", [("query", started)])["data"]?["result"]?.items.count ?? 0) == 1
        }
        let found = try raw("/query_range", [("query", started)])
        XCTAssertEqual(found.text("status"), "success")
        let stream = try XCTUnwrap(found["data"]?["result"]?.items.first)
        XCTAssertEqual(stream["stream"]?.stringMap, ["namespace": "monitoring", "pod": "loki-0", "container": "loki"])
        XCTAssertEqual(
            stream["values"]?.items.first?.items.last?.scalarText,
            "hlsh-sim: container loki started (image docker.io/grafana/loki:\(LokiChart.appVersion))")
        XCTAssertEqual(
            try raw("/labels")["data"], .array([.string("container"), .string("namespace"), .string("pod")]))
        XCTAssertTrue(
            try raw("/label/container/values")["data"]?.items.contains(.string("alloy")) ?? false,
            "Alloy's own pods are shipped too")
        // Metric queries: a matrix from query_range (one sample a second, from a whole second on:
        // the loki chart aligns the range to the step), a vector from query.
        let perContainer = [
            ("query", #"sum by (container) (count_over_time({namespace="monitoring"} |= "started" [1h]))"#),
            ("step", "1"),
        ]
        try eventually("a sample of the started lines") {
            !(try raw("/query_range", perContainer)["data"]?["result"]?.items.isEmpty ?? true)
        }
        let counted = try raw("/query_range", perContainer)
        XCTAssertEqual(counted.text("data", "resultType"), "matrix", "\(counted)")
        let series = counted["data"]?["result"]?.items ?? []
        XCTAssertTrue(series.contains { $0["metric"] == .object([("container", .string("loki"))]) }, "\(series)")
        let point = try XCTUnwrap(series.first?["values"]?.items.last?.items)
        XCTAssertEqual(point.count, 2)
        XCTAssertNotNil(Double(point[1].scalarText ?? ""), "a value is Go's float as text: \(point)")
        let now = try raw("/query", [("query", #"count(rate({namespace="monitoring"}[1h]))"#)])
        XCTAssertEqual(now.text("data", "resultType"), "vector", "\(now)")
        XCTAssertEqual(now["data"]?["result"]?.items.first?["metric"], .object([]))

        let refused = try kube.kubectl([
            "get", "--raw", api + "/query_range?query=" + Self.percentEncoded(#"{foo="bar""#),
        ])
        // Loki's 400 comes through as it is; kubectl shows a body that is no Status only as the
        // status's meaning (the words are SimulatedLokiTests').
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.stderr.contains("Error from server (BadRequest): the server rejected our request"), refused.stderr)
        let gateway = loki.answer(
            method: "GET", path: "/loki/api/v1/query_range", query: [(name: "query", value: #"{foo="bar""#)])
        XCTAssertEqual(gateway.body, "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,")

        // The gateway's machine goes down: its endpoint is still there, the API server's dial fails.
        let pods = try kube.kubectlOK([
            "get", "pods", "-n", "monitoring", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{\"\\n\"}{end}",
        ])
        let node = try XCTUnwrap(
            pods.split(separator: "\n").first { $0.hasPrefix("loki-gateway-") }?.split(separator: " ").last.map(
                String.init),
            pods)
        try kube.sim.setNodeReady(node, false)
        let unreachable = try kube.kubectl(["get", "--raw", api + "/labels"])
        XCTAssertNotEqual(unreachable.status, 0)
        XCTAssertTrue(
            unreachable.stderr.contains(
                "Error from server (ServiceUnavailable): error trying to reach service: dial tcp "),
            unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains(": connect: no route to host"), unreachable.stderr)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func testLokisValidationRefusesAsTheChartDoes() throws {
        func refusal(_ values: String) throws -> String? {
            let release = SimulatedChartRelease(
                name: "loki", namespace: "monitoring", version: LokiChart.version, values: try YAMLCodec.decode(values))
            do {
                _ = try LokiChart.chart.render(release)
                return nil
            } catch { return error.message }
        }
        XCTAssertEqual(
            try refusal("{deploymentMode: SingleBinary, singleBinary: {replicas: 1}}"),
            "execution error at (loki/templates/validate.yaml:31:4): You have more than zero replicas configured for both the single binary and simple scalable targets. If this was intentional change the deploymentMode to the transitional 'SingleBinary<->SimpleScalable' mode"
        )
        XCTAssertEqual(
            try refusal("{loki: {storage: {type: filesystem}}, backend: {replicas: 0}}"),
            "execution error at (loki/templates/validate.yaml:19:4): Cannot run scalable targets (backend, read, write) or distributed targets without an object storage backend."
        )
        XCTAssertEqual(
            try refusal(
                "{deploymentMode: SingleBinary, singleBinary: {replicas: 1}, backend: {replicas: 0}, read: {replicas: 0}, write: {replicas: 0}}"
            ),
            "execution error at (loki/templates/validate.yaml:40:4): You must provide a schema_config for Loki, one is not provided as this will be individual for every Loki cluster. See https://grafana.com/docs/loki/latest/operations/storage/schema/ for schema information. For quick testing (with no persistence) add `--set loki.useTestSchema=true`"
        )
        XCTAssertNil(
            try refusal("{loki: {useTestSchema: true}}"), "the default simple-scalable mode with object storage")
    }

    func testAlloyRunsAsADaemonSetOnEveryNode() throws {
        let kube = try cluster()
        try install(AlloyChart.chart, kube, name: "alloy")
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "daemonset/alloy", "--timeout=30s"])
        let pods = try table(kube, ["pods", "-n", "monitoring", "-l", "app.kubernetes.io/name=alloy"])
        XCTAssertEqual(pods.dropFirst().map { $0[1] }, ["2/2", "2/2"], "both containers on both nodes")
    }

    /// Alloy's `loki.write` pushing where no Loki answers: the pods stay Running and each logs
    /// the client's retry with the dial error, until a Service of that name and port exists.
    func testAlloyLogsItsFailedPushesUntilLokisServiceIsThere() throws {
        let kube = try cluster()
        let push = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"
        try install(
            AlloyChart.chart, kube, name: "alloy",
            values: """
                alloy:
                  configMap:
                    content: |
                      // loki.write "commented" { endpoint { url = "http://nowhere/" } }
                      loki.write "default" {
                        endpoint {
                          url = "\(push)"
                        }
                      }
                """)
        XCTAssertTrue(
            try kube.kubectlOK([
                "get", "configmap", "alloy", "-n", "monitoring", "-o", "jsonpath={.data.config\\.alloy}",
            ])
            .contains(push), "the chart's ConfigMap carries the configuration")
        try kube.kubectlOK(["rollout", "status", "-n", "monitoring", "daemonset/alloy", "--timeout=30s"])
        let pods = try table(kube, ["pods", "-n", "monitoring", "-l", "app.kubernetes.io/name=alloy"]).dropFirst()
        XCTAssertEqual(pods.map { $0[2] }, ["Running", "Running"])
        func log(_ pod: String, since: String? = nil) throws -> String {
            try kube.kubectlOK(
                ["logs", "-n", "monitoring", pod, "-c", "alloy"] + (since.map { ["--since=" + $0] } ?? []))
        }
        let lookup =
            #"level=warn msg="error sending batch, will retry" component_path=/ component_id=loki.write.default component=client host=loki-gateway.monitoring.svc.cluster.local status=-1 tenant="" error="Post \"\#(push)\": dial tcp: lookup loki-gateway.monitoring.svc.cluster.local on 10.43.0.10:53: no such host""#
        for pod in pods.map({ $0[0] }) {
            try eventually("\(pod) logs its failed push") { try log(pod).contains(lookup) }
        }
        XCTAssertFalse(try log(pods.first![0]).contains("nowhere"), "a commented-out component is not run")

        func service(port: Int) throws {
            try kube.kubectlOK(
                ["apply", "--server-side", "--force-conflicts", "-f", "-"],
                stdin: """
                    {apiVersion: v1, kind: Service, metadata: {name: loki-gateway, namespace: monitoring},
                     spec: {selector: {app: loki}, ports: [{name: http, port: \(port)}]}}
                    """)
        }
        try service(port: 3100)
        try eventually("a push to a port the Service lacks times out") {
            try log(pods.first![0]).contains(#"\": context deadline exceeded""#)
        }
        try service(port: 80)
        sleep(7)
        XCTAssertFalse(
            try log(pods.first![0], since: "5s").contains("error sending batch"), "pushes reach the Service")
    }
}

extension FluxControllersTests {
    /// helm-controller reports the loki chart's refusal with Helm's message, then installs it
    /// once the values are complete.
    func testAChartsRefusalIsInstallFailedWithTheTemplatesMessage() throws {
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: Self.helmRepository("grafana", url: "https://grafana.github.io/helm-charts"))
        func release(_ values: String) -> String {
            """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: loki, namespace: flux-system}
            spec:
              interval: 1h
              chart: {spec: {chart: loki, version: "6.46.0", sourceRef: {kind: HelmRepository, name: grafana}}}
              values: \(values)
            """
        }
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: release("{deploymentMode: SingleBinary, singleBinary: {replicas: 1}}"))
        let refused = try waitFor("hr", "loki") { Self.ready($0).status == "False" }
        XCTAssertEqual(refused.map(Self.ready)?.reason, "InstallFailed")
        XCTAssertEqual(
            refused.map(Self.ready)?.message,
            "Helm install failed for release flux-system/loki.v1 with chart loki@6.46.0: execution error at (loki/templates/validate.yaml:31:4): You have more than zero replicas configured for both the single binary and simple scalable targets. If this was intentional change the deploymentMode to the transitional 'SingleBinary<->SimpleScalable' mode"
        )
        XCTAssertNil(try object("statefulset", "loki"), "nothing installed")
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: release(
                "{deploymentMode: SingleBinary, singleBinary: {replicas: 1}, backend: {replicas: 0}, read: {replicas: 0}, write: {replicas: 0}, loki: {storage: {type: filesystem}, schemaConfig: {configs: [{from: '2024-04-01', store: tsdb, object_store: filesystem, schema: v13}]}}}"
            ))
        // Installed: Helm now waits for Loki's pod (which this fixture's lab never runs).
        let installing = try waitFor("hr", "loki") { Self.ready($0).reason == "Progressing" }
        XCTAssertEqual(installing.map(Self.ready)?.message, "Running 'install' action with timeout of 5m0s")
        XCTAssertNotNil(try object("statefulset", "loki"))
    }
}
