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
        let sameRelease = last?.text("chartVersion") == chart.version && last?.text("configDigest") == configDigest
        // `flux reconcile hr --force` / `--reset`: a one-off action, and a reset failure count.
        let forced = object.handle("reconcile.fluxcd.io/forceAt", as: "lastHandledForceAt")
        let reset = object.handle("reconcile.fluxcd.io/resetAt", as: "lastHandledResetAt")
        if sameRelease, KubeStoreState.conditionIsTrue(document, "Ready"), !forced { return object.interval() }
        let pendingAction = last?.text("status").flatMap { $0.hasPrefix("pending-") ? String($0.dropFirst(8)) : nil }
        let version: Int = if case .int(let v)? = last?["version"] { v } else { 0 }
        var action = HelmAction(
            action: last == nil ? "install" : "upgrade", chartName: chartName, chartVersion: chart.version,
            releaseName: releaseName, target: target, storageNamespace: storageNamespace,
            configDigest: configDigest, version: version + 1, values: values,
            firstDeployed: last?.text("firstDeployed"))
        if sameRelease, last?.text("status") == "failed",
            document.at(["status", "lastAttemptedGeneration"]) == .int(object.generation), !forced, !reset
        {
            // Remediation: `spec.install.remediation.retries` (and upgrade's) default to 0, so a
            // failed action is not tried again until the spec changes or the failures are reset.
            let attempted = document.text("status", "lastAttemptedReleaseAction") ?? action.action
            object.condition("Stalled", true, "RetriesExceeded", "Failed to \(attempted) after 1 attempt(s)")
            return object.interval()
        }
        if sameRelease, let pendingAction {
            // The action in flight: Helm is still waiting for what it applied to be ready.
            action.action = pendingAction
            action.version = version
            let rendered = (try? chart.render(action.chartRelease)) ?? []
            return settle(action, objects(rendered, target: target, client), history: history, &object, client)
        }
        object.removeCondition("Stalled")
        object.status.set("lastAttemptedRevision", .string(chart.version))
        object.status.set("lastAttemptedGeneration", .int(object.generation))
        object.status.set("lastAttemptedReleaseAction", .string(action.action))
        object.status.set("lastAttemptedConfigDigest", .string(configDigest))
        object.status.set("storageNamespace", .string(storageNamespace))
        let namespacePath = FluxResources.namespaces.path(namespace: nil, name: target)
        if (try? client.get(namespacePath)) == nil {
            guard document.at(["spec", "install", "createNamespace"]) == .bool(true) else {
                object.fail(
                    action.failedReason,
                    action.failure("create: failed to create: namespaces \"\(target)\" not found"))
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
            rendered = try chart.render(action.chartRelease)
        } catch {
            object.fail(action.failedReason, action.failure(error.message))
            return object.retryInterval
        }
        var applied: [String] = []
        for var manifest in FluxResources.applyOrder(rendered) {
            let kind = manifest.text("kind") ?? ""
            let apiVersion = manifest.text("apiVersion") ?? ""
            let name = manifest.text("metadata", "name") ?? ""
            guard let path = Self.path(of: manifest, target: target, client) else {
                object.fail(
                    action.failedReason,
                    action.failure(
                        "unable to build kubernetes objects from release manifest: resource mapping not found for name: \"\(name)\" namespace: \"\(target)\" from \"\": no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
                    ))
                return object.retryInterval
            }
            if path.namespace != nil { manifest.set(["metadata", "namespace"], .string(path.namespace ?? target)) }
            var labels = manifest.at(["metadata", "labels"]) ?? .object([])
            labels.set("app.kubernetes.io/managed-by", .string("Helm"))
            labels.set("helm.toolkit.fluxcd.io/name", .string(object.name))
            labels.set("helm.toolkit.fluxcd.io/namespace", .string(object.namespace))
            manifest.set(["metadata", "labels"], labels)
            var annotations = manifest.at(["metadata", "annotations"]) ?? .object([])
            annotations.set("meta.helm.sh/release-name", .string(releaseName))
            annotations.set("meta.helm.sh/release-namespace", .string(target))
            manifest.set(["metadata", "annotations"], annotations)
            do { try client.apply(path.path, manifest) } catch {
                object.fail(action.failedReason, action.failure(error.message))
                return object.retryInterval
            }
            applied.append(path.path)
        }
        let waits = document.at(["spec", action.action, "disableWait"]) != .bool(true)
        guard waits else {
            return settle(action, [], history: history, &object, client)
        }
        // Helm's wait starts now: Reconciling marks its start, for the timeout.
        object.removeCondition("Reconciling")
        let recorded = action.record(status: "pending-\(action.action)", history, client)
        object.status.set("history", .array(recorded))
        return settle(action, applied, history: recorded, &object, client)
    }

    /// Helm's wait for the action's objects (kstatus, as `FluxHealthCheck` judges them), polled
    /// every 2 s up to `spec.timeout` (5m0s by default): the release is deployed once all are
    /// ready, failed with `context deadline exceeded` once the time is up; meanwhile
    /// Ready=Unknown `Progressing` with the controller's "Running 'ACTION' action" message.
    private func settle(
        _ action: HelmAction, _ applied: [String], history: [Document], _ object: inout FluxObject,
        _ client: KubeInProcessClient
    ) -> Duration {
        let pending = applied.contains { path in
            guard let current = try? client.get(path) else { return true }
            return FluxHealthCheck.status(of: current) != nil
        }
        let timeout = object.interval("timeout", fallback: .seconds(300))
        let running = "Running '\(action.action)' action with timeout of \(FluxObject.goText(timeout))"
        if pending {
            if object.status["conditions"]?.items.first(where: { $0.text("type") == "Reconciling" }) == nil {
                object.condition("Reconciling", true, "Progressing", running)
            }
            if Duration.seconds(object.secondsSince("Reconciling")) < timeout {
                object.condition("Reconciling", true, "Progressing", running)
                object.condition("Ready", status: "Unknown", "Progressing", running)
                return .seconds(2)
            }
            object.status.set("history", .array(action.record(status: "failed", history, client)))
            let message = action.failure("context deadline exceeded")
            object.fail(action.failedReason, message)
            object.condition("Released", false, action.failedReason, message)
            return object.retryInterval
        }
        object.status.set("history", .array(action.record(status: "deployed", history, client)))
        let reason = action.action == "install" ? "InstallSucceeded" : "UpgradeSucceeded"
        let message =
            "Helm \(action.action) succeeded for release \(action.release) with chart \(action.chartName)@\(action.chartVersion)"
        object.condition("Ready", true, reason, message)
        object.condition("Released", true, reason, message)
        object.removeCondition("Reconciling")
        return object.interval()
    }

    /// The API paths of a release's rendered objects (for the wait of an action in flight).
    private func objects(_ rendered: [Document], target: String, _ client: KubeInProcessClient) -> [String] {
        rendered.compactMap { Self.path(of: $0, target: target, client)?.path }
    }

    /// Where a rendered manifest lives: its API path and namespace (nil for cluster-scoped
    /// kinds); nil when the API server does not serve its kind.
    private static func path(of manifest: Document, target: String, _ client: KubeInProcessClient) -> (
        path: String, namespace: String?
    )? {
        let kind = manifest.text("kind") ?? ""
        let apiVersion = manifest.text("apiVersion") ?? ""
        guard let type = client.api.store.transact({ $0.types.type(apiVersion: apiVersion, kind: kind) }) else {
            return nil
        }
        let namespace = type.namespaced ? (manifest.text("metadata", "namespace") ?? target) : nil
        let resource = KubeResourceName(group: type.group, version: type.version, plural: type.plural)
        return (resource.path(namespace: namespace, name: manifest.text("metadata", "name") ?? ""), namespace)
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

/// One Helm action (install or upgrade) of a release: its release Secret
/// `sh.helm.release.v1.NAME.vN` and the HelmRelease's history snapshot, both carrying the
/// release's status (`pending-install`, `deployed`, `failed` …).
private struct HelmAction {
    var action: String
    var chartName: String
    var chartVersion: String
    var releaseName: String
    var target: String
    var storageNamespace: String
    var configDigest: String
    var version: Int
    var values: Document
    var firstDeployed: String?

    var release: String { "\(target)/\(releaseName).v\(version)" }
    var failedReason: String { action == "install" ? "InstallFailed" : "UpgradeFailed" }
    var chartRelease: SimulatedChartRelease {
        SimulatedChartRelease(name: releaseName, namespace: target, version: chartVersion, values: values)
    }

    /// The controller's failure message: `Helm install failed for release NS/NAME.vN with chart C@V: DETAIL`.
    func failure(_ detail: String) -> String {
        "Helm \(action) failed for release \(release) with chart \(chartName)@\(chartVersion): \(detail)"
    }

    /// Writes the release Secret with `status` and returns the history with this version's
    /// snapshot first (replacing an earlier snapshot of the same version).
    func record(status: String, _ history: [Document], _ client: KubeInProcessClient) -> [Document] {
        let now = KubeTime.rfc3339(KubeTime.now())
        let secret = "sh.helm.release.v1.\(releaseName).v\(version)"
        let record = Document.object([
            ("name", .string(releaseName)), ("namespace", .string(target)), ("version", .int(version)),
            ("chart", .object([("name", .string(chartName)), ("version", .string(chartVersion))])),
            ("config", values), ("info", .object([("status", .string(status)), ("last_deployed", .string(now))])),
        ])
        let encoded = Base64.encode(Array(JSONCodec.encode(record).utf8))
        _ = try? client.apply(
            FluxResources.secrets.path(namespace: storageNamespace, name: secret),
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                (
                    "metadata",
                    .object([
                        ("name", .string(secret)), ("namespace", .string(storageNamespace)),
                        (
                            "labels",
                            .stringMap([
                                "name": releaseName, "owner": "helm", "status": status, "version": String(version),
                            ])
                        ),
                    ])
                ),
                ("type", .string("helm.sh/release.v1")),
                ("data", .object([("release", .string(Base64.encode(Array(encoded.utf8))))])),
            ]))
        let earlier = history.filter { $0["version"] != .int(version) }
        let snapshot = Document.object([
            ("chartName", .string(chartName)), ("chartVersion", .string(chartVersion)),
            ("configDigest", .string(configDigest)),
            ("digest", .string("sha256:" + Hex.encode(SHA.sha256(Array(encoded.utf8))))),
            ("firstDeployed", .string(firstDeployed ?? now)), ("lastDeployed", .string(now)),
            ("name", .string(releaseName)), ("namespace", .string(target)), ("status", .string(status)),
            ("version", .int(version)),
        ])
        return [snapshot] + earlier.prefix(4)
    }
}
