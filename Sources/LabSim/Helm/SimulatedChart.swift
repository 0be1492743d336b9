import HLSCore

/// A Helm chart as the simulated helm-controller installs it: what `helm template` renders for a
/// release of it (CRDs, the controller's Deployments or DaemonSets, Services, RBAC, webhooks),
/// from the release's values. A chart's simulated controllers (cert-manager's, Longhorn's,
/// Traefik's) run as the workloads it renders, so installing the chart is what starts them.
struct SimulatedChart: Sendable {
    /// The chart's name in its repository (`cert-manager`, `longhorn`, `traefik`).
    var name: String
    /// The version installed when a HelmRelease leaves `spec.chart.spec.version` open.
    var version: String
    /// The rendered manifests, in the order Helm installs them (CRDs first).
    var render: @Sendable (SimulatedChartRelease) -> [Document]
}

/// One release of a chart: where it goes and with what values.
struct SimulatedChartRelease: Sendable {
    /// `spec.releaseName`, or the HelmRelease's name.
    var name: String
    /// `spec.targetNamespace`, or the HelmRelease's namespace.
    var namespace: String
    /// The chart version being installed.
    var version: String
    /// `spec.values` merged over the chart's defaults, as Helm does (a missing key: the default).
    var values: Document
}
