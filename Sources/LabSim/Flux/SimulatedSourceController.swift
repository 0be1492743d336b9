import HLSCore
import HLSCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where source-controller keeps its artifacts: each GitRepository's tree at a revision under
/// `DIRECTORY/gitrepository/NS/NAME/COMMIT`, which `status.artifact.path` names as the real
/// controller does (`gitrepository/NS/NAME/COMMIT.tar.gz`).
public struct FluxStorage: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The directory holding the tree of an artifact path.
    func tree(ofArtifact path: String) -> String {
        directory + "/" + (path.hasSuffix(".tar.gz") ? String(path.dropLast(7)) : path)
    }

    static let address = "http://source-controller.flux-system.svc.cluster.local./"

    /// Removes the other trees of the object `trees` belong to: source-controller keeps the latest
    /// two artifacts of an object (`--artifact-retention-records=2`), not one per commit.
    func keepOnly(_ trees: [String]) {
        guard let tree = trees.first, let slash = tree.lastIndex(of: "/") else { return }
        let parent = String(tree[..<slash])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        where !trees.contains(parent + "/" + name) {
            _ = try? FileManager.default.removeItem(atPath: parent + "/" + name)
        }
    }
}

/// source-controller for GitRepositories: fetches the branch with the real `git` over SSH using
/// the deploy key of `spec.secretRef`, stores the tree as the artifact, and records it
/// (`status.artifact.revision` `main@sha1:<commit>`) with Ready and ArtifactInStorage; a failure
/// is Ready=False `GitOperationFailed` with git's message. Requeues at `spec.interval`.
struct SimulatedGitRepositoryController: SimulatedController {
    let storage: FluxStorage
    /// Host name → loopback port of the lab's git hosts (`github.com` → the SimulatedGitHost).
    let hosts: @Sendable () -> [String: UInt16]
    let faults: FluxFaults

    let name = "source-controller"
    let resource = FluxResources.gitRepositories
    var workload: SimulatedWorkload? { FluxResources.workload("source-controller") }
    /// Its own status write does not fetch again (a login to the git host each time).
    var queuesOnlyNewGenerations: Bool { true }

