import Foundation
import HLSCore
import HLSFormats
import TestSupport

@testable import LabSim

extension KubeHarness {
    /// A harness whose simulated API runs cert-manager's controllers and serves its webhook,
    /// which answers `webhookLag` after its Deployment turns available.
    convenience init(certManagerWebhookLag lag: Duration) throws {
        let certManager = SimulatedCertManager(
            webhookLag: lag, letsEncrypt: Self.letsEncrypt,
            cloudflare: SimulatedCloudflare(token: Self.cloudflareToken, zones: ["lab.example", "home.example.com"]))
        try self.init(
            sim: KubeAPISimulator(
                options: KubeAPISimulator.Options(), controllers: certManager.controllers,
                webhooks: [certManager.webhook]))
    }

    /// The Let's Encrypt the harnesses' cert-manager reaches (its CAs made once per test run).
    static let letsEncrypt = SimulatedLetsEncrypt()
    /// The token the harnesses' Cloudflare accepts, for the zones `lab.example` and `home.example.com`.
    static let cloudflareToken = "hlshTestCloudflareToken0123456789abcdefg"

    /// Creates the Secret `name` in `namespace` holding `token` (the Cloudflare one) under `key`.
    func createCloudflareSecret(
        name: String = "cloudflare", key: String = "token", token: String = cloudflareToken,
        namespace: String = "cert-manager"
    ) throws {
        try inProcessClient().apply(
            object: .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                ("metadata", .object([("name", .string(name)), ("namespace", .string(namespace))])),
                ("type", .string("Opaque")),
                ("data", .object([(key, .string(Base64.encode(Array(token.utf8))))])),
            ]))
    }

    /// Installs the cert-manager chart into `namespace` and, when `available`, makes its
    /// Deployments available.
    ///
    /// The chart's rendered manifests are applied through the in-process client, as the
    /// simulated helm-controller would (the Flux tests cover that path).
    func installCertManager(namespace: String = "cert-manager", available: Bool = true) throws {
        let client = try inProcessClient()
        try client.create(
            "/api/v1/namespaces",
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                ("metadata", .object([("name", .string(namespace))])),
            ]))
        let release = SimulatedChartRelease(
            name: "cert-manager", namespace: namespace, version: CertManagerChart.chart.version, values: .object([]))
        for object in try CertManagerChart.chart.render(release) { try client.apply(object: object) }
        if available { try makeCertManagerAvailable(namespace: namespace) }
    }

    /// Runs cert-manager's three Deployments: two Ready nodes, on which the simulated k3s's
    /// controllers, scheduler and kubelets start their pods; returns once each is available.
    func makeCertManagerAvailable(namespace: String = "cert-manager") throws {
        try runWorkloads()
        try waitAvailable(["cert-manager-cainjector", "cert-manager", "cert-manager-webhook"], namespace: namespace)
    }

    /// The simulated API's in-process client (what controllers use), for setting up the cluster.
    func inProcessClient() throws -> KubeInProcessClient {
        guard let api = sim.api else { throw HLSError(.usage, "the simulated API is not running") }
        return KubeInProcessClient(api: api, manager: "tests")
    }
}

extension KubeInProcessClient {
    /// Applies `object` at its API path, its type found from its apiVersion and kind in the
    /// store's registry, as the simulated helm-controller applies a chart's manifests.
    func apply(object: Document) throws {
        let apiVersion = object.text("apiVersion") ?? ""
        let kind = object.text("kind") ?? ""
        guard let type = api.store.transact({ $0.types.type(apiVersion: apiVersion, kind: kind) }) else {
            throw HLSError(.usage, "no type \(kind) in \(apiVersion) on the simulated API")
        }
        let resource = KubeResourceName(group: type.group, version: type.version, plural: type.plural)
        try apply(
            resource.path(
                namespace: type.namespaced ? object.text("metadata", "namespace") : nil,
                name: object.text("metadata", "name")), object)
    }
}
