import Foundation
import HLSCore
import HLSFormats
import NIOPosix
import Synchronization
import TestSupport
import X509
import XCTest

@testable import LabSim

/// The simulated Traefik, seen from the `curl` program as a browser would see it: nothing
/// answers until its LoadBalancer Service has an address, then Ingresses are routed by host,
/// TLS uses the certificate of the Ingress's Secret (Traefik's default one for other names),
/// a Service without Ready pods gives 503, an unknown host 404.
final class SimulatedTraefikTests: InProcessKubeTestCase {
    private static let paths: [String: KubeResourceName] = [
        "Namespace": .init(group: "", version: "v1", plural: "namespaces"),
        "ServiceAccount": .init(group: "", version: "v1", plural: "serviceaccounts"),
        "Service": .init(group: "", version: "v1", plural: "services"),
        "Secret": .init(group: "", version: "v1", plural: "secrets"),
        "Pod": .init(group: "", version: "v1", plural: "pods"),
        "Deployment": .init(group: "apps", version: "v1", plural: "deployments"),
        "ClusterRole": .init(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles"),
        "ClusterRoleBinding": .init(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings"),
        "IngressClass": KubeResourceName.ingressClasses,
        "Ingress": KubeResourceName.ingresses,
        "CustomResourceDefinition": .init(
            group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions"),
        "Middleware": TraefikRoutes.middlewares,
    ]

    @discardableResult
    private func create(_ object: Document) throws -> Document {
        let resource = try XCTUnwrap(Self.paths[object.text("kind") ?? ""], "\(object)")
        return try user.create(resource.path(namespace: object.text("metadata", "namespace")), object)
    }

    private func yaml(_ text: String) throws -> Document { try YAMLCodec.decode(text) }

    /// `curl` to `https://HOST:PORT/` or `http://…` on loopback (`--resolve`), with `--cacert` or `-k`.
    private func curl(_ url: String, port: Int, ca: String? = nil) throws -> ProcessResult {
        let host = url.split(separator: "/")[1]
        let scheme = url.hasPrefix("https") ? "https" : "http"
        let target = "\(scheme)://\(host):\(port)/" + url.split(separator: "/").dropFirst(2).joined(separator: "/")
        return try runProcess(
            "/usr/bin/curl",
            ["-sS", "-v", "--max-time", "5", "--resolve", "\(host):\(port):127.0.0.1"]
                + (ca.map { ["--cacert", $0] } ?? ["-k"]) + ["-w", "\n%{http_code}", target])
    }

    func testTraefikServesIngressesOnlyOnceItsLoadBalancerHasAnAddress() throws {
        try api.register(
            KubeNodeRegistration(name: "cp", internalIP: "192.168.10.21", controlPlane: true, version: "v1.31.4+k3s1"))
        let traefik = try SimulatedTraefik()
        let serviceLB = Atomic<Bool>(false)
        let runner = KubeControllerRunner(
            api: api,
            controllers: [SimulatedServiceLB(runs: { serviceLB.load(ordering: .acquiring) }), traefik.controller])
        runner.start()
        defer { runner.stop() }
        let ports = try traefik.start(client: KubeInProcessClient(api: api, manager: "traefik"))
        defer { traefik.stop() }

        let release = SimulatedChartRelease(
            name: "traefik", namespace: "traefik", version: "27.0.2", values: .object([]))
        try create(yaml("{apiVersion: v1, kind: Namespace, metadata: {name: traefik}}"))
        for object in try SimulatedChart.traefik.render(release) { try create(object) }

        // The app: a TLS Secret from a test CA, its Service, and an Ingress naming no class
        // (traefik is the default class).
        let dir = try TemporaryDirectory()
        let ca = try CertificateAuthority(subject: CertificateAuthority.name("CA") { CommonName("hlsh test CA") })
        try ca.root.write(certificatePath: dir.file("ca.pem"), keyPath: dir.file("ca.key"))
        let served = try ca.issueServer(
            subject: CertificateAuthority.name("app") { CommonName("app.home.example.com") },
            dnsNames: ["app.home.example.com"], ipAddresses: [])
        let app = try YAMLCodec.decodeAll(
            KubeManifests.ingressApp(certificatePEM: try served.certificatePEM(), keyPEM: try served.keyPEM()))
        for object in app where object.text("kind") != "Pod" { try create(object) }

        // Not yet: the Deployment has no available pod, then the Service is still <pending>.
        XCTAssertNotEqual(
            try curl("https://app.home.example.com/", port: ports.https, ca: dir.file("ca.pem")).status, 0)
        // Until the workloads' Deployment controller lands, the test makes the pod available itself.
        try user.mergePatch(
            Self.paths["Deployment"]!.path(namespace: "traefik", name: "traefik"),
            try JSONCodec.decode(#"{"status":{"replicas":1,"readyReplicas":1,"availableReplicas":1}}"#),
            subresource: "status")
        usleep(300_000)
        let pending = try curl("https://app.home.example.com/", port: ports.https, ca: dir.file("ca.pem"))
        XCTAssertNotEqual(pending.status, 0, "answered while the LoadBalancer was <pending>: \(pending.stdout)")
        let plainPending = try curl("http://app.home.example.com/", port: ports.http)
        XCTAssertNotEqual(plainPending.status, 0, plainPending.stdout)

        serviceLB.store(true, ordering: .releasing)
        try eventually("the Ingress gets the Service's address") {
            try self.user.get(KubeResourceName.ingresses.path(namespace: "default", name: "app"))?
                .at(["status", "loadBalancer", "ingress"]) == .array([.object([("ip", .string("192.168.10.21"))])])
        }

        // No Ready pod behind the Service: Traefik's 503, over TLS with the Secret's certificate.
        let empty = try curl("https://app.home.example.com/", port: ports.https, ca: dir.file("ca.pem"))
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertEqual(empty.stdout, "no available server\n\n503")
        XCTAssertTrue(empty.stderr.contains("subject: CN=app.home.example.com"), empty.stderr)
        XCTAssertTrue(empty.stderr.contains("issuer: CN=hlsh test CA"), empty.stderr)

        for object in app where object.text("kind") == "Pod" { try create(object) }
        try user.mergePatch(
            Self.paths["Pod"]!.path(namespace: "default", name: "app-1"),
            try JSONCodec.decode(
                #"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#),
            subresource: "status")
        let ok = try curl("https://app.home.example.com/hello", port: ports.https, ca: dir.file("ca.pem"))
        XCTAssertEqual(ok.stdout, "app answered from app-1 for app.home.example.com/hello\n\n200", ok.stderr)
        // A router whose Middleware does not exist is not built: 404 until the Middleware is there.
        _ = try user.mergePatch(
            KubeResourceName.ingresses.path(namespace: "default", name: "app"),
            .object([
                (
                    "metadata",
                    .object([
                        (
                            "annotations",
                            .object([
                                (TraefikRoutes.middlewaresAnnotation, .string("traefik-security-headers@kubernetescrd"))
                            ])
                        )
                    ])
                )
            ]))
        let unrouted = try curl("https://app.home.example.com/hello", port: ports.https, ca: dir.file("ca.pem"))
        XCTAssertEqual(unrouted.stdout, "404 page not found\n\n404", unrouted.stderr)
        XCTAssertTrue(unrouted.stderr.contains("subject: CN=app.home.example.com"), "its certificate still loads")
        try create(
            yaml(
                """
                {apiVersion: traefik.io/v1alpha1, kind: Middleware, metadata: {name: security-headers, namespace: traefik},
                 spec: {headers: {frameDeny: true}}}
                """))
        XCTAssertEqual(
            try curl("https://app.home.example.com/hello", port: ports.https, ca: dir.file("ca.pem")).stdout,
            "app answered from app-1 for app.home.example.com/hello\n\n200")
        // The Ingress has TLS, so its router is not on the `web` entry point.
        XCTAssertEqual(try curl("http://app.home.example.com/", port: ports.http).stdout, "404 page not found\n\n404")

        // Another name: Traefik's own certificate, and 404.
        let unknown = try curl("https://other.example.com/", port: ports.https)
        XCTAssertEqual(unknown.stdout, "404 page not found\n\n404", unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("subject: CN=TRAEFIK DEFAULT CERT"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("issuer: CN=TRAEFIK DEFAULT CERT"), unknown.stderr)
    }

    func testTheChartRendersWhatTheTraefikChartInstalls() throws {
        let release = SimulatedChartRelease(
            name: "traefik", namespace: "kube-system", version: "27.0.2",
            values: try JSONCodec.decode(#"{"ingressClass":{"isDefaultClass":false}}"#))
        let objects = try SimulatedChart.traefik.render(release)
        XCTAssertEqual(
            objects.map { "\($0.text("kind") ?? "")/\($0.text("metadata", "name") ?? "")" },
            [
                "CustomResourceDefinition/ingressroutes.traefik.io",
                "CustomResourceDefinition/ingressroutetcps.traefik.io",
                "CustomResourceDefinition/ingressrouteudps.traefik.io",
                "CustomResourceDefinition/middlewares.traefik.io", "CustomResourceDefinition/middlewaretcps.traefik.io",
                "CustomResourceDefinition/serverstransports.traefik.io",
                "CustomResourceDefinition/serverstransporttcps.traefik.io",
                "CustomResourceDefinition/tlsoptions.traefik.io", "CustomResourceDefinition/tlsstores.traefik.io",
                "CustomResourceDefinition/traefikservices.traefik.io",
                "ServiceAccount/traefik", "ClusterRole/traefik-kube-system", "ClusterRoleBinding/traefik-kube-system",
                "Deployment/traefik", "Service/traefik", "IngressClass/traefik",
            ])
        let service = try XCTUnwrap(objects.first { $0.text("kind") == "Service" })
        XCTAssertEqual(service.text("spec", "type"), "LoadBalancer")
        XCTAssertEqual(
            service.at(["spec", "ports"])?.items.map { "\($0.text("name") ?? "")=\($0["port"]?.scalarText ?? "")" },
            ["web=80", "websecure=443"])
        let ingressClass = try XCTUnwrap(objects.last)
        XCTAssertEqual(
            ingressClass.text("metadata", "annotations", "ingressclass.kubernetes.io/is-default-class"), "false")
        XCTAssertFalse(TraefikRoutes.isTraefiks(.object([]), defaultClass: false))
        XCTAssertTrue(
            TraefikRoutes.isTraefiks(
                .object([("spec", .object([("ingressClassName", .string("traefik"))]))]), defaultClass: false))
    }
}
