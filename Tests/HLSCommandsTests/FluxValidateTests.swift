import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import HLSCommands
@testable import Secrets

/// `flux validate DIR`: the scaffold's tree validates clean (its builds agreeing with `kubectl
/// kustomize`), and each check catches its fault at the place a marker (`‸`) sets in the
/// written text: YAML, apiVersion/kind, builds, references, dependsOn cycles, SOPS.
final class FluxValidateTests: XCTestCase {
    /// One problem row, as `-o json` gives it.
    struct Row: Equatable, CustomStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var level: String
        var check: String
        var message: String

        var description: String { "\(file):\(line):\(column): \(level) [\(check)] \(message)" }

        /// An error row at a marker's place.
        static func error(_ file: String, _ at: (line: Int, column: Int), _ check: String, _ message: String) -> Row {
            Row(file: file, line: at.line, column: at.column, level: "error", check: check, message: message)
        }
    }

    /// `flux validate DIR -o json`: its exit status, rows and standard error.
    func validate(_ dir: String) throws -> (status: Int32, rows: [Row], err: String) {
        let run = runInProcess(#"flux validate "\#(dir)" -o json"#, environment: ["PATH": "/usr/bin:/bin"])
        let data = Data((run.out.isEmpty ? "[]" : run.out).utf8)
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]], run.out + run.err)
        let rows = items.map { item in
            Row(
                file: item["file"] as? String ?? "", line: item["line"] as? Int ?? 0,
                column: item["column"] as? Int ?? 0, level: item["level"] as? String ?? "",
                check: item["check"] as? String ?? "", message: item["message"] as? String ?? "")
        }
        return (run.status, rows, run.err)
    }

    /// `flux validate` of `dir` fails with exactly the `expected` error rows.
    func assertErrors(_ dir: String, _ expected: [Row], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try validate(dir)
        XCTAssertEqual(result.status, 1, result.err, file: file, line: line)
        XCTAssertEqual(result.rows.filter { $0.level == "error" }, expected, file: file, line: line)
    }

    /// Writes `text` to `path` under `dir` without its marker `‸`, and returns where the marker
    /// was (1-based line and column).
    @discardableResult
    func write(_ dir: TemporaryDirectory, _ path: String, _ text: String) throws -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var found: (Int, Int)?
        for character in text {
            if character == "‸" {
                found = (line, column)
            } else if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        _ = try dir.write(path, text.replacingOccurrences(of: "‸", with: ""))
        return found ?? (0, 0)
    }

    static func fluxKustomization(
        _ name: String, path: String, dependsOn: [String] = [], source: String = "flux-system"
    )
        -> String
    {
        """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: \(name)
          namespace: flux-system
        spec:
          interval: 10m
        """ + (dependsOn.isEmpty ? "" : "\n  dependsOn:\n" + dependsOn.map { "    - name: \($0)\n" }.joined()) + """

              sourceRef:
                kind: GitRepository
                name: \(source)
              path: \(path)
              prune: true

            """
    }

    // MARK: The scaffold

    func testTheScaffoldsTreeValidatesCleanAndEveryBuildAgreesWithKubectl() throws {
        let dir = try TemporaryDirectory("validate-scaffold")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let repo = dir.file("gitops")
        let scaffold = runInProcess(
            #"lab use "\#(GitOpsScaffoldTests.inventory)"; secret age-keygen; flux scaffold "\#(repo)""#,
            environment: env)
        XCTAssertEqual(scaffold.status, 0, scaffold.err)

        let result = try validate(repo)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.rows.filter { $0.level != "note" }, [], result.err)
        // No gotk-sync.yaml before `flux bootstrap`: its GitRepository is taken as given, in a note.
        XCTAssertEqual(result.rows.map(\.check), ["reference"])
        XCTAssertTrue(result.rows.first?.message.contains("GitRepository flux-system/flux-system") ?? false)
        XCTAssertTrue(result.err.contains("0 errors, 0 warnings"), result.err)

        // The build validate runs is kubectl's, folder by folder.
        let folders = try FluxValidation.yamlFiles(under: repo).filter { $0.hasSuffix("/kustomization.yaml") }
            .map { FilePaths.directory(of: $0) }
        XCTAssertEqual(folders.count, 10, "\(folders)")
        for folder in folders {
            let kubectl = try runProcess("/usr/bin/kubectl", ["kustomize", folder])
            XCTAssertEqual(kubectl.status, 0, "\(folder): \(kubectl.stderr)")
            XCTAssertEqual(
                try FluxDiffTests.canonical(KustomizeBuild.build(folder).map(\.document)),
                try FluxDiffTests.canonical(YAMLCodec.decodeAll(kubectl.stdout).filter { $0 != .null }), folder)
        }

        // With the bootstrap's gotk-sync.yaml in the tree, the note goes: the source is there.
        try write(
            dir, "gitops/kubernetes/clusters/homelab/flux-system/gotk-sync.yaml",
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: flux-system, namespace: flux-system}
            spec: {interval: 1m0s, ref: {branch: main}, secretRef: {name: flux-system}, url: ssh://git@github.com/o/r}
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: flux-system, namespace: flux-system}
            spec: {interval: 10m0s, path: ./kubernetes/clusters/homelab, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
            """)
        let bootstrapped = try validate(repo)
        XCTAssertEqual(bootstrapped.status, 0, bootstrapped.err)
        XCTAssertEqual(bootstrapped.rows, [])
    }

    // MARK: YAML and manifests

    func testDIRIsAPathDefaultingToTheCurrentFolder() throws {
        let spec = try XCTUnwrap(Commands.registry().spec("flux validate"))
        let dir = try XCTUnwrap(spec.positionals.first)
        guard case .path = dir.kind else { return XCTFail("DIR completes as \(dir.kind)") }
        XCTAssertEqual(dir.defaultValue, .string("."))
    }

    func testAYAMLErrorAndAManifestWithoutKindArePlaced() throws {
        let dir = try TemporaryDirectory("validate-yaml")
        let yaml = try write(
            dir, "apps/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x‸: y\n")
        let kindless = try write(
            dir, "apps/kindless.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n‸apiVersion: v1\nmetadata: {name: no-kind}\n")
        let result = try validate(dir.path)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.rows.count, 2, "\(result.rows)")
        let first = try XCTUnwrap(result.rows.first)
        XCTAssertEqual(
            [first.file, "\(first.line):\(first.column)", first.check],
            ["apps/broken.yaml", "\(yaml.line):\(yaml.column)", "yaml"])
        XCTAssertTrue(first.message.hasPrefix("invalid YAML: "), first.message)
        XCTAssertEqual(
            result.rows.last,
            Row.error(
                "apps/kindless.yaml", kindless, "manifest",
                "a manifest needs apiVersion and kind: this document has no kind"))
        XCTAssertTrue(result.err.contains("flux validate: 2 errors, 0 warnings in 2 files"), result.err)
    }

    func testAFileAKustomizationLeavesOutIsNoManifestOneItListsIs() throws {
        let dir = try TemporaryDirectory("validate-values")
        try write(
            dir, "monitoring/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [release.yaml]\n")
        let listed = try write(dir, "monitoring/release.yaml", "‸apiVersion: v1\nmetadata: {name: x}\n")
        try write(dir, "monitoring/values.yaml", "grafana:\n  enabled: true\n")
        try assertErrors(
            dir.path,
            [
                Row.error(
                    "monitoring/release.yaml", listed, "manifest",
                    "a manifest needs apiVersion and kind: this document has no kind")
            ])
    }

    // MARK: Builds

    func testAPathThatIsNotThereAndAMissingResourceAreBuildErrorsAsKubectlSaysToo() throws {
        let dir = try TemporaryDirectory("validate-build")
        let path = try write(
            dir, "clusters/lab/apps.yaml", Self.fluxKustomization("apps", path: "‸./apps/missing"))
        try write(dir, "clusters/lab/infra.yaml", Self.fluxKustomization("infra", path: "./infra"))
        let entry = try write(
            dir, "infra/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ns.yaml\n  - ‸gone.yaml\n"
        )
        try write(dir, "infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n")
        let kubectl = try runProcess("/usr/bin/kubectl", ["kustomize", dir.file("infra")])
        XCTAssertNotEqual(kubectl.status, 0, "kubectl refuses the missing resource too")

        let result = try validate(dir.path)
        XCTAssertEqual(result.status, 1)
        let errors = result.rows.filter { $0.level == "error" }
        XCTAssertEqual(
            errors,
            [
                Row.error(
                    "clusters/lab/apps.yaml", path, "build",
                    "spec.path ./apps/missing is not a folder of the repository"),
                Row.error(
                    "infra/kustomization.yaml", entry, "build",
                    "resources entry 'gone.yaml': no such file or folder"),
            ])
    }

    func testWhatHlshDoesNotBuildIsAWarningThatDoesNotFail() throws {
        let dir = try TemporaryDirectory("validate-unsupported")
        let field = try write(
            dir, "apps/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n‸namePrefix: x-\n")
        try write(dir, "apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
        XCTAssertEqual(try runProcess("/usr/bin/kubectl", ["kustomize", dir.file("apps")]).status, 0)
        let result = try validate(dir.path)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(
            result.rows.map { "\($0.file):\($0.line):\($0.column) \($0.level) \($0.check)" },
            ["apps/kustomization.yaml:\(field.line):\(field.column) warning build"])
        XCTAssertTrue(result.err.contains("0 errors, 1 warning "), result.err)
    }

    // MARK: References

    func testDependsOnAndSourcesThatAreNotThereArePlacedAtTheirNames() throws {
        let dir = try TemporaryDirectory("validate-references")
        try write(dir, "apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: apps}\n")
        let dependency = try write(
            dir, "clusters/lab/apps.yaml",
            Self.fluxKustomization("apps", path: "./apps", dependsOn: ["‸infrastructure"]))
        let source = try write(
            dir, "clusters/lab/other.yaml", Self.fluxKustomization("other", path: "./apps", source: "‸elsewhere"))
        // The HelmRepository is in flux-system; the HelmRelease in monitoring names it without a
        // namespace, so helm-controller looks in monitoring.
        try write(
            dir, "clusters/lab/repository.yaml",
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmRepository
            metadata: {name: grafana, namespace: flux-system}
            spec: {url: https://grafana.github.io/helm-charts}
            """)
        let chart = try write(
            dir, "clusters/lab/loki.yaml",
            """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: loki, namespace: monitoring}
            spec:
              chart:
                spec:
                  chart: loki
                  sourceRef: {kind: HelmRepository, name: ‸grafana}
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: alloy, namespace: monitoring}
            spec:
              chart:
                spec:
                  chart: alloy
                  sourceRef: {kind: HelmRepository, name: grafana, namespace: flux-system}
            """)
        try assertErrors(
            dir.path,
            [
                Row.error(
                    "clusters/lab/apps.yaml", dependency, "reference",
                    "Kustomization flux-system/apps dependsOn Kustomization flux-system/infrastructure, which is not in the tree"
                ),
                Row.error(
                    "clusters/lab/loki.yaml", chart, "reference",
                    "HelmRelease monitoring/loki names HelmRepository monitoring/grafana, which is not in the tree; "
                        + "there is one in namespace flux-system (say namespace: flux-system)"),
                Row.error(
                    "clusters/lab/other.yaml", source, "reference",
                    "Kustomization flux-system/other names GitRepository flux-system/elsewhere, which is not in the tree"
                ),
            ])
    }

    func testADependsOnCycleIsAnErrorNamingTheCycle() throws {
        let dir = try TemporaryDirectory("validate-cycle")
        try write(dir, "apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: apps}\n")
        let closing = try write(
            dir, "clusters/lab/a.yaml", Self.fluxKustomization("a", path: "./apps", dependsOn: ["‸b"]))
        try write(dir, "clusters/lab/b.yaml", Self.fluxKustomization("b", path: "./apps", dependsOn: ["c"]))
        try write(dir, "clusters/lab/c.yaml", Self.fluxKustomization("c", path: "./apps", dependsOn: ["a"]))
        try assertErrors(
            dir.path,
            [
                Row.error(
                    "clusters/lab/a.yaml", closing, "dependency",
                    "the dependsOn of Kustomizations form a cycle: a -> b -> c -> a")
            ])
    }

    func testTheDependencyOrderSortsOrNamesTheCycleOnce() throws {
        func object(_ name: String, _ dependsOn: String...) throws -> FluxObject {
            let entries = dependsOn.map { "{name: \($0)}" }.joined(separator: ", ")
            return FluxObject(
                kind: .kustomization,
                object: try YAMLCodec.decode(
                    "metadata: {name: \(name), namespace: ns}\nspec: {dependsOn: [\(entries)]}"))
        }
        let chain = [try object("apps", "configs"), try object("configs", "controllers"), try object("controllers")]
        XCTAssertEqual(try FluxDependencyOrder.sorted(chain).map(\.name), ["controllers", "configs", "apps"])
        XCTAssertNil(FluxDependencyOrder.cycle(chain))
        let loop = [try object("a", "b"), try object("b", "a"), try object("c", "a")]
        XCTAssertEqual(FluxDependencyOrder.cycle(loop).map(FluxDependencyOrder.describe), "a -> b -> a")
        XCTAssertThrowsError(try FluxDependencyOrder.sorted(loop)) { error in
            XCTAssertTrue("\(error)".contains("form a cycle: a -> b -> a"), "\(error)")
        }
    }

    // MARK: SOPS

    func testASecretARuleCoversMustBeEncryptedEveryValueItSelects() throws {
        let dir = try TemporaryDirectory("validate-sops")
        let identity = AgeIdentity.generate()
        try write(
            dir, ".sops.yaml",
            """
            creation_rules:
              - path_regex: secrets/.*\\.yaml$
                encrypted_regex: ^(data|stringData)$
                age: \(identity.recipient.text)
            """)
        let secret =
            "apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: apps}\nstringData:\n  token: s3cret\n"
        let plain = try write(dir, "secrets/plain.yaml", "‸" + secret)
        // Outside the rule's path_regex: not the validator's business.
        try write(dir, "elsewhere/secret.yaml", secret)
        // Encrypted, then a value put back in plaintext by hand.
        let encrypted = try SOPSFile.encrypt(
            YAMLCodec.decodeAll(secret), to: [identity.recipient], selection: .kubernetesSecret,
            lastModified: "2026-01-01T00:00:00Z")
        let edited = encrypted[0].setting(["stringData", "extra"], to: .string("leaked"))
        let text = YAMLCodec.encode(edited)
        let value = try write(
            dir, "secrets/edited.yaml", text.replacingOccurrences(of: "extra: leaked", with: "extra: ‸leaked"))
        try write(dir, "secrets/fine.yaml", YAMLCodec.encode(encrypted[0]))

        let result = try validate(dir.path)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.rows,
            [
                Row.error(
                    "secrets/edited.yaml", value, "sops",
                    "stringData.extra of Secret apps/token is in plaintext (not an ENC[…] value): decrypt the file, "
                        + "then encrypt it again with `secret encrypt \(dir.file("secrets/edited.yaml"))`"),
                Row.error(
                    "secrets/plain.yaml", plain, "sops",
                    "Secret apps/token is not encrypted (no sops metadata) though .sops.yaml's rule covers it: "
                        + "encrypt it with `secret encrypt \(dir.file("secrets/plain.yaml"))`"),
            ])
    }

    func testAKustomizationThatAppliesAnEncryptedSecretMustDecryptIt() throws {
        let dir = try TemporaryDirectory("validate-decryption")
        let identity = AgeIdentity.generate()
        let encrypted = try SOPSFile.encrypt(
            YAMLCodec.decodeAll(
                "apiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: apps}\ndata: {t: dA==}\n"),
            to: [identity.recipient], selection: .kubernetesSecret, lastModified: "2026-01-01T00:00:00Z")
        try write(dir, "apps/token.sops.yaml", YAMLCodec.encode(encrypted[0]))
        let spec = try write(
            dir, "clusters/lab/apps.yaml",
            Self.fluxKustomization("apps", path: "./apps").replacingOccurrences(of: "spec:\n  ", with: "spec:\n  ‸"))
        try assertErrors(
            dir.path,
            [
                Row.error(
                    "clusters/lab/apps.yaml", spec, "sops",
                    "Kustomization flux-system/apps applies the SOPS-encrypted apps/token.sops.yaml but has no "
                        + "spec.decryption (provider: sops, secretRef: sops-age)")
            ])
        let decrypting =
            Self.fluxKustomization("apps", path: "./apps")
            + "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"
        try write(dir, "clusters/lab/apps.yaml", decrypting)
        XCTAssertEqual(try validate(dir.path).status, 0)
    }
}
