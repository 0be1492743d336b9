import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// kustomize-controller: waits for its source's artifact and its `dependsOn`, builds
/// `spec.path` of the artifact (`FluxKustomizeBuild`), decrypts SOPS-encrypted manifests when
/// `spec.decryption` asks, applies the result server-side as `kustomize-controller` (CRDs and
/// Namespaces first), prunes what left the tree by its inventory, and records
/// `lastAppliedRevision` with Ready `ReconciliationSucceeded`.
struct SimulatedKustomizeController: SimulatedController {
    let storage: FluxStorage
    let faults: FluxFaults
    /// How soon a Kustomization waiting for a dependency looks again (the controller's
    /// `--requeue-dependency`, 30s by default).
    let requeueDependency: Duration
    /// The SOPS decryption the lab plugs in (`SimulatedSOPS`); nil refuses encrypted manifests.
    let decrypt: FluxSOPSDecryption?

    let name = "kustomize-controller"
    let resource = FluxResources.kustomizations
    let follows = [FluxResources.gitRepositories]
    var workload: SimulatedWorkload? { FluxResources.workload("kustomize-controller") }

    func reconcile(_ document: Document, client: KubeInProcessClient) -> Duration? {
        var object = FluxObject(document, resource)
        guard !object.suspended else { return nil }
        defer { object.write(client: client) }
        let ref = document.at(["spec", "sourceRef"]) ?? .object([])
        let (sourceNamespace, sourceName) = object.reference(ref)
        let sourceKind = ref.text("kind") ?? "GitRepository"
        let sourceResource =
            sourceKind == "GitRepository"
            ? FluxResources.gitRepositories
            : KubeResourceName(group: FluxCRDs.source, version: "v1", plural: sourceKind.lowercased() + "s")
        guard let source = try? client.get(sourceResource.path(namespace: sourceNamespace, name: sourceName)) else {
            object.fail("ArtifactFailed", "Source '\(sourceKind)/\(sourceNamespace)/\(sourceName)' not found")
            return object.retryInterval
        }
        guard let artifact = source.at(["status", "artifact"]), let revision = artifact.text("revision"),
            let artifactPath = artifact.text("path")
        else {
            object.fail("ArtifactFailed", "Source artifact not found, retrying in \(object.retryInterval.text)")
            return object.retryInterval
        }
        for dependency in document.at(["spec", "dependsOn"])?.items ?? [] {
            let (ns, name) = object.reference(dependency)
            guard let other = try? client.get(resource.path(namespace: ns, name: name)) else {
                object.fail(
                    "DependencyNotReady",
                    "unable to get '\(ns)/\(name)' dependency: kustomizations.kustomize.toolkit.fluxcd.io \"\(name)\" not found"
                )
                return requeueDependency
            }
            guard FluxObject.isReady(other) else {
                object.fail("DependencyNotReady", "dependency '\(ns)/\(name)' is not ready")
                return requeueDependency
            }
        }
        object.status.set("lastAttemptedRevision", .string(revision))
        if let message = faults.strike(kind: object.kind, namespace: object.namespace, name: object.name) {
            object.fail("ReconciliationFailed", message)
            return object.retryInterval
        }
        let root = storage.tree(ofArtifact: artifactPath)
        let path = root + "/" + (document.text("spec", "path") ?? "./")
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory else {
            object.fail("ArtifactFailed", "kustomization path not found: stat \(path): no such file or directory")
            return object.retryInterval
        }
        // build(): the decryption keys are imported before kustomize runs, so a missing or
        // unreadable decryption Secret fails the build even when nothing is encrypted.
        var built: [Document]
        do throws(FluxApplyError) {
            let ageKeys = try decryptionKeys(object, client)
            do {
                built = try FluxKustomizeBuild.build(path)
            } catch {
                throw FluxApplyError(reason: "BuildFailed", message: "kustomize build failed: \(error.message)")
            }
            if let target = document.text("spec", "targetNamespace") {
                built = built.map { FluxKustomizeBuild.settingNamespace($0, target) }
            }
            if let ageKeys {
                built = try built.map { manifest throws(FluxApplyError) in
                    try FluxSOPS.decrypt(manifest, ageKeys: ageKeys, with: decrypt)
                }
            }
        } catch {
            object.fail(error.reason, error.message)
            return object.retryInterval
        }
        do {
            try FluxSOPS.refuseEncryptedSecrets(built, namespace: object.namespace)
            let applied = try apply(built, object, client)
            let previous = (document.at(["status", "inventory", "entries"])?.items ?? []).compactMap { $0.text("id") }
            if document.at(["spec", "prune"]) == .bool(true) {
                let kept = Set(applied.map(\.id))
                try prune(previous.filter { !kept.contains($0) }, client)
            }
            object.status.set(
                "inventory",
                .object([
                    (
                        "entries",
                        .array(
                            applied.sorted { $0.id < $1.id }.map {
                                .object([("id", .string($0.id)), ("v", .string($0.version))])
                            })
                    )
                ]))
            if document.at(["spec", "wait"]) == .bool(true), let pending = waitingFor(applied, &object, client) {
                return pending
            }
        } catch {
            object.fail(error.reason, error.message)
            return object.retryInterval
        }
        object.status.set("lastAppliedRevision", .string(revision))
        object.condition("Ready", true, "ReconciliationSucceeded", "Applied revision: \(revision)")
        object.removeCondition("Reconciling")
        return object.interval()
    }

