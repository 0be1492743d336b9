import HLSCore

/// The `alloy` chart (grafana, 1.4.0, Alloy v1.11.3) as `helm template` renders it by default:
/// its ServiceAccount, the `config.alloy` ConfigMap, the DaemonSet (`controller.type`; a
/// Deployment or StatefulSet of `controller.replicas` when set so) running `alloy` and its
/// `config-reloader`, and the Service on port 12345.
enum AlloyChart {
    static let chart = SimulatedChart(name: "alloy", version: "1.4.0") { release in
        let name = release.fullname("alloy")
        let (chart, selector) = ChartObjects.standard(
            release, name: "alloy", chart: "alloy-\(release.version)", appVersion: "v1.11.3",
            extra: ["app.kubernetes.io/part-of": "alloy"])
        let kind: SimulatedWorkload.Kind =
            switch release.text("controller", "type", otherwise: "daemonset") {
            case "deployment": .deployment
            case "statefulset": .statefulSet
            default: .daemonSet
            }
        var spec: [(key: String, value: Document)] = [("minReadySeconds", .int(10))]
        if kind != .daemonSet { spec.append(("replicas", .int(release.int("controller", "replicas", otherwise: 1)))) }
        let config = release.text("alloy", "configMap", "content", otherwise: "")
        return [
            chart.serviceAccount(name),
            chart.configMap(name, data: ["config.alloy": config]),
            chart.workload(
                kind, name, selector: selector, podLabels: ["app.kubernetes.io/name": "alloy"], serviceAccount: name,
                containers: [
                    .init(
                        name: "alloy", image: "docker.io/grafana/alloy:v1.11.3", ports: [("http-metrics", 12345)],
                        args: [
                            "run", "/etc/alloy/config.alloy", "--storage.path=/tmp/alloy",
                            "--server.http.listen-addr=0.0.0.0:12345", "--server.http.ui-path-prefix=/",
                            "--stability.level=generally-available",
                        ]),
                    .init(
                        name: "config-reloader",
                        image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.81.0",
                        args: ["--watched-dir=/etc/alloy", "--reload-url=http://localhost:12345/-/reload"]),
                ],
                volumes: [.object([("name", .string("config")), ("configMap", .object([("name", .string(name))]))])],
                spec: spec),
            chart.service(name, selector: selector, ports: [.init(name: "http-metrics", port: 12345, target: "12345")]),
        ]
    }
}
