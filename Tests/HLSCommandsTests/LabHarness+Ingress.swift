import Foundation
import HLSFormats
import TestSupport
import X509
import XCTest

@testable import LabSim

extension LabHarness {
    /// Phase 4's ingress on an installed cluster, as the GitOps tree would put it there: the
    /// Traefik chart in `traefik`, and an app at `app.home.example.com` (Service `app`, pod
    /// `app-1`, an Ingress with TLS from the Secret `app-tls`, whose certificate a test CA issued,
    /// written to `ca.pem` in the harness's folder). Until the workloads' Deployment controller
    /// lands, Traefik's pod is made available through the status subresource here, as is the
    /// app's pod Ready when `podReady`.
    func installIngress(podReady: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let ca = try CertificateAuthority(subject: CertificateAuthority.name("CA") { CommonName("hlsh test CA") })
        try ca.root.write(certificatePath: home.file("ca.pem"), keyPath: home.file("ca.key"))
        let served = try ca.issueServer(
            subject: CertificateAuthority.name("app") { CommonName("app.home.example.com") },
            dnsNames: ["app.home.example.com"], ipAddresses: [])
        let release = SimulatedChartRelease(
            name: "traefik", namespace: "traefik", version: "27.0.2", values: .object([]))
        let chart = SimulatedChart.traefik.render(release).map(YAMLCodec.encode).joined(separator: "---\n")
        let manifests = try home.write(
            "ingress.yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: traefik}
            ---
            \(chart)---
            \(KubeManifests.ingressApp(certificatePEM: try served.certificatePEM(), keyPEM: try served.keyPEM()))
            """)
        let applied = run("kube apply -f \(manifests)")
        XCTAssertEqual(applied.status, 0, applied.err, file: file, line: line)
        try patchStatus(["deploy", "traefik", "-n", "traefik"], #"{"status":{"availableReplicas":1}}"#)
        if podReady { try makeAppReady() }
    }

    /// The app's pod Running and Ready.
    func makeAppReady() throws {
        try patchStatus(
            ["pod", "app-1", "-n", "default"],
            #"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#)
    }

    /// `kubectl patch … --subresource=status` with a merge patch, through the lab's admin kubeconfig.
    private func patchStatus(_ object: [String], _ patch: String) throws {
        let result = try runProcess(
            try Kubectl.path(),
            ["--kubeconfig", lab.kubeconfigPath, "--cache-dir", home.file("kube-cache"), "patch"] + object + [
                "--subresource=status", "--type=merge", "-p", patch,
            ],
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
