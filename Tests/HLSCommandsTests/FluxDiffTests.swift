import Foundation
import HLSCore
import HLSFormats
import Kube
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// `flux diff` and the build it rests on: the client's own build agrees with `kubectl
/// kustomize` on the same tree, and the comparison with the cluster by server-side dry-run
/// finds creates, updates and prunes, also for a Kustomization that does not exist yet.
final class FluxDiffTests: XCTestCase {
    /// A GitOps folder: a kustomization with a namespace, annotations, labels, a file of two
    /// documents, a cluster-scoped object and a subfolder with a kustomization of its own.
    static func writeTree(_ dir: TemporaryDirectory, replicas: Int = 2) throws -> String {
        try dir.write(
            "apps/kustomization.yaml",
            """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: apps
            commonAnnotations: {owner: homelab}
            labels:
            - pairs: {tier: web}
            resources: [web.yaml, reader.yaml, config]
            """)
        try dir.write(
            "apps/web.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, labels: {app: web}}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {selector: {app: web}, ports: [{port: 80}]}
            """)
        try dir.write(
            "apps/reader.yaml",
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
            """)
        try dir.write("apps/config/kustomization.yaml", "resources: [settings.yaml]\n")
        try dir.write(
            "apps/config/settings.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: other}
            data: {greeting: hello}
            """)
        return dir.file("apps")
    }

    /// Objects as Foundation values, sorted by kind, namespace and name: comparable whatever
    /// order of keys and documents each side writes.
    static func canonical(_ documents: [Document]) throws -> [NSDictionary] {
        try documents.map {
            try JSONSerialization.jsonObject(with: Data(JSONCodec.encode($0).utf8)) as! NSDictionary
        }.sorted { a, b in
            func key(_ d: NSDictionary) -> String {
                let metadata = d["metadata"] as? NSDictionary
                return "\(d["kind"] ?? "") \(metadata?["namespace"] ?? "") \(metadata?["name"] ?? "")"
            }
            return key(a) < key(b)
        }
    }

    func testTheBuildAgreesWithKubectlKustomize() throws {
        let dir = try TemporaryDirectory("flux-build")
        let root = try Self.writeTree(dir)
        let kubectl = try runProcess("/usr/bin/kubectl", ["kustomize", root])
        XCTAssertEqual(kubectl.status, 0, kubectl.stderr)
        let expected = try Self.canonical(YAMLCodec.decodeAll(kubectl.stdout).filter { $0 != .null })
        let built = try Self.canonical(KustomizeBuild.build(root).map(\.document))
        XCTAssertEqual(built.count, 4)
        XCTAssertEqual(built, expected)

        // A field the build does not know is refused, not ignored.
        try dir.write("apps/config/kustomization.yaml", "resources: [settings.yaml]\nnamePrefix: x-\n")
        XCTAssertThrowsError(try KustomizeBuild.build(root)) { error in
            XCTAssertTrue("\(error)".contains("'namePrefix' is not supported"), "\(error)")
        }
    }

    func testAFolderWithoutKustomizationBuildsEveryManifestUnderIt() throws {
        let dir = try TemporaryDirectory("flux-build")
        try dir.write("plain/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        try dir.write("plain/nested/b.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
        try dir.write("plain/README.md", "not a manifest")
        let names = try KustomizeBuild.build(dir.file("plain")).compactMap { $0.document["metadata"]?["name"] }
        XCTAssertEqual(names, [.string("a"), .string("b")])
    }

    func testDiffFindsCreatesUpdatesAndPrunesBySeverSideDryRun() throws {
        let flux = try FluxHarness()
        let dir = try TemporaryDirectory("flux-diff")
        let root = try Self.writeTree(dir)
        // Not there yet: every object is a create, nothing to prune.
        let fresh = flux.kube.run("flux diff apps --path \(root) | select action target | to json --compact")
        let absent = flux.kube.run("flux diff apps --path \(root) | get 0.detail")
        XCTAssertEqual(
            absent.out.trimmingCharacters(in: .whitespacesAndNewlines), "in namespace apps, which does not exist yet")
        XCTAssertEqual(fresh.status, 0, fresh.err)
        XCTAssertEqual(
            fresh.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"action":"create","target":"Deployment/apps/web"},{"action":"create","target":"Service/apps/web"},"#
                + #"{"action":"create","target":"ClusterRole/reader"},{"action":"create","target":"ConfigMap/apps/settings"}]"#
        )

        // Applied as the controller would, then the folder changes: one update, one prune.
        try flux.kube.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n")
        for object in try KustomizeBuild.build(root) { try flux.kube.client.apply(object.document, force: true) }
        try flux.kustomization("apps")
        try flux.setInventory(
            "apps",
            [
                "apps_web_apps_Deployment", "apps_web__Service", "_reader_rbac.authorization.k8s.io_ClusterRole",
                "apps_settings__ConfigMap", "apps_old__ConfigMap",
            ])
        let same = flux.kube.run("flux diff apps --path \(root) | count")
        XCTAssertEqual(same.out.trimmingCharacters(in: .whitespacesAndNewlines), "1", "only the prune: \(same.err)")
        _ = try Self.writeTree(dir, replicas: 3)
        let changed = flux.kube.run("flux diff apps --path \(root) | to json --compact")
        XCTAssertEqual(changed.status, 0, changed.err)
        XCTAssertEqual(
            changed.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"action":"update","target":"Deployment/apps/web","detail":"spec.replicas"},"#
                + #"{"action":"prune","target":"ConfigMap/apps/old","detail":""}]"#)
        let unchanged = try flux.kube.client.get(KubeResource.deployments, "web", namespace: "apps")
        XCTAssertEqual(unchanged["spec"]?["replicas"], .int(2), "a dry run stores nothing")
    }
}