    /// `spec.wait`'s health check of what was applied: nil once every object is Current; else
    /// Ready=Unknown while the check runs (looked at again in 2 s, as the controller polls),
    /// Ready=False `HealthCheckFailed` once `spec.timeout` (default: the interval) has passed.
    private func waitingFor(_ applied: [Entry], _ object: inout FluxObject, _ client: KubeInProcessClient)
        -> Duration?
    {
        let pending = applied.compactMap { entry -> String? in
            guard let current = try? client.get(entry.path), let status = FluxHealthCheck.status(of: current) else {
                return nil
            }
            let namespace = current.text("metadata", "namespace").map { $0 + "/" } ?? ""
            return
                "\(current.text("kind") ?? "")/\(namespace)\(current.text("metadata", "name") ?? "") status: '\(status)'"
        }
        guard !pending.isEmpty else { return nil }
        let timeout = object.interval("timeout", fallback: object.interval())
        let revision = object.status.text("lastAttemptedRevision") ?? ""
        let progressing =
            "Running health checks for revision \(revision) with a timeout of \(FluxObject.goText(timeout))"
        if object.status["conditions"]?.items.first(where: { $0.text("type") == "Reconciling" }) == nil {
            object.condition("Reconciling", true, "Progressing", progressing)
        }
        let elapsed = object.secondsSince("Reconciling")
        guard Duration.seconds(elapsed) < timeout else {
            object.fail(
                "HealthCheckFailed",
                "Health check failed after \(elapsed)s: timeout waiting for: [\(pending.joined(separator: ", "))]")
            return object.retryInterval
        }
        object.condition("Reconciling", true, "Progressing", progressing)
        object.condition("Ready", status: "Unknown", "Progressing", "Reconciliation in progress")
        return .seconds(2)
    }

    struct FluxApplyError: Error {
        var reason: String
        var message: String
    }

    /// An applied object's inventory entry.
    struct Entry {
        var id: String
        var version: String
        /// The object's API path, for the health check.
        var path: String
    }

