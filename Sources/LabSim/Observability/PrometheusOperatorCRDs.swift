import HLSCore

/// prometheus-operator's CRDs (`monitoring.coreos.com`, operator v0.86.2) as kube-prometheus-stack's
/// `crds` subchart holds them: names, short names, the `prometheus-operator` category and the
/// printer columns of the four workload kinds (Version, replicas, Ready, Reconciled, Available,
/// Age, then Paused with `-o wide`); schemas left open.
enum PrometheusOperatorCRDs {
    static let group = "monitoring.coreos.com"

    /// The CRDs, in the chart's file order.
    static var all: [SimulatedCRD] {
        [
            crd("AlertmanagerConfig", "alertmanagerconfigs", "amcfg", version: "v1alpha1"),
            crd("Alertmanager", "alertmanagers", "am", columns: workloadColumns("Alertmanager", desired: "Replicas")),
            crd("PodMonitor", "podmonitors", "pmon"), crd("Probe", "probes", "prb"),
            crd(
                "PrometheusAgent", "prometheusagents", "promagent", version: "v1alpha1",
                columns: workloadColumns("Prometheus agent", desired: "Desired")),
            crd("Prometheus", "prometheuses", "prom", columns: workloadColumns("Prometheus", desired: "Desired")),
            crd("PrometheusRule", "prometheusrules", "promrule"),
            crd("ScrapeConfig", "scrapeconfigs", "scfg", version: "v1alpha1"),
            crd("ServiceMonitor", "servicemonitors", "smon"),
            crd("ThanosRuler", "thanosrulers", "ruler", columns: workloadColumns("Thanos Ruler", desired: "Replicas")),
        ]
    }

    private static func crd(
        _ kind: String, _ plural: String, _ short: String, version: String = "v1", columns: [SimulatedCRD.Column] = []
    ) -> SimulatedCRD {
        SimulatedCRD(
            group: group, version: version, kind: kind, plural: plural, shortNames: [short],
            categories: ["prometheus-operator"], columns: columns)
    }

    /// The columns of a kind the operator runs as a StatefulSet.
    private static func workloadColumns(_ what: String, desired: String) -> [SimulatedCRD.Column] {
        func condition(_ type: String) -> SimulatedCRD.Column {
            .init(name: type, jsonPath: ".status.conditions[?(@.type == '\(type)')].status")
        }
        return [
            .init(name: "Version", jsonPath: ".spec.version", description: "The version of \(what)"),
            .init(
                name: desired, type: "integer", jsonPath: ".spec.replicas",
                description: "The number of desired replicas"),
            .init(
                name: "Ready", type: "integer", jsonPath: ".status.availableReplicas",
                description: "The number of ready replicas"),
            condition("Reconciled"), condition("Available"),
            .init(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp"),
            .init(
                name: "Paused", type: "boolean", jsonPath: ".status.paused",
                description: "Whether the resource reconciliation is paused or not", priority: 1),
        ]
    }
}