    func reconcile(_ document: Document, client: KubeInProcessClient) -> Duration? {
        var object = FluxObject(document, resource)
        guard !object.suspended else { return nil }
        defer { object.write(client: client) }
        let url = document.text("spec", "url") ?? ""
        let ref = document["spec"]?["ref"]
        let branch = ref?.text("branch") ?? "master"
        if let message = faults.strike(kind: object.kind, namespace: object.namespace, name: object.name) {
            object.fail("GitOperationFailed", message)
            return object.retryInterval
        }
        var identity = ""
        var knownHosts = ""
        if let secretName = document.text("spec", "secretRef", "name") {
            let secretPath = FluxResources.secrets.path(namespace: object.namespace, name: secretName)
            guard let secret = try? client.get(secretPath) else {
                object.fail(
                    "AuthenticationFailed",
                    "failed to get secret '\(object.namespace)/\(secretName)': secrets \"\(secretName)\" not found")
                return object.retryInterval
            }
            func value(_ key: String) -> String {
                secret.text("data", key).flatMap(Base64.decode).map { String(decoding: $0, as: UTF8.self) }
                    ?? secret.text("stringData", key) ?? ""
            }
            identity = value("identity")
            knownHosts = value("known_hosts")
        }
        let git = FluxGitCheckout(hosts: hosts(), identity: identity, knownHosts: knownHosts)
        do {
            let stored = document.at(["status", "artifact"])
            // The artifact's path for a file name (`<commit>.tar.gz`, `latest.tar.gz`).
            func artifactPath(_ file: String) -> String { "gitrepository/\(object.namespace)/\(object.name)/\(file)" }
            var artifact = stored ?? .null
            // Flux's optimized clone: only an artifact in storage is worth asking about first
            // (`git ls-remote`; the branch has not moved: no clone). Without one (the first fetch,
            // a tree gone from storage), the branch is cloned at once, one login instead of two.
            let storedTree = stored?.text("path").map(storage.tree(ofArtifact:))
            let inStorage =
                KubeStoreState.conditionIsTrue(document, "ArtifactInStorage")
                && storedTree.map(FileManager.default.fileExists(atPath:)) == true
            var unchanged = false
            if inStorage, let path = stored?.text("path") {
                unchanged = try path == artifactPath(git.fetch(url, branch: branch, into: nil) + ".tar.gz")
            }
            if !unchanged {
                var tree = ""
                let commit = try git.fetch(url, branch: branch) { commit in
                    tree = storage.tree(ofArtifact: artifactPath(commit + ".tar.gz"))
                    return tree
                }
                storage.keepOnly([tree] + (storedTree.map { [$0] } ?? []))
                artifact = .object([
                    ("digest", .string(FluxGitCheckout.digest(of: tree))),
                    ("lastUpdateTime", .string(KubeTime.rfc3339(KubeTime.now()))),
                    ("path", .string(artifactPath(commit + ".tar.gz"))),
                    ("revision", .string("\(branch)@sha1:\(commit)")),
                    ("size", .int(0)),
                    ("url", .string(FluxStorage.address + artifactPath(commit + ".tar.gz"))),
                ])
            }
            let message = "stored artifact for revision '\(artifact.text("revision") ?? "")'"
            object.status.set("artifact", artifact)
            object.status.set("url", .string(FluxStorage.address + artifactPath("latest.tar.gz")))
            object.condition("Ready", true, "Succeeded", message)
            object.condition("ArtifactInStorage", true, "Succeeded", message)
            object.removeCondition("Reconciling")
            object.removeCondition("FetchFailed")
            return object.interval()
        } catch {
            let message = "failed to checkout and determine revision: unable to clone '\(url)': \(error.message)"
            object.fail("GitOperationFailed", message)
            object.condition("FetchFailed", true, "GitOperationFailed", message)
            return object.retryInterval
        }
    }
}

/// source-controller for HelmRepositories: the lab has no network, so the index is simulated:
/// the artifact is a digest of the URL and the repository turns Ready.
struct SimulatedHelmRepositoryController: SimulatedController {
    let faults: FluxFaults

    let name = "source-controller"
    let resource = FluxResources.helmRepositories
    var workload: SimulatedWorkload? { FluxResources.workload("source-controller") }
    var queuesOnlyNewGenerations: Bool { true }

    func reconcile(_ document: Document, client: KubeInProcessClient) -> Duration? {
        var object = FluxObject(document, resource)
        guard !object.suspended else { return nil }
        defer { object.write(client: client) }
        if let message = faults.strike(kind: object.kind, namespace: object.namespace, name: object.name) {
            object.fail("IndexationFailed", message)
            return object.retryInterval
        }
        if document.text("spec", "type") == "oci" {
            // An OCI HelmRepository has no index: the real controller marks it Ready without one.
            object.condition("Ready", true, "Succeeded", "Helm repository is Ready")
            return object.interval()
        }
        let url = document.text("spec", "url") ?? ""
        let digest = Hex.encode(SHA.sha256(Array(url.utf8)))
        let revision = "sha256:" + digest
        let path = "helmrepository/\(object.namespace)/\(object.name)/index-\(digest).yaml"
        if document.text("status", "artifact", "revision") != revision {
            object.status.set(
                "artifact",
                .object([
                    ("digest", .string(revision)), ("lastUpdateTime", .string(KubeTime.rfc3339(KubeTime.now()))),
                    ("path", .string(path)), ("revision", .string(revision)), ("size", .int(url.utf8.count)),
                    ("url", .string(FluxStorage.address + path)),
                ]))
        }
        object.status.set(
            "url", .string(FluxStorage.address + "helmrepository/\(object.namespace)/\(object.name)/index.yaml"))
        let message = "stored artifact: revision '\(revision)'"
        object.condition("Ready", true, "Succeeded", message)
        object.condition("ArtifactInStorage", true, "Succeeded", message)
        return object.interval()
    }
}
