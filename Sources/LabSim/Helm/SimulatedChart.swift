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
    /// The rendered manifests, in the order Helm installs them (CRDs first); throws when the
    /// chart's templates refuse the values (a template's `fail`).
    var render: @Sendable (SimulatedChartRelease) throws(SimulatedChartFailure) -> [Document]
}

/// A chart's refusal to render, in Helm's words: `execution error at
/// (CHART/templates/FILE:LINE:COL): MESSAGE`, where the template called `fail`.
struct SimulatedChartFailure: Error, Sendable {
    var message: String

    /// The `fail` at `line` (column 4: `{{- fail …`) of `template` in `chart`.
    init(chart: String, template: String, line: Int, column: Int = 4, _ text: String) {
        message = "execution error at (\(chart)/templates/\(template):\(line):\(column)): \(text)"
    }
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

extension SimulatedChartRelease {
    /// The value at a path of keys, nil when unset (the chart's default then applies).
    func value(_ path: String...) -> Document? { values.at(path) }

    /// A boolean value, `otherwise` when unset.
    func flag(_ path: String..., otherwise: Bool) -> Bool {
        if case .bool(let set)? = values.at(path) { return set }
        return otherwise
    }

    /// An integer value (or a numeric string), `otherwise` when unset.
    func int(_ path: String..., otherwise: Int) -> Int {
        values.at(path)?.scalarText.flatMap { Int($0) } ?? otherwise
    }

    /// A string value, `otherwise` when unset.
    func text(_ path: String..., otherwise: String) -> String {
        values.at(path)?.scalarText ?? otherwise
    }

    /// Helm's `fullname` helper: the release name when it contains `chart`, else
    /// `RELEASE-CHART`, cut to `limit` characters and a trailing `-` trimmed.
    func fullname(_ chart: String, limit: Int = 63) -> String {
        var name = String((name.contains(chart) ? name : "\(name)-\(chart)").prefix(limit))
        while name.hasSuffix("-") { name.removeLast() }
        return name
    }
}
