import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import LabSim

/// The pinned Flux release's install.yaml as real kubectl sees it on the simulated API.
final class FluxInstallTests: XCTestCase {
    func testInstallYAMLAppliesServerSideAndItsKindsPrintFluxsColumns() throws {
        let kube = try KubeSimFixture()
        let applied = try kube.kubectlOK(
            ["apply", "--server-side", "--field-manager=flux", "-f", "-"], stdin: FluxRelease.installYAML)
        XCTAssertTrue(
            applied.contains(
                "customresourcedefinition.apiextensions.k8s.io/kustomizations.kustomize.toolkit.fluxcd.io serverside-applied"
            ), applied)
        XCTAssertTrue(applied.contains("deployment.apps/source-controller serverside-applied"), applied)
        let objects =
            FluxKustomizeBuildTests.gotkSync + """
                ---
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: traefik, namespace: flux-system}
                spec: {interval: 1h, chart: {spec: {chart: traefik, sourceRef: {kind: HelmRepository, name: traefik}}}}
                """
        try kube.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: objects)
        let table = try kube.kubectlOK(["get", "ks,gitrepo,hr", "-A"])
        let headers = table.split(separator: "\n").filter { $0.hasPrefix("NAMESPACE") }
            .map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(
            headers,
            [
                "NAMESPACE NAME AGE READY STATUS", "NAMESPACE NAME URL AGE READY STATUS",
                "NAMESPACE NAME AGE READY STATUS",
            ], table)
        XCTAssertTrue(table.contains("kustomization.kustomize.toolkit.fluxcd.io/flux-system"), table)
        XCTAssertTrue(table.contains("ssh://git@github.com/homelab/gitops"), table)
        let labelled = try kube.kubectlOK(
            [
                "get", "crd,deploy", "-A", "-l",
                "app.kubernetes.io/part-of=flux,app.kubernetes.io/version=\(FluxRelease.version)", "-o", "name",
            ])
        XCTAssertEqual(labelled.split(separator: "\n").count, 10 + 4, labelled)
        let explained = try kube.kubectlOK(["explain", "kustomization.spec.sourceRef"])
        XCTAssertTrue(explained.contains("Reference of the source where the kustomization file is."), explained)
        XCTAssertTrue(explained.contains("kind\t<string> -required-"), explained)
    }

    /// The lab runs the Flux controllers: once install.yaml is applied and its Deployments are
    /// available, a HelmRepository turns Ready.
    func testTheLabRunsTheFluxControllers() throws {
        let dir = try TemporaryDirectory("hlsh-lab-flux")
        let lab = try SimulatedLab.start(.init(pve: .seedLab(timings: .fastTest), nodeImage: nil), in: dir.path)
        defer { lab.stop() }
        func kubectl(_ arguments: [String], stdin: String? = nil) throws -> String {
            let result = try runProcess(
                try Kubectl.path(),
                ["--kubeconfig", dir.file("kubeconfig"), "--cache-dir", dir.file("cache")] + arguments,
                stdin: stdin, environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
        _ = try kubectl(["apply", "--server-side", "-f", "-"], stdin: FluxRelease.installYAML)
        try FluxControllersTests.runFluxDeployments(try XCTUnwrap(lab.kube)) { _ = try kubectl($0) }
        _ = try kubectl(
            ["apply", "--server-side", "-f", "-"],
            stdin: FluxControllersTests.helmRepository("jetstack", url: "https://charts.jetstack.io"))
        var table = ""
        for _ in 0..<50 {
            table = try kubectl(["get", "helmrepo", "-n", "flux-system"])
            if table.contains("True") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(table.contains("stored artifact: revision 'sha256:"), table)
    }

    func testTheChecksumIsTheSHA256OfTheText() throws {
        let dir = try TemporaryDirectory("flux-install")
        try dir.write("install.yaml", FluxRelease.installYAML)
        let sum = try runProcess("/usr/bin/sha256sum", [dir.file("install.yaml")])
        XCTAssertEqual(sum.stdout.split(separator: " ").first.map(String.init), FluxRelease.sha256)
        XCTAssertEqual(FluxRelease.documents.first?.text("metadata", "name"), "flux-system")
        XCTAssertEqual(FluxRelease.documents.filter { $0.text("kind") == "Deployment" }.count, 4)
    }

    /// The release's own objects share one head: every object carries the three release labels,
    /// the namespaced ones sit in flux-system, and the bindings name the components' accounts.
    func testEveryObjectCarriesTheReleaseLabelsAndTheBindingsNameTheComponents() {
        for document in FluxRelease.documents {
            let id = "\(document.text("kind") ?? "")/\(document.text("metadata", "name") ?? "")"
            XCTAssertEqual(document.text("metadata", "labels", "app.kubernetes.io/part-of"), "flux", id)
            XCTAssertEqual(document.text("metadata", "labels", "app.kubernetes.io/instance"), "flux-system", id)
            XCTAssertEqual(document.text("metadata", "labels", "app.kubernetes.io/version"), FluxRelease.version, id)
        }
        let kinds = ["ResourceQuota", "NetworkPolicy", "Service", "Deployment", "ServiceAccount"]
        for document in FluxRelease.documents where kinds.contains(document.text("kind") ?? "") {
            XCTAssertEqual(
                document.text("metadata", "namespace"), "flux-system", document.text("metadata", "name") ?? "")
        }
        let bindings = FluxRelease.documents.filter { $0.text("kind") == "ClusterRoleBinding" }
        let subjects = bindings.map { binding in
            guard case .array(let items) = binding["subjects"] else { return [String]() }
            return items.map {
                "\($0.text("kind") ?? "")/\($0.text("namespace") ?? "")/\($0.text("name") ?? "")"
            }
        }
        XCTAssertEqual(bindings.map { $0.text("roleRef", "name") }, ["cluster-admin", "crd-controller-flux-system"])
        XCTAssertEqual(
            subjects,
            [
                ["ServiceAccount/flux-system/kustomize-controller", "ServiceAccount/flux-system/helm-controller"],
                [
                    "kustomize-controller", "helm-controller", "source-controller", "notification-controller",
                ].map { "ServiceAccount/flux-system/" + $0 },
            ])
        XCTAssertEqual(
            FluxRelease.documents.filter { $0.text("kind") == "NetworkPolicy" }.map { $0.text("metadata", "name") },
            ["allow-egress", "allow-scraping", "allow-webhooks"])
    }
}
