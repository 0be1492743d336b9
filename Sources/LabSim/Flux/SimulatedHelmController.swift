import HLSCore
import HLSCrypto
import HLSFormats

/// helm-controller: a HelmRelease is installed once its HelmRepository
/// (`spec.chart.spec.sourceRef`) is Ready and its `dependsOn` are: the chart, from the catalog
/// of `SimulatedChart`s, is rendered and applied server-side as `helm-controller` into the
/// target namespace, Helm's release Secret `sh.helm.release.v1.NAME.vN` is written, and the
/// status records the release (`history[0].chartVersion`, Ready and Released
/// `InstallSucceeded`/`UpgradeSucceeded`). A chart the catalog lacks is Ready=False with the
/// controller's message.
struct SimulatedHelmController: SimulatedController {
    let charts: [SimulatedChart]
    let faults: FluxFaults
    let requeueDependency: Duration

    let name = "helm-controller"
    let resource = FluxResources.helmReleases
    let follows = [FluxResources.helmRepositories]
    var workload: SimulatedWorkload? { FluxResources.workload("helm-controller") }

    func reconcile(_ document: Document, client: KubeInProcessClient) -> Duration? {
        var object = FluxObject(document, resource)
        guard !object.suspended else { return nil }
        defer { object.write(client: client) }
        let spec = document.at(["spec", "chart", "spec"]) ?? .object([])
        let chartName = spec.text("chart") ?? ""
        let ref = spec["sourceRef"] ?? .object([])
        let (sourceNamespace, sourceName) = object.reference(ref)
        let helmChart = "\(sourceNamespace)/\(object.namespace)-\(object.name)"
        object.status.set("helmChart", .string(helmChart))
        for dependency in document.at(["spec", "dependsOn"])?.items ?? [] {
            let (ns, name) = object.reference(dependency)
            guard let other = try? client.get(resource.path(namespace: ns, name: name)), FluxObject.isReady(other)
            else {
                object.fail("DependencyNotReady", "dependency '\(ns)/\(name)' is not ready")
                return requeueDependency
            }
        }
        guard
            let source = try? client.get(
                FluxResources.helmRepositories.path(namespace: sourceNamespace, name: sourceName)),
            FluxObject.isReady(source)
        else {
            object.fail(
                "ArtifactFailed",
                "HelmChart '\(helmChart)' is not ready: HelmRepository '\(sourceNamespace)/\(sourceName)' is not ready")
            return object.retryInterval
        }
        let wanted = spec.text("version") ?? "*"
        guard let chart = charts.first(where: { $0.name == chartName }) else {
            object.fail(
                "ArtifactFailed",
                "HelmChart '\(helmChart)' is not ready: invalid chart reference: failed to get chart version for remote reference: no chart name found"
            )
            return object.retryInterval
        }
        guard Self.versionMatches(wanted, chart.version) else {
            object.fail(
                "ArtifactFailed",
                "HelmChart '\(helmChart)' is not ready: invalid chart reference: failed to get chart version for remote reference: no '\(chartName)' chart with version matching '\(wanted)' found"
            )
            return object.retryInterval
        }
        if let message = faults.strike(kind: object.kind, namespace: object.namespace, name: object.name) {
            object.fail("InstallFailed", message)
            return object.retryInterval
        }
        let target = document.text("spec", "targetNamespace") ?? object.namespace
        let releaseName =
            document.text("spec", "releaseName")
            ?? (document.text("spec", "targetNamespace").map { "\($0)-\(object.name)" } ?? object.name)
        let storageNamespace = document.text("spec", "storageNamespace") ?? object.namespace
        let values = document.at(["spec", "values"]) ?? .object([])
        let configDigest = "sha256:" + Hex.encode(SHA.sha256(Array(JSONCodec.encode(values).utf8)))
        let history = document.at(["status", "history"])?.items ?? []
        let last = history.first
        if let last, last.text("chartVersion") == chart.version, last.text("configDigest") == configDigest,
            KubeStoreState.conditionIsTrue(document, "Ready")
        {
            return object.interval()
        }
        let version: Int = if case .int(let v)? = last?["version"] { v + 1 } else { 1 }
        let action = last == nil ? "install" : "upgrade"
        let failed = action == "install" ? "InstallFailed" : "UpgradeFailed"
        object.status.set("lastAttemptedRevision", .string(chart.version))
        object.status.set("lastAttemptedGeneration", .int(object.generation))
        object.status.set("lastAttemptedReleaseAction", .string(action))
        object.status.set("lastAttemptedConfigDigest", .string(configDigest))
        object.status.set("storageNamespace", .string(storageNamespace))
        let release = "\(target)/\(releaseName).v\(version)"
        let namespacePath = FluxResources.namespaces.path(namespace: nil, name: target)
        if (try? client.get(namespacePath)) == nil {
            guard document.at(["spec", "install", "createNamespace"]) == .bool(true) else {
                object.fail(
                    failed,
                    "Helm \(action) failed for release \(release) with chart \(chartName)@\(chart.version): create: failed to create: namespaces \"\(target)\" not found"
                )
                return object.retryInterval
            }
            _ = try? client.apply(
                namespacePath,
                .object([
                    ("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                    ("metadata", .object([("name", .string(target))])),
                ]))
        }
        let rendered: [Document]
        do {
            rendered = try chart.render(
                SimulatedChartRelease(name: releaseName, namespace: target, version: chart.version, values: values))
        } catch {
            object.fail(
                failed,
                "Helm \(action) failed for release \(release) with chart \(chartName)@\(chart.version): \(error.message)"
            )
            return object.retryInterval
        }
        for var manifest in FluxResources.applyOrder(rendered) {
            let kind = manifest.text("kind") ?? ""
            let apiVersion = manifest.text("apiVersion") ?? ""
            let name = manifest.text("metadata", "name") ?? ""
            guard let type = client.api.store.transact({ $0.types.type(apiVersion: apiVersion, kind: kind) }) else {
                object.fail(
                    failed,
                    "Helm \(action) failed for release \(release) with chart \(chartName)@\(chart.version): unable to build kubernetes objects from release manifest: resource mapping not found for name: \"\(name)\" namespace: \"\(target)\" from \"\": no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
                )
                return object.retryInterval
            }
            let namespace = type.namespaced ? (manifest.text("metadata", "namespace") ?? target) : nil
            if let namespace { manifest.set(["metadata", "namespace"], .string(namespace)) }
            var labels = manifest.at(["metadata", "labels"]) ?? .object([])
            labels.set("app.kubernetes.io/managed-by", .string("Helm"))
            labels.set("helm.toolkit.fluxcd.io/name", .string(object.name))
            labels.set("helm.toolkit.fluxcd.io/namespace", .string(object.namespace))
            manifest.set(["metadata", "labels"], labels)
            var annotations = manifest.at(["metadata", "annotations"]) ?? .object([])
            annotations.set("meta.helm.sh/release-name", .string(releaseName))
            annotations.set("meta.helm.sh/release-namespace", .string(target))
            manifest.set(["metadata", "annotations"], annotations)
            let resource = KubeResourceName(group: type.group, version: type.version, plural: type.plural)
            do { try client.apply(resource.path(namespace: namespace, name: name), manifest) } catch {
                object.fail(
                    failed,
                    "Helm \(action) failed for release \(release) with chart \(chartName)@\(chart.version): \(error.message)"
                )
                return object.retryInterval
            }
        }
        let now = KubeTime.rfc3339(KubeTime.now())
        let releaseSecret = "sh.helm.release.v1.\(releaseName).v\(version)"
        let record = Document.object([
            ("name", .string(releaseName)), ("namespace", .string(target)), ("version", .int(version)),
            ("chart", .object([("name", .string(chartName)), ("version", .string(chart.version))])),
            ("config", values), ("info", .object([("status", .string("deployed")), ("last_deployed", .string(now))])),
        ])
        let encoded = Base64.encode(Array(JSONCodec.encode(record).utf8))
        _ = try? client.apply(
            FluxResources.secrets.path(namespace: storageNamespace, name: releaseSecret),
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                (
                    "metadata",
                    .object([
                        ("name", .string(releaseSecret)), ("namespace", .string(storageNamespace)),
                        (
                            "labels",
                            .stringMap([
                                "name": releaseName, "owner": "helm", "status": "deployed", "version": String(version),
                            ])
                        ),
                    ])
                ),
                ("type", .string("helm.sh/release.v1")),
                ("data", .object([("release", .string(Base64.encode(Array(encoded.utf8))))])),
            ]))
        let snapshot = Document.object([
            ("chartName", .string(chartName)), ("chartVersion", .string(chart.version)),
            ("configDigest", .string(configDigest)),
            ("digest", .string("sha256:" + Hex.encode(SHA.sha256(Array(encoded.utf8))))),
            ("firstDeployed", .string(last?.text("firstDeployed") ?? now)), ("lastDeployed", .string(now)),
            ("name", .string(releaseName)), ("namespace", .string(target)), ("status", .string("deployed")),
            ("version", .int(version)),
        ])
        object.status.set("history", .array([snapshot] + history.prefix(4)))
        let reason = action == "install" ? "InstallSucceeded" : "UpgradeSucceeded"
        let message = "Helm \(action) succeeded for release \(release) with chart \(chartName)@\(chart.version)"
        object.condition("Ready", true, reason, message)
        object.condition("Released", true, reason, message)
        object.removeCondition("Reconciling")
        return object.interval()
    }

    /// Whether a chart version satisfies `spec.chart.spec.version`: `*`, the version itself, or
    /// a pattern with `x`/`*` components (`1.x`, `v37.*`).
    static func versionMatches(_ wanted: String, _ version: String) -> Bool {
        if wanted == "*" || wanted.isEmpty || wanted == version { return true }
        let want = wanted.split(separator: ".")
        let have = version.split(separator: ".")
        for (index, part) in want.enumerated() {
            if part == "x" || part == "*" { return true }
            guard index < have.count, have[index] == part else { return false }
        }
        return want.count == have.count
    }
}
