import Foundation
import HLSCore
import HLSFormats
import Kube
import LabSim
import Synchronization

@testable import HLSCommands

/// A simulated API with the pinned Flux release's CRDs, and a stand-in controller played by the
/// test: it writes the status a Flux controller writes (observedGeneration,
/// lastHandledReconcileAt, lastAppliedRevision, Ready) through the status subresource, for the
/// verdict the test chooses, and records the order it handled objects in.
final class FluxHarness: @unchecked Sendable {
    let kube: KubeHarness
    static let kustomizations = KubeResource(
        group: "kustomize.toolkit.fluxcd.io", version: "v1", name: "kustomizations", kind: "Kustomization",
        namespaced: true)
    static let gitRepositories = KubeResource(
        group: "source.toolkit.fluxcd.io", version: "v1", name: "gitrepositories", kind: "GitRepository",
        namespaced: true)

    /// Per object name: Ready's status and message the controller writes; absent names are
    /// left alone (never reconciled).
    let verdicts = Mutex<[String: (ready: Bool, message: String)]>([:])
    /// Per object name: the reason of a Ready=False verdict, `BuildFailed` when absent.
    let reasons = Mutex<[String: String]>([:])
    let revision = Mutex("main@sha1:0123456789abcdef0123456789abcdef01234567")
    /// The names handled, in order.
    let handled = Mutex<[String]>([])
    private let stopped = Atomic(false)
    private var thread: Thread?

    /// `crds`: with the release's CRDs and Namespace applied (`everything`: all of it).
    init(options: KubeAPISimulator.Options = KubeAPISimulator.Options(), crds: Bool = true, everything: Bool = false)
        throws
    {
        kube = try KubeHarness(options: options)
        for document in FluxRelease.documents
        where everything || crds && ["CustomResourceDefinition", "Namespace"].contains(document.string("kind") ?? "") {
            try kube.client.apply(document)
        }
        _ = try kube.client.discovery(refresh: true)
    }

    deinit { stopped.store(true, ordering: .relaxed) }

    /// Starts the stand-in controller for Kustomizations and GitRepositories; the Flux
    /// Deployments' pods run on two Ready nodes, as the simulated k3s runs any Deployment's.
    func startController() {
        try? kube.runWorkloads()
        let client = kube.client
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                for resource in [Self.gitRepositories, Self.kustomizations] {
                    guard let items = try? client.list(resource, namespace: "flux-system").items else { continue }
                    for item in items { reconcile(item, resource: resource, client: client) }
                }
                usleep(10_000)
            }
        }
        thread.start()
        self.thread = thread
    }

    /// Waits (up to 10 s) until the stand-in controller has handled `name`.
    func waitHandled(_ name: String) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if handled.withLock({ $0.contains(name) }) { return true }
            usleep(10_000)
        }
        return false
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    private func reconcile(_ item: Document, resource: KubeResource, client: KubeClient) {
        guard let name = item.string("metadata", "name"), item["spec"]?["suspend"] != .bool(true),
            let verdict = verdicts.withLock({ $0[name] })
        else { return }
        let requested = item.string("metadata", "annotations", "reconcile.fluxcd.io/requestedAt")
        let handledAt = item.string("status", "lastHandledReconcileAt")
        let generation = item["metadata"]?["generation"]
        guard requested != handledAt || generation != item["status"]?["observedGeneration"] else { return }
        let revision = self.revision.withLock { $0 }
        var status: [(key: String, value: Document)] = [
            ("observedGeneration", generation ?? .int(1)),
            (
                "conditions",
                .array([
                    .object([
                        ("type", .string("Ready")), ("status", .string(verdict.ready ? "True" : "False")),
                        (
                            "reason",
                            .string(
                                verdict.ready
                                    ? "ReconciliationSucceeded" : reasons.withLock { $0[name] } ?? "BuildFailed")
                        ),
                        ("message", .string(verdict.message)), ("lastTransitionTime", .string("2026-12-05T10:00:00Z")),
                        ("observedGeneration", generation ?? .int(1)),
                    ])
                ])
            ),
        ]
        if let requested { status.append(("lastHandledReconcileAt", .string(requested))) }
        if resource == Self.kustomizations {
            status.append(("lastAppliedRevision", .string(revision)))
        } else {
            status.append(
                (
                    "artifact",
                    .object([
                        ("revision", .string(revision)), ("path", .string("x")), ("url", .string("http://x")),
                        ("digest", .string("sha256:0")), ("lastUpdateTime", .string("2026-12-05T10:00:00Z")),
                    ])
                ))
        }
        // Recorded before the status is written: a verb waiting on the status may return, and the test
        // read `handled`, before this thread runs again.
        handled.withLock { $0.append(name) }
        do {
            try client.mergePatch(
                resource, name, namespace: "flux-system", patch: .object([("status", .object(status))]),
                subresource: "status")
        } catch {
            handled.withLock { if $0.last == name { $0.removeLast() } }
        }
    }

    /// Writes `status.inventory` of the Kustomization `name` with these entry ids.
    func setInventory(_ name: String, _ ids: [String]) throws {
        let entries = Document.array(ids.map { .object([("id", .string($0)), ("v", .string("v1"))]) })
        try kube.client.mergePatch(
            Self.kustomizations, name, namespace: "flux-system",
            patch: .object([("status", .object([("inventory", .object([("entries", entries)]))]))]),
            subresource: "status")
    }

    /// Writes the Kustomization `name`'s status by hand (with the controller stopped): its one
    /// condition, and `lastHandledReconcileAt` when given.
    func writeStatus(
        _ name: String, condition type: String, _ status: String, reason: String, message: String,
        handled: String? = nil
    ) throws {
        let condition = Document.object([
            ("type", .string(type)), ("status", .string(status)), ("reason", .string(reason)),
            ("message", .string(message)), ("lastTransitionTime", .string("2026-12-05T10:00:00Z")),
        ])
        var fields: [(key: String, value: Document)] = [("conditions", .array([condition]))]
        if let handled { fields.append(("lastHandledReconcileAt", .string(handled))) }
        try kube.client.mergePatch(
            Self.kustomizations, name, namespace: "flux-system", patch: .object([("status", .object(fields))]),
            subresource: "status")
    }

    /// A HelmRelease in flux-system, of a chart from the HelmRepository grafana.
    func helmRelease(_ name: String) throws {
        try kube.create(
            """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: \(name), namespace: flux-system}
            spec: {interval: 30m, chart: {spec: {chart: \(name), sourceRef: {kind: HelmRepository, name: grafana}}}}
            """)
    }

    /// A Kustomization in flux-system.
    func kustomization(_ name: String, dependsOn: [String] = [], suspend: Bool = false) throws {
        let deps = dependsOn.map { "{name: \($0)}" }.joined(separator: ", ")
        try kube.create(
            """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: \(name), namespace: flux-system}
            spec: {interval: 10m0s, path: ./\(name), prune: true, suspend: \(suspend), dependsOn: [\(deps)], sourceRef: {kind: GitRepository, name: flux-system}}
            """)
    }
}
