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
    /// written to `ca.pem` in the harness's folder). Returns once Traefik's Deployment is
    /// available and, when `podReady`, the app's pod Ready (else that pod is deleted).
    func installIngress(podReady: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let ca = try CertificateAuthority(subject: CertificateAuthority.name("CA") { CommonName("hlsh test CA") })
        try ca.root.write(certificatePath: home.file("ca.pem"), keyPath: home.file("ca.key"))
        let served = try ca.issueServer(
            subject: CertificateAuthority.name("app") { CommonName("app.home.example.com") },
            dnsNames: ["app.home.example.com"], ipAddresses: [])
        let release = SimulatedChartRelease(
            name: "traefik", namespace: "traefik", version: "27.0.2", values: .object([]))
        let chart = try SimulatedChart.traefik.render(release).map(YAMLCodec.encode).joined(separator: "---\n")
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
        // Traefik's pod runs on a node as any Deployment's does (the simulated k3s's controllers,
        // scheduler and kubelets); the app's bare pod too, unless the test wants it gone first.
        let traefik = run("kube wait deploy traefik -n traefik --for condition=Available --timeout 60s")
        XCTAssertEqual(traefik.status, 0, traefik.err, file: file, line: line)
        if podReady {
            try makeAppReady()
        } else {
            let deleted = run("kube delete pod app-1 -n default")
            XCTAssertEqual(deleted.status, 0, deleted.err, file: file, line: line)
        }
    }

    /// The app's pod (again), Running and Ready on a node.
    func makeAppReady() throws {
        let pod = try home.write(
            "app-pod.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: app-1, namespace: default, labels: {app: app}}
            spec: {containers: [{name: app, image: nginx}]}
            """)
        let applied = run("kube apply -f \(pod)\nkube wait pod app-1 -n default --for condition=Ready --timeout 60s")
        XCTAssertEqual(applied.status, 0, applied.err)
    }
}
