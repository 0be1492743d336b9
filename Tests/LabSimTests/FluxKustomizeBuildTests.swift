import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import LabSim

/// The simulated kustomize-controller's build against the real `kubectl kustomize` on the same trees.
final class FluxKustomizeBuildTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory("flux-kustomize") }

    /// The objects `kubectl kustomize` builds from `path`, keys sorted.
    func kubectlKustomize(_ path: String) throws -> [Document] {
        let result = try runProcess(try Kubectl.path(), ["kustomize", path], environment: ["HOME": dir.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try YAMLCodec.decodeAll(result.stdout).map(Self.sortedKeys)
    }

    func simulated(_ path: String) throws -> [Document] {
        do { return try FluxKustomizeBuild.build(path).map(Self.sortedKeys) } catch {
            XCTFail(error.message)
            return []
        }
    }

    static func sortedKeys(_ d: Document) -> Document {
        switch d {
        case .object(let pairs): return .object(pairs.sorted { $0.key < $1.key }.map { ($0.key, sortedKeys($0.value)) })
        case .array(let items): return .array(items.map(sortedKeys))
        default: return d
        }
    }

    func assertSameBuild(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let want = try kubectlKustomize(path)
        let have = try simulated(path)
        XCTAssertEqual(have.count, want.count, file: file, line: line)
        for (a, b) in zip(have, want) where a != b {
            XCTFail("simulated:\n\(YAMLCodec.encode(a))\nkubectl:\n\(YAMLCodec.encode(b))", file: file, line: line)
        }
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx:1.25
                envFrom:
                - configMapRef: {name: web-config}
                volumeMounts:
                - {name: creds, mountPath: /creds}
              initContainers:
              - name: init
                image: busybox
              volumes:
              - name: creds
                secret: {secretName: web-creds}
        """

    func testAnOverlayWithGeneratorsPatchesLabelsAndImagesBuildsAsKubectlDoes() throws {
        try dir.write("app/base/deployment.yaml", Self.deployment)
        try dir.write(
            "app/base/service.yaml",
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """)
        try dir.write("app/base/kustomization.yaml", "resources: [deployment.yaml, service.yaml]\n")
        try dir.write("app/overlay/settings.env", "MODE=lab\n# comment\nLEVEL=debug\n")
        try dir.write("app/overlay/motd.txt", "hello <lab> & welcome\n")
        try dir.write(
            "app/overlay/extra.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: extra, namespace: other}
            data: {a: "1"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            rules: []
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: apps}
            """)
        try dir.write(
            "app/overlay/kustomization.yaml",
            """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: apps
            namePrefix: lab-
            commonLabels:
              team: home
            labels:
            - pairs: {tier: frontend}
            commonAnnotations:
              owner: me
            resources:
            - ../base
            - extra.yaml
            images:
            - name: nginx
              newTag: "1.27"
            - name: busybox
              newName: ghcr.io/lab/busybox
              newTag: v1
            configMapGenerator:
            - name: web-config
              literals: [GREETING=hi, "QUOTED='x y'"]
              envs: [settings.env]
              files: [motd.txt]
            secretGenerator:
            - name: web-creds
              literals: [password=s3cret]
            patches:
            - target: {kind: Deployment, name: web}
              patch: |-
                - op: replace
                  path: /spec/replicas
                  value: 3
            - patch: |-
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  type: NodePort
            - target: {kind: ConfigMap, labelSelector: "team=home"}
              patch: |-
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: any}
                data:
                  patched: "yes"
            """)
        try assertSameBuild(dir.file("app/overlay"))
    }

    /// Both controllers apply through `FluxResources.applyOrder`: CRDs and Namespaces first,
    /// each part keeping its order.
    func testTheControllersApplyCRDsAndNamespacesFirstKeepingTheOrderOfTheRest() {
        let kinds = ["ConfigMap", "Namespace", "Deployment", "CustomResourceDefinition", "Service", "Namespace"]
        let manifests = kinds.enumerated().map { index, kind in
            Document.object([("kind", .string(kind)), ("metadata", .object([("name", .string("m\(index)"))]))])
        }
        XCTAssertEqual(
            FluxResources.applyOrder(manifests).map { $0.text("metadata", "name") ?? "" },
            ["m1", "m3", "m5", "m0", "m2", "m4"])
    }

    func testCRDsNamespacesAndRBACComeInKustomizesOrder() throws {
        try dir.write(
            "infra/all.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: b, namespace: x}
            spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w, namespace: x}
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: []}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: hook}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: x}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: sa, namespace: x}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: x}
            """)
        try dir.write("infra/kustomization.yaml", "resources: [all.yaml]\n")
        try assertSameBuild(dir.file("infra"))
    }

    func testWithoutAKustomizationEveryManifestUnderThePathIsBuilt() throws {
        try dir.write("plain/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        try dir.write("plain/nested/b.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
        try dir.write("plain/notes.yaml", "just: data\n")
        try dir.write("plain/README.md", "# not a manifest\n")
        try dir.write("plain/sub/kustomization.yaml", "resources: [c.yaml]\nnamespace: sub\n")
        try dir.write("plain/sub/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
        try dir.write("plain/sub/ignored.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored}\n")
        let built = try simulated(dir.file("plain"))
        XCTAssertEqual(
            built.map {
                "\($0["metadata"]?["namespace"]?.scalarText ?? "")/\($0["metadata"]?["name"]?.scalarText ?? "")"
            }, ["sub/c", "/a", "/b"])  // kustomize orders namespaced before unnamespaced ("~X")
        // The same tree with the kustomization the controller generates, built by kubectl.
        try dir.write("plain/kustomization.yaml", "resources: [a.yaml, nested/b.yml, sub]\n")
        try assertSameBuild(dir.file("plain"))
    }

    func testPatchFilesNameSuffixGeneratorOptionsAndTargetsByNameBuildAsKubectlDoes() throws {
        try dir.write("app/deployment.yaml", Self.deployment)
        try dir.write("app/creds.txt", "token-123")
        try dir.write(
            "app/replicas.yaml",
            """
            - op: add
              path: /spec/template/spec/containers/0/args
              value: [--verbose]
            - op: remove
              path: /spec/template/spec/initContainers
            """)
        try dir.write(
            "app/resources.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                  - name: web
                    resources: {limits: {memory: 128Mi}}
                  - name: sidecar
                    image: busybox
            """)
        try dir.write(
            "app/kustomization.yaml",
            """
            nameSuffix: -v2
            generatorOptions:
              disableNameSuffixHash: true
              labels: {generated: "yes"}
            secretGenerator:
            - name: web-creds
              files: [token=creds.txt]
            configMapGenerator:
            - name: web-config
              literals: [A=1]
              options: {disableNameSuffixHash: false}
            resources: [deployment.yaml]
            patches:
            - path: replicas.yaml
              target: {group: apps, version: v1, kind: Deployment, name: web}
            - path: resources.yaml
            """)
        try assertSameBuild(dir.file("app"))
    }

    /// `gotk-sync.yaml` as `flux bootstrap` writes it for `clusters/lab` of homelab/gitops.
    static let gotkSync = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 1m0s, ref: {branch: main}, secretRef: {name: flux-system}, url: ssh://git@github.com/homelab/gitops}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 10m0s, path: ./clusters/lab, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}

        """

    /// The tree `flux bootstrap` commits: the release's components, the sync objects, and a
    /// patch adding SOPS decryption to the flux-system Kustomization.
    func testTheBootstrapTreeBuildsAsKubectlDoes() throws {
        try dir.write("clusters/lab/flux-system/gotk-components.yaml", FluxRelease.installYAML)
        try dir.write("clusters/lab/flux-system/gotk-sync.yaml", Self.gotkSync)
        try dir.write(
            "clusters/lab/flux-system/kustomization.yaml",
            """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources: [gotk-components.yaml, gotk-sync.yaml]
            patches:
            - target: {kind: Kustomization, name: flux-system}
              patch: |
                - op: add
                  path: /spec/decryption
                  value: {provider: sops, secretRef: {name: sops-age}}
            """)
        try assertSameBuild(dir.file("clusters/lab/flux-system"))
    }
}
