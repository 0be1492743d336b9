import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import LabSim

/// The simulated Flux controllers on the simulated API, against a SimulatedGitHost standing in
/// for github.com: sources fetched with real git over SSH, Kustomizations built, applied in
/// dependsOn order, pruned and suspended, HelmReleases installed from the chart catalog.
final class FluxControllersTests: XCTestCase {
    var dir: TemporaryDirectory!
    var host: SimulatedGitHost!
    var kube: KubeSimFixture!
    var flux: SimulatedFlux!

    static let chart = SimulatedChart(name: "whoami", version: "1.2.3") { release in
        [
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                ("metadata", .object([("name", .string(release.name + "-config"))])),
                ("data", .object([("greeting", release.values["greeting"] ?? .string("hello"))])),
            ])
        ]
    }

    /// A chart whose Deployment runs where `nodeSelector` (a value) says: on no node of the
    /// lab until a node carries the label.
    static let appChart = SimulatedChart(name: "app", version: "0.1.0") { release in
        let labels = Document.stringMap(["app": release.name])
        return [
            .object([
                ("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
                ("metadata", .object([("name", .string(release.name))])),
                (
                    "spec",
                    .object([
                        ("replicas", .int(1)), ("selector", .object([("matchLabels", labels)])),
                        (
                            "template",
                            .object([
                                ("metadata", .object([("labels", labels)])),
                                (
                                    "spec",
                                    .object([
                                        ("nodeSelector", release.values["nodeSelector"] ?? .object([])),
                                        (
                                            "containers",
                                            .array([
                                                .object([("name", .string("app")), ("image", .string("app:0.1.0"))])
                                            ])
                                        ),
                                    ])
                                ),
                            ])
                        ),
                    ])
                ),
            ])
        ]
    }

    override func setUpWithError() throws {
        dir = try TemporaryDirectory("flux-controllers")
        host = SimulatedGitHost(directory: dir.file("host"))
        try host.start()
        let port = try XCTUnwrap(host.port)
        try host.createRepository("homelab/gitops")
        let key = try keyPair("deploy")
        try host.addDeployKey(.init(repository: "homelab/gitops", title: "flux", key: key, readOnly: false))
        flux = SimulatedFlux(
            storage: FluxStorage(directory: dir.file("storage")), gitHosts: { ["github.com": port] },
            charts: [Self.chart, Self.appChart, LokiChart.chart], requeueDependency: .milliseconds(200),
            decrypt: SimulatedFlux.sopsDecryption)
        kube = try KubeSimFixture(sim: KubeAPISimulator(options: .init(), controllers: flux.controllers))
        addTeardownBlock { [self] in
            kube = nil
            host.stop()
            host = nil
            dir = nil
        }
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: FluxRelease.installYAML)
        try markFluxDeploymentsAvailable()
        try applySecret(key: "deploy")
    }

    /// The `flux-system` Secret as bootstrap writes it: the deploy key and the host's key under
    /// the name github.com.
    func applySecret(key: String) throws {
        let secret = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
            ("metadata", .object([("name", .string("flux-system")), ("namespace", .string("flux-system"))])),
            (
                "stringData",
                .object([
                    ("identity", .string(try String(contentsOfFile: dir.file(key), encoding: .utf8))),
                    ("known_hosts", .string("github.com \(try XCTUnwrap(host.hostPublicKey))\n")),
                ])
            ),
        ])
        try kube.kubectlOK(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: JSONCodec.encode(secret))
    }

    func markFluxDeploymentsAvailable() throws {
        try FluxControllersTests.runFluxDeployments(kube.sim) { try self.kube.kubectlOK($0) }
    }

    /// Two Ready nodes, on which the simulated k3s's controllers, scheduler and kubelets run the
    /// Flux Deployments' pods; returns once kubectl sees each Deployment Available.
    static func runFluxDeployments(_ sim: KubeAPISimulator, _ kubectl: ([String]) throws -> Void) throws {
        for (index, name) in ["k3s-cp-01", "k3s-wk-01"].enumerated() {
            try? sim.registerNode(
                KubeNodeRegistration(
                    name: name, internalIP: "192.168.10.\(21 + index)", controlPlane: index == 0,
                    version: "v1.33.4+k3s1"))
        }
        try kubectl([
            "wait", "deployment", "--all", "-n", "flux-system", "--for=condition=Available", "--timeout=60s",
        ])
    }

    func keyPair(_ name: String) throws -> String {
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ecdsa", "-b", "384", "-N", "", "-C", name, "-f", dir.file(name)])
        XCTAssertEqual(made.status, 0, made.stderr)
        return try String(contentsOfFile: dir.file(name + ".pub"), encoding: .utf8)
    }

    /// Runs git in the work tree, pushing with the deploy key straight to the host's port.
    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let known = "[127.0.0.1]:\(host.port!) \(host.hostPublicKey!)\n"
        try dir.write("client_known_hosts", known)
        let ssh =
            "ssh -F /dev/null -i \(dir.file("deploy")) -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=\(dir.file("client_known_hosts")) -o StrictHostKeyChecking=yes"
        let result = try runProcess(
            "/usr/bin/git", ["-C", dir.file("work")] + arguments,
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": dir.path, "GIT_SSH_COMMAND": ssh, "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
            ])
        XCTAssertEqual(result.status, 0, "git \(arguments): \(result.stderr)")
        return result.stdout
    }

    /// Commits the work tree (made on first use) and pushes it; returns the new head.
    @discardableResult
    func push(_ files: [String: String?], message: String = "change") throws -> String {
        if !FileManager.default.fileExists(atPath: dir.file("work/.git")) {
            try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
            try git(["init", "--quiet", "--initial-branch", "main"])
            try git(["remote", "add", "origin", "ssh://git@127.0.0.1:\(host.port!)/homelab/gitops.git"])
        }
        for (name, content) in files {
            if let content { try dir.write("work/" + name, content) } else { try git(["rm", "--quiet", name]) }
        }
        try git(["add", "-A"])
        try git(["commit", "--quiet", "-m", message])
        try git(["push", "--quiet", "origin", "main"])
        return try XCTUnwrap(host.head(of: "homelab/gitops"))
    }

    func object(_ kind: String, _ name: String, namespace: String = "flux-system") throws -> Document? {
        let result = try kube.kubectl(["get", kind, name, "-n", namespace, "-o", "json", "--show-managed-fields"])
        return result.status == 0 ? try JSONCodec.decode(result.stdout) : nil
    }

    /// Waits until `condition` holds for the object, returning it; fails with its last state.
    @discardableResult
    func waitFor(
        _ kind: String, _ name: String, namespace: String = "flux-system", timeout: Double = 20,
        file: StaticString = #filePath, line: UInt = #line, _ condition: (Document) -> Bool
    ) throws -> Document? {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Document?
        while Date() < deadline {
            last = try object(kind, name, namespace: namespace)
            if let last, condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail(
            "\(kind)/\(name) never got there: \(last.map { JSONCodec.encode($0) } ?? "missing")", file: file, line: line
        )
        return nil
    }

    static func ready(_ object: Document) -> (status: String?, reason: String?, message: String?) {
        condition(object, "Ready") ?? (nil, nil, nil)
    }

    /// The status, reason and message of the object's condition of `type`, nil when it has none.
    static func condition(_ object: Document, _ type: String) -> (status: String?, reason: String?, message: String?)? {
        guard let condition = (object["status"]?["conditions"]?.items ?? []).first(where: { $0.text("type") == type })
        else { return nil }
        return (condition.text("status"), condition.text("reason"), condition.text("message"))
    }

    let gitRepository = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 1m0s, ref: {branch: main}, secretRef: {name: flux-system}, url: ssh://git@github.com/homelab/gitops}
        """

    func kustomization(_ name: String, path: String, dependsOn: [String] = [], extra: String = "") -> String {
        let deps =
            dependsOn.isEmpty
            ? "" : "\n  dependsOn: [" + dependsOn.map { "{name: \($0)}" }.joined(separator: ", ") + "]"
        return """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: \(name), namespace: flux-system}
            spec:
              interval: 10m0s
              path: \(path)
              prune: true
              sourceRef: {kind: GitRepository, name: flux-system}\(deps)\(extra)
            """
    }

    static func helmRepository(_ name: String, url: String) -> String {
        """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata: {name: \(name), namespace: flux-system}
        spec: {interval: 1h, url: \(url)}

        """
    }

    static func configMap(_ name: String, namespace: String = "default", value: String = "1") -> String {
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name), namespace: \(namespace)}\ndata: {value: \"\(value)\"}\n"
    }

    func testAGitRepositoryGetsTheBranchHeadAndAPushThenTheReconcileAnnotationMovesIt() throws {
        let first = try push(["apps/a.yaml": Self.configMap("a")])
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        let repo = try waitFor("gitrepo", "flux-system") { $0.text("status", "artifact", "revision") != nil }
        XCTAssertEqual(repo?.text("status", "artifact", "revision"), "main@sha1:\(first)")
        XCTAssertEqual(repo.map(Self.ready)?.message, "stored artifact for revision 'main@sha1:\(first)'")
        XCTAssertEqual(repo.map(Self.ready)?.reason, "Succeeded")
        XCTAssertTrue(repo?.text("status", "artifact", "digest")?.hasPrefix("sha256:") ?? false)

        let second = try push(["apps/b.yaml": Self.configMap("b")])
        try kube.kubectlOK([
            "annotate", "--overwrite", "--field-manager=flux-client-side-apply", "-n", "flux-system",
            "gitrepository/flux-system", "reconcile.fluxcd.io/requestedAt=token-1",
        ])
        let moved = try waitFor("gitrepo", "flux-system") { $0.text("status", "lastHandledReconcileAt") == "token-1" }
        XCTAssertEqual(moved?.text("status", "artifact", "revision"), "main@sha1:\(second)")
        let table = try kube.kubectlOK(["get", "gitrepo", "-n", "flux-system"])
        XCTAssertTrue(table.contains("stored artifact for revision 'main@sha1:\(second)'"), table)

        // Storage keeps the latest two artifacts (--artifact-retention-records=2), not every commit.
        let third = try push(["apps/c.yaml": Self.configMap("c")])
        try kube.kubectlOK([
            "annotate", "--overwrite", "--field-manager=flux-client-side-apply", "-n", "flux-system",
            "gitrepository/flux-system", "reconcile.fluxcd.io/requestedAt=token-2",
        ])
        _ = try waitFor("gitrepo", "flux-system") { $0.text("status", "lastHandledReconcileAt") == "token-2" }
        let trees = try FileManager.default.contentsOfDirectory(
            atPath: dir.file("storage") + "/gitrepository/flux-system/flux-system")
        XCTAssertEqual(trees.sorted(), [second, third].sorted())
    }

    /// As Flux's optimized clone: a GitRepository without an artifact in storage is cloned at
    /// once (one login to the git host); one with an artifact asks for the branch's head first
    /// (`ls-remote`) and clones only when the branch moved (one login more).
    func testAFirstFetchIsACloneAloneALaterOneAsksForTheHeadFirst() throws {
        let first = try push(["apps/a.yaml": Self.configMap("a")])
        let log = dir.file("host") + "/server/sshd.log"
        func logins() throws -> Int {
            // sshd ends its lines with CR LF, one Character to Swift: counted as substrings.
            try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "Accepted publickey").count - 1
        }
        let before = try logins()
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        let repo = try waitFor("gitrepo", "flux-system") { $0.text("status", "artifact", "revision") != nil }
        XCTAssertEqual(repo?.text("status", "artifact", "revision"), "main@sha1:\(first)")
        XCTAssertEqual(try logins() - before, 1, "the branch cloned at once")

        func reconcile(_ token: String) throws -> Document? {
            try kube.kubectlOK([
                "annotate", "--overwrite", "--field-manager=flux-client-side-apply", "-n", "flux-system",
                "gitrepository/flux-system", "reconcile.fluxcd.io/requestedAt=\(token)",
            ])
            return try waitFor("gitrepo", "flux-system") { $0.text("status", "lastHandledReconcileAt") == token }
        }
        let unmoved = try logins()
        _ = try reconcile("token-1")
        XCTAssertEqual(try logins() - unmoved, 1, "the head asked for, nothing cloned")

        let second = try push(["apps/b.yaml": Self.configMap("b")])
        let moved = try logins()
        XCTAssertEqual(try reconcile("token-2")?.text("status", "artifact", "revision"), "main@sha1:\(second)")
        XCTAssertEqual(try logins() - moved, 2, "the head asked for, then the branch cloned")
    }

    func testAKeyTheHostRefusesIsGitOperationFailedWithGitsMessage() throws {
        try push(["apps/a.yaml": Self.configMap("a")])
        _ = try keyPair("stranger")
        try applySecret(key: "stranger")
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        let repo = try waitFor("gitrepo", "flux-system") { Self.ready($0).status == "False" }
        XCTAssertEqual(repo.map(Self.ready)?.reason, "GitOperationFailed")
        let message = repo.map(Self.ready)?.message ?? ""
        XCTAssertTrue(
            message.hasPrefix(
                "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/homelab/gitops': "),
            message)
        XCTAssertTrue(message.contains("Permission denied") || message.contains("denied"), message)
    }

    func testAHostTheLabDoesNotMapIsNeverReached() {
        let git = FluxGitCheckout(hosts: ["github.com": 1], identity: "", knownHosts: "")
        XCTAssertEqual(FluxGitCheckout.host(of: "ssh://git@gitlab.com:2222/a/b"), "gitlab.com")
        XCTAssertEqual(FluxGitCheckout.host(of: "git@github.com:a/b.git"), "github.com")
        // 127.0.0.2 needs no DNS: without the guard ssh would dial it (and be refused).
        for (url, host) in [("ssh://git@gitlab.com/a/b", "gitlab.com"), ("ssh://git@127.0.0.2/a/b", "127.0.0.2")] {
            XCTAssertThrowsError(try git.fetch(url, branch: "main", into: nil)) { error in
                let message = (error as? FluxGitCheckout.Failure)?.message ?? ""
                XCTAssertTrue(message.hasPrefix("ssh: Could not resolve hostname \(host)"), message)
            }
        }
    }

    func testKustomizationsApplyInDependsOnOrderPruneAndHonourSuspend() throws {
        try push([
            "infra/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n",
            "infra/cm.yaml": Self.configMap("settings", namespace: "infra"),
            "apps/kustomization.yaml": "resources: [one.yaml, two.yaml]\nnamespace: default\n",
            "apps/one.yaml": Self.configMap("one"), "apps/two.yaml": Self.configMap("two"),
        ])
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: kustomization("apps", path: "./apps", dependsOn: ["infrastructure"]))
        let waiting = try waitFor("ks", "apps") { Self.ready($0).reason == "DependencyNotReady" }
        XCTAssertEqual(
            waiting.map(Self.ready)?.message,
            "unable to get 'flux-system/infrastructure' dependency: kustomizations.kustomize.toolkit.fluxcd.io \"infrastructure\" not found"
        )
        XCTAssertNil(try object("configmap", "one", namespace: "default"))

        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: kustomization("infrastructure", path: "./infra", extra: "\n  suspend: true"))
        let blocked = try waitFor("ks", "apps") {
            Self.ready($0).message == "dependency 'flux-system/infrastructure' is not ready"
        }
        XCTAssertEqual(blocked.map(Self.ready)?.reason, "DependencyNotReady")
        XCTAssertNil(
            try object("namespace", "infra", namespace: "default"), "a suspended Kustomization applies nothing")

        try kube.kubectlOK([
            "patch", "ks", "infrastructure", "-n", "flux-system", "--type=merge", "-p", #"{"spec":{"suspend":null}}"#,
        ])
        let apps = try waitFor("ks", "apps") { Self.ready($0).status == "True" }
        let head = try XCTUnwrap(host.head(of: "homelab/gitops"))
        XCTAssertEqual(apps?.text("status", "lastAppliedRevision"), "main@sha1:\(head)")
        XCTAssertEqual(apps.map(Self.ready)?.message, "Applied revision: main@sha1:\(head)")
        XCTAssertEqual(apps.map(Self.ready)?.reason, "ReconciliationSucceeded")
        let infra = try XCTUnwrap(try object("ks", "infrastructure"))
        XCTAssertEqual(
            (infra["status"]?["inventory"]?["entries"]?.items ?? []).compactMap { $0.text("id") },
            ["_infra__Namespace", "infra_settings__ConfigMap"])
        let one = try XCTUnwrap(try object("configmap", "one", namespace: "default"))
        XCTAssertEqual(one.text("metadata", "labels", "kustomize.toolkit.fluxcd.io/name"), "apps")
        let managers = (one["metadata"]?["managedFields"]?.items ?? []).compactMap { $0.text("manager") }
        XCTAssertEqual(managers, ["kustomize-controller"])

        // Prune: two.yaml leaves the tree.
        let pruned = try push([
            "apps/kustomization.yaml": "resources: [one.yaml]\nnamespace: default\n", "apps/two.yaml": nil,
        ])
        try kube.kubectlOK([
            "annotate", "--overwrite", "-n", "flux-system", "gitrepo/flux-system", "reconcile.fluxcd.io/requestedAt=p1",
        ])
        try waitFor("ks", "apps") { $0.text("status", "lastAppliedRevision") == "main@sha1:\(pruned)" }
        XCTAssertNil(try object("configmap", "two", namespace: "default"))
        XCTAssertNotNil(try object("configmap", "one", namespace: "default"))

        // Suspend: a new revision and a reconcile request change nothing.
        try kube.kubectlOK([
            "patch", "ks", "apps", "-n", "flux-system", "--type=merge", "-p", #"{"spec":{"suspend":true}}"#,
        ])
        let later = try push(["apps/one.yaml": Self.configMap("one", value: "2")])
        try kube.kubectlOK([
            "annotate", "--overwrite", "-n", "flux-system", "gitrepo/flux-system", "reconcile.fluxcd.io/requestedAt=p2",
        ])
        try waitFor("gitrepo", "flux-system") { $0.text("status", "artifact", "revision") == "main@sha1:\(later)" }
        try kube.kubectlOK([
            "annotate", "--overwrite", "-n", "flux-system", "ks/apps", "reconcile.fluxcd.io/requestedAt=s1",
        ])
        Thread.sleep(forTimeInterval: 0.5)
        let suspended = try XCTUnwrap(try object("ks", "apps"))
        XCTAssertNotEqual(suspended.text("status", "lastHandledReconcileAt"), "s1")
        XCTAssertEqual(try object("configmap", "one", namespace: "default")?.text("data", "value"), "1")
    }

    func testABuildFailureAndAnEncryptedSecretAreReportedAsTheControllerDoes() throws {
        try push([
            "broken/kustomization.yaml": "resources: [missing.yaml]\n",
            "secret/s.yaml": """
            apiVersion: v1
            kind: Secret
            metadata:
              name: s
              namespace: default
            data:
              password: ENC[AES256_GCM,data:abc,type:str]
            sops:
              mac: ENC[AES256_GCM,data:x,type:str]
              version: 3.9.0
            """,
        ])
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: kustomization("broken", path: "./broken"))
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: kustomization("secret", path: "./secret"))
        let broken = try waitFor("ks", "broken") { Self.ready($0).status == "False" }
        XCTAssertEqual(broken.map(Self.ready)?.reason, "BuildFailed")
        XCTAssertTrue(
            broken.map(Self.ready)?.message?.hasPrefix("kustomize build failed: accumulating resources") ?? false)
        let secret = try waitFor("ks", "secret") { Self.ready($0).status == "False" }
        XCTAssertEqual(
            secret.map(Self.ready)?.message,
            "Secret/default/s is SOPS encrypted, configuring decryption is required for this secret to be reconciled")
    }

    /// kustomize-controller's build imports the decryption Secret's keys before kustomize runs and
    /// wraps every decryption error, so a missing Secret and a key that opens nothing are both
    /// `BuildFailed` (KustomizationReconciler.build, Decryptor.ImportKeys and DecryptResource), each
    /// in the controller's words; the right key, and a reconcile request, apply the Secret.
    func testADecryptionFailureIsABuildFailureInTheControllersWords() throws {
        try push(["sealed/age.yaml": SimulatedSOPSTests.manifest])
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: kustomization(
                "sealed", path: "./sealed", extra: "\n  decryption: {provider: sops, secretRef: {name: sops-age}}"))
        let missing = try waitFor("ks", "sealed") { Self.ready($0).status == "False" }
        XCTAssertEqual(missing.map(Self.ready)?.reason, "BuildFailed")
        XCTAssertEqual(missing.map(Self.ready)?.message, #"secrets "sops-age" not found"#)

        func ageSecret(_ key: String) throws {
            let secret = Document.object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                ("metadata", .object([("name", .string("sops-age")), ("namespace", .string("flux-system"))])),
                ("stringData", .object([("age.agekey", .string(key))])),
            ])
            try kube.kubectlOK(
                ["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: JSONCodec.encode(secret))
        }
        func requestReconcile(_ token: String) throws {
            try kube.kubectlOK([
                "annotate", "--overwrite", "-n", "flux-system", "ks/sealed", "reconcile.fluxcd.io/requestedAt=\(token)",
            ])
        }
        try ageSecret(SimulatedSOPSTests.otherKey)
        try requestReconcile("wrong-key")
        let wrong = try waitFor("ks", "sealed") {
            $0.text("status", "lastHandledReconcileAt") == "wrong-key" && Self.ready($0).status == "False"
        }
        XCTAssertEqual(wrong.map(Self.ready)?.reason, "BuildFailed")
        let message = wrong.map(Self.ready)?.message ?? ""
        XCTAssertTrue(
            message.hasPrefix(
                "decryption failed for 'Secret.v1.[noGrp]/age': failed to decrypt and format '/age' Secret data: "
                    + "cannot get sops data key: Failed to get the data key required to decrypt the SOPS file.\n\n"
                    + "Group 0: FAILED\n  \(SimulatedSOPSTests.recipient): FAILED"), message)

        try ageSecret("not an age key\n")
        try requestReconcile("garbled")
        let garbled = try waitFor("ks", "sealed") { $0.text("status", "lastHandledReconcileAt") == "garbled" }
        XCTAssertEqual(garbled.map(Self.ready)?.reason, "BuildFailed")
        XCTAssertTrue(
            garbled.map(Self.ready)?.message?.hasPrefix(
                "failed to import 'age.agekey' data from sops decryption Secret 'flux-system/sops-age': ") ?? false,
            "\(garbled.map(Self.ready) as Any)")

        try ageSecret(SimulatedSOPSTests.key)
        try requestReconcile("right-key")
        let applied = try waitFor("ks", "sealed") { Self.ready($0).status == "True" }
        XCTAssertEqual(applied.map(Self.ready)?.reason, "ReconciliationSucceeded")
        let secret = try XCTUnwrap(try object("secret", "age"))
        XCTAssertNil(secret["sops"], "applied without its sops block")
        XCTAssertNotNil(secret.text("data", "key"))
    }

    func testAHelmReleaseInstallsOnceItsRepositoryIsReadyAndAnUnknownChartIsRefused() throws {
        try kube.kubectlOK(
            [
                "apply", "--server-side", "-f", "-",
            ],
            stdin: """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: whoami, namespace: flux-system}
                spec:
                  interval: 1h
                  targetNamespace: web
                  install: {createNamespace: true}
                  values: {greeting: hi}
                  chart: {spec: {chart: whoami, version: 1.x, sourceRef: {kind: HelmRepository, name: charts}}}
                ---
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: nope, namespace: flux-system}
                spec:
                  interval: 1h
                  chart: {spec: {chart: nope, sourceRef: {kind: HelmRepository, name: charts}}}
                """)
        let waiting = try waitFor("hr", "whoami") { Self.ready($0).status == "False" }
        XCTAssertEqual(waiting.map(Self.ready)?.reason, "ArtifactFailed")
        XCTAssertNil(try object("configmap", "web-whoami-config", namespace: "web"))
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: Self.helmRepository("charts", url: "https://charts.example.com"))
        let installed = try waitFor("hr", "whoami") { Self.ready($0).status == "True" }
        XCTAssertEqual(
            installed.map(Self.ready)?.message,
            "Helm install succeeded for release web/web-whoami.v1 with chart whoami@1.2.3")
        XCTAssertEqual(installed?["status"]?["history"]?.items.first?.text("chartVersion"), "1.2.3")
        let config = try XCTUnwrap(try object("configmap", "web-whoami-config", namespace: "web"))
        XCTAssertEqual(config.text("data", "greeting"), "hi")
        XCTAssertEqual(
            (config["metadata"]?["managedFields"]?.items ?? []).compactMap { $0.text("manager") }, ["helm-controller"])
        XCTAssertNotNil(try object("secret", "sh.helm.release.v1.web-whoami.v1", namespace: "flux-system"))
        let nope = try waitFor("hr", "nope") { Self.ready($0).message?.contains("no chart name found") ?? false }
        XCTAssertEqual(nope.map(Self.ready)?.status, "False")
    }

    /// The `app` chart's HelmRelease (and its repository), its pod to run on a node labelled
    /// `disk=DISK`.
    func installApp(disk: String, timeout: String? = nil) throws {
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: Self.helmRepository("charts", url: "https://charts.example.com") + """
                ---
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: app, namespace: flux-system}
                spec:
                  interval: 1h
                  timeout: \(timeout ?? "5m")
                  values: {nodeSelector: {disk: \(disk)}}
                  chart: {spec: {chart: app, sourceRef: {kind: HelmRepository, name: charts}}}
                """)
    }

    func testAHelmReleaseIsReadyOnlyOnceItsWorkloadsAreAndTheWaitKeepsOneReleaseVersion() throws {
        try installApp(disk: "ssd")
        let waiting = try waitFor("hr", "app") { Self.ready($0).status == "Unknown" }
        XCTAssertEqual(waiting.map(Self.ready)?.reason, "Progressing")
        XCTAssertEqual(waiting.map(Self.ready)?.message, "Running 'install' action with timeout of 5m0s")
        let pending = try XCTUnwrap(try object("secret", "sh.helm.release.v1.app.v1", namespace: "flux-system"))
        XCTAssertEqual(pending.text("metadata", "labels", "status"), "pending-install")
        Thread.sleep(forTimeInterval: 2.5)
        XCTAssertEqual(try object("hr", "app").map(Self.ready)?.status, "Unknown", "still waiting for the pod")
        try kube.kubectlOK(["label", "node", "k3s-wk-01", "disk=ssd"])
        let installed = try waitFor("hr", "app") { Self.ready($0).status == "True" }
        XCTAssertEqual(
            installed.map(Self.ready)?.message,
            "Helm install succeeded for release flux-system/app.v1 with chart app@0.1.0")
        XCTAssertEqual(installed?["status"]?["history"]?.items.map { $0.text("status") }, ["deployed"])
        let deployed = try XCTUnwrap(try object("secret", "sh.helm.release.v1.app.v1", namespace: "flux-system"))
        XCTAssertEqual(deployed.text("metadata", "labels", "status"), "deployed")
        XCTAssertNil(try object("secret", "sh.helm.release.v1.app.v2", namespace: "flux-system"))
    }

    func testAHelmReleaseWhoseWorkloadsNeverBecomeReadyFailsAtItsTimeout() throws {
        try installApp(disk: "nvme", timeout: "1s")
        let failed = try waitFor("hr", "app") { Self.ready($0).status == "False" }
        XCTAssertEqual(failed.map(Self.ready)?.reason, "InstallFailed")
        XCTAssertEqual(
            failed.map(Self.ready)?.message,
            "Helm install failed for release flux-system/app.v1 with chart app@0.1.0: context deadline exceeded")
        XCTAssertEqual(failed?["status"]?["history"]?.items.map { $0.text("status") }, ["failed"])
        let stalled = try waitFor("hr", "app") { Self.condition($0, "Stalled")?.status == "True" }
        XCTAssertEqual(
            stalled.flatMap { Self.condition($0, "Stalled")?.message }, "Failed to install after 1 attempt(s)")
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertNil(
            try object("secret", "sh.helm.release.v1.app.v2", namespace: "flux-system"),
            "no retries by default: the failed install is not tried again")
        // `flux reconcile hr app --reset` (as the flux CLI annotates): tried again, as an upgrade.
        try kube.kubectlOK(["label", "node", "k3s-cp-01", "disk=nvme"])
        try kube.kubectlOK([
            "annotate", "--overwrite", "-n", "flux-system", "hr/app", "reconcile.fluxcd.io/requestedAt=r1",
            "reconcile.fluxcd.io/resetAt=r1",
        ])
        let upgraded = try waitFor("hr", "app") { Self.ready($0).status == "True" }
        XCTAssertEqual(
            upgraded.map(Self.ready)?.message,
            "Helm upgrade succeeded for release flux-system/app.v2 with chart app@0.1.0")
        XCTAssertNil(upgraded.flatMap { Self.condition($0, "Stalled") })
        XCTAssertEqual(upgraded?.text("status", "lastHandledResetAt"), "r1")
    }

    func testAnInjectedFailureFailsTheReconcileThenItRecovers() throws {
        try push(["apps/a.yaml": Self.configMap("a")])
        flux.faults.inject(
            .failing(times: 3, message: "injected: etcd is slow"), kind: "Kustomization", namespace: "flux-system",
            name: "apps")
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: gitRepository)
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: kustomization("apps", path: "./apps", extra: "\n  retryInterval: 1s"))
        let failed = try waitFor("ks", "apps") { Self.ready($0).message == "injected: etcd is slow" }
        XCTAssertEqual(failed.map(Self.ready)?.reason, "ReconciliationFailed")
        try waitFor("ks", "apps") { Self.ready($0).status == "True" }
    }

    func testASlowReconcileTakesLongerAndASuspendedHelmReleaseWaitsForResume() throws {
        flux.faults.inject(
            .slow(seconds: 1.5, times: 1), kind: "HelmRepository", namespace: "flux-system", name: "charts")
        let started = Date()
        try kube.kubectlOK(
            ["apply", "--server-side", "-f", "-"],
            stdin: Self.helmRepository("charts", url: "https://charts.example.com") + """
                ---
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: whoami, namespace: flux-system}
                spec:
                  interval: 1h
                  suspend: true
                  chart: {spec: {chart: whoami, sourceRef: {kind: HelmRepository, name: charts}}}
                """)
        try waitFor("helmrepo", "charts") { Self.ready($0).status == "True" }
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.4, "the injected delay")
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertNil(
            try object("hr", "whoami").flatMap { Self.ready($0).status }, "a suspended HelmRelease is left alone")
        try kube.kubectlOK([
            "patch", "hr", "whoami", "-n", "flux-system", "--type=merge", "-p", #"{"spec":{"suspend":null}}"#,
        ])
        let installed = try waitFor("hr", "whoami") { Self.ready($0).status == "True" }
        XCTAssertEqual(
            installed.map(Self.ready)?.message,
            "Helm install succeeded for release flux-system/whoami.v1 with chart whoami@1.2.3")
        try kube.kubectlOK([
            "annotate", "--overwrite", "-n", "flux-system", "hr/whoami", "reconcile.fluxcd.io/requestedAt=r1",
        ])
        let handled = try waitFor("hr", "whoami") { $0.text("status", "lastHandledReconcileAt") == "r1" }
        XCTAssertEqual(handled?["status"]?["history"]?.items.count, 1, "nothing changed: no upgrade")
    }
}
