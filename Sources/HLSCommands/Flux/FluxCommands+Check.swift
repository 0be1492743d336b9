import HLSCore
import HLSLanguage
import Kube

extension FluxCommands {
    static let check = CommandSpec(
        ["flux", "check"],
        summary: "Whether the cluster suits the pinned Flux and its controllers and CRDs are in place",
        discussion: """
            As flux check does: the server's version against the release's minimum (Kubernetes 1.33 for Flux \
            v2.9), the distribution and whether the cluster is bootstrapped (labels of the gitrepositories \
            CRD), every Deployment of flux-system labelled app.kubernetes.io/part-of=flux (Available with its \
            generation observed, and its images), every CRD with that label and its stored version. Any \
            failed check fails the verb, listing them; --pre checks the server's version only.
            """,
        flags: [Flag("pre", "only the pre-install check of the server's version"), KubeCommands.contextFlag],
        columns: ["check", "ok", "detail"],
        examples: [Example("flux check", "controllers and CRDs of the installed Flux", needsLab: true)],
        implementation: .query { inv in
            let client = try client(inv)
            let cancellation = inv.context.cancellation
            let release = FluxRelease.pinned
            var rows: [(check: String, ok: Bool, detail: String)] = []
            let version = try client.serverVersion(cancellation: cancellation)
            let minimum = "\(release.minimumKubernetes.major).\(release.minimumKubernetes.minor).0"
            rows.append(
                ("kubernetes", release.supports(version), "\(version) (Flux \(release.version) needs >=\(minimum))"))
            if !inv.flag("pre") {
                let label = KubeListOptions(labelSelector: "app.kubernetes.io/part-of=flux")
                if let crd = try client.getIfPresent(
                    .customResourceDefinitions, "gitrepositories.source.toolkit.fluxcd.io", cancellation: cancellation)
                {
                    let labels = crd.at("metadata", "labels")
                    let bootstrapped = labels?["kustomize.toolkit.fluxcd.io/name"] != nil
                    rows.append(
                        (
                            "distribution", true,
                            "flux-\(labels?.string("app.kubernetes.io/version") ?? "unknown"), bootstrapped: \(bootstrapped)"
                        ))
                }
                let deployments = try client.list(
                    .deployments, namespace: defaultNamespace, options: label, cancellation: cancellation
                ).items
                if deployments.isEmpty { rows.append(("controllers", false, "no Flux Deployments in flux-system")) }
                for deployment in deployments {
                    let images = (deployment.at("spec", "template", "spec", "containers")?.elements ?? []).compactMap {
                        $0.string("image")
                    }
                    let state = deploymentState(deployment)
                    rows.append(
                        (
                            deployment.string("metadata", "name") ?? "", state == nil,
                            state ?? images.joined(separator: ", ")
                        ))
                }
                let crds = try client.list(.customResourceDefinitions, options: label, cancellation: cancellation).items
                if crds.isEmpty { rows.append(("crds", false, "no Flux CRDs")) }
                for crd in crds {
                    let stored = (crd.at("status", "storedVersions")?.elements ?? []).compactMap { value -> String? in
                        if case .string(let text) = value { text } else { nil }
                    }
                    let name = crd.string("metadata", "name") ?? ""
                    rows.append((name, !stored.isEmpty, stored.last.map { "\(name)/\($0)" } ?? "no stored version"))
                }
            }
            let failed = rows.filter { !$0.ok }
            if !failed.isEmpty {
                throw inv.failure(
                    "\(failed.count) check\(failed.count == 1 ? "" : "s") failed",
                    hint: failed.first?.check == "kubernetes"
                        ? "upgrade k3s (the inventory's k3s.version) to a release Flux \(release.version) supports"
                        : nil,
                    cause: failed.map { "\($0.check): \($0.detail)" }.joined(separator: "; "))
            }
            return .list(
                rows.map {
                    .record(
                        Record([("check", .string($0.check)), ("ok", .bool($0.ok)), ("detail", .string($0.detail))]))
                })
        })

    /// Why a Deployment is not yet Current (kstatus: generation observed, every replica updated
    /// and available); nil when it is.
    static func deploymentState(_ deployment: Document) -> String? {
        func int(_ value: Document?) -> Int? { if case .int(let number)? = value { number } else { nil } }
        let wanted = int(deployment.at("spec", "replicas")) ?? 1
        if let generation = int(deployment.at("metadata", "generation")),
            int(deployment.at("status", "observedGeneration")) ?? 0 < generation
        {
            return "generation \(generation) not yet observed"
        }
        let updated = int(deployment.at("status", "updatedReplicas")) ?? 0
        let available = int(deployment.at("status", "availableReplicas")) ?? 0
        if updated < wanted { return "\(updated) of \(wanted) replicas updated" }
        if available < wanted { return "\(available) of \(wanted) replicas available" }
        return nil
    }
}
