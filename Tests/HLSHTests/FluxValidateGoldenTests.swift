import Foundation
import TestSupport
import XCTest

/// What `flux validate` shows a user on a broken GitOps tree: one row per problem at its file,
/// line and column, then the summary as the error, exit 1.
final class FluxValidateGoldenTests: XCTestCase {
    func testTheTableOfABrokenTree() throws {
        let sops = """
            creation_rules:
              - path_regex: kubernetes/.*\\.yaml$
                encrypted_regex: ^(data|stringData)$
                age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p

            """
        let apps = """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: apps
              namespace: flux-system
            spec:
              dependsOn:
                - name: infrastructure
              interval: 1h
              sourceRef:
                kind: GitRepository
                name: flux-system
              path: ./kubernetes/apps
              prune: true

            """
        let release = """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata:
              name: loki
              namespace: monitoring
            spec:
              chart:
                spec:
                  chart: loki
                  sourceRef:
                    kind: HelmRepository
                    name: grafana

            """
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: token
              namespace: apps
            stringData:
              token: s3cret

            """
        try assertGolden(
            "flux-validate-broken", ["flux", "validate", "gitops"], status: 1,
            files: [
                "gitops/.sops.yaml": sops,
                "gitops/kubernetes/clusters/homelab/apps.yaml": apps,
                "gitops/kubernetes/apps/kustomization.yaml":
                    "resources:\n  - loki.yaml\n  - token.yaml\n  - gone.yaml\n",
                "gitops/kubernetes/apps/loki.yaml": release,
                "gitops/kubernetes/apps/token.yaml": secret,
                "gitops/kubernetes/clusters/homelab/notes.yaml": "title: not a manifest\n",
                "gitops/kubernetes/apps/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x: y\n",
            ])
    }
}