    /// The age identities of `spec.decryption` (provider `sops`), nil without it: the
    /// `*.agekey` entries of `secretRef`'s Secret (none without a `secretRef`), read as the
    /// decryptor's ImportKeys reads them. A missing Secret fails with the API's NotFound as it is,
    /// an entry that is no age identity with the import's words; both are `BuildFailed`.
    private func decryptionKeys(_ object: FluxObject, _ client: KubeInProcessClient) throws(FluxApplyError)
        -> [String]?
    {
        guard let decryption = object.object.at(["spec", "decryption"]), decryption.text("provider") == "sops"
        else { return nil }
        guard let secretName = decryption.text("secretRef", "name") else { return [] }
        let path = FluxResources.secrets.path(namespace: object.namespace, name: secretName)
        guard let secret = try? client.get(path) else {
            throw FluxApplyError(reason: "BuildFailed", message: "secrets \"\(secretName)\" not found")
        }
        do {
            return try SimulatedSOPS.importAgeKeys(from: secret)
        } catch {
            throw FluxApplyError(reason: "BuildFailed", message: error.message)
        }
    }

    /// Applies the objects server-side, CRDs and Namespaces first; returns their inventory entries.
    private func apply(_ objects: [Document], _ owner: FluxObject, _ client: KubeInProcessClient)
        throws(FluxApplyError) -> [Entry]
    {
        var entries: [Entry] = []
        for var manifest in FluxResources.applyOrder(objects) {
            let kind = manifest.text("kind") ?? ""
            let apiVersion = manifest.text("apiVersion") ?? ""
            let name = manifest.text("metadata", "name") ?? ""
            guard let type = client.api.store.transact({ $0.types.type(apiVersion: apiVersion, kind: kind) }) else {
                throw FluxApplyError(
                    reason: "ReconciliationFailed",
                    message:
                        "\(kind)/\(manifest.text("metadata", "namespace") ?? owner.namespace)/\(name) dry-run failed: no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
                )
            }
            var namespace: String?
            if type.namespaced {
                namespace = manifest.text("metadata", "namespace") ?? owner.namespace
                manifest.set(["metadata", "namespace"], .string(namespace ?? ""))
            }
            var labels = manifest.at(["metadata", "labels"]) ?? .object([])
            labels.set("kustomize.toolkit.fluxcd.io/name", .string(owner.name))
            labels.set("kustomize.toolkit.fluxcd.io/namespace", .string(owner.namespace))
            manifest.set(["metadata", "labels"], labels)
            let id = "\(namespace ?? "")_\(name)_\(type.group)_\(kind)"
            let resource = KubeResourceName(group: type.group, version: type.version, plural: type.plural)
            do {
                try client.apply(resource.path(namespace: namespace, name: name), manifest)
            } catch {
                throw FluxApplyError(
                    reason: "ReconciliationFailed",
                    message:
                        "\(kind)/\(namespace.map { $0 + "/" } ?? "")\(name) dry-run failed (\(error.reason)): \(error.message)"
                )
            }
            entries.append(Entry(id: id, version: type.version, path: resource.path(namespace: namespace, name: name)))
        }
        return entries
    }

    /// Deletes what left the tree (unless annotated `kustomize.toolkit.fluxcd.io/prune: disabled`).
    private func prune(_ ids: [String], _ client: KubeInProcessClient) throws(FluxApplyError) {
        for id in ids.reversed() {
            let parts = id.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { continue }
            let (namespace, name, group, kind) = (parts[0], parts[1], parts[2], parts[3])
            guard
                let type = client.api.store.transact({ state in
                    state.types.types.first { $0.group == group && $0.kind == kind }
                })
            else { continue }
            let resource = KubeResourceName(group: type.group, version: type.version, plural: type.plural)
            let path = resource.path(namespace: namespace.isEmpty ? nil : namespace, name: name)
            guard let current = try? client.get(path),
                current.text("metadata", "annotations", "kustomize.toolkit.fluxcd.io/prune") != "disabled"
            else { continue }
            do { try client.delete(path) } catch {
                throw FluxApplyError(
                    reason: "PruneFailed", message: "\(kind)/\(namespace)/\(name) prune failed: \(error.message)")
            }
        }
    }
}
