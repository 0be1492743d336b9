import Foundation
import HLSCore
import HLSFormats
import Kube
import TestSupport
import X509
import XCTest

@testable import HLSCommands
@testable import LabSim

/// The simulated cert-manager against the simulated Let's Encrypt and Cloudflare: ClusterIssuers
/// for Let's Encrypt's production and staging directories, DNS-01 through Cloudflare with the
/// token from a Secret, certificates (a wildcard too) chained to Let's Encrypt-named CAs, and
/// what cert-manager says when the token, its Secret or the zone is wrong.
final class CertLetsEncryptTests: XCTestCase {
    static func issuer(_ name: String, server: String, solver: String? = nil) -> String {
        """
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata: {name: \(name)}
        spec:
          acme:
            server: \(server)
            email: admin@home.example.com
            privateKeySecretRef: {name: \(name)-account-key}
            solvers:
            - \(solver ?? "dns01: {cloudflare: {apiTokenSecretRef: {name: cloudflare-api-token, key: api-token}}}")
        """
    }

    static func certificate(_ name: String, issuer: String, names: [String]) -> String {
        """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: \(name), namespace: cert-manager}
        spec:
          secretName: \(name)-tls
          issuerRef: {kind: ClusterIssuer, name: \(issuer)}
          dnsNames: [\(names.map { "\"\($0)\"" }.joined(separator: ", "))]
        """
    }

    private func harness() throws -> KubeHarness {
        let kube = try KubeHarness(certManagerWebhookLag: .zero)
        try kube.installCertManager()
        return kube
    }

    /// The PEM certificates of `text`, in order.
    static func chain(_ text: String) throws -> [Certificate] {
        let end = "-----END CERTIFICATE-----"
        return try text.components(separatedBy: end).dropLast().map {
            try Certificate(pemEncoded: $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" + end)
        }
    }

    private func issuedChain(_ kube: KubeHarness, _ secret: String) throws -> [Certificate] {
        let stored = try kube.client.get(CertCommands.secrets, secret, namespace: "cert-manager")
        let pem = try XCTUnwrap(stored.string("data", "tls.crt").flatMap { Data(base64Encoded: $0) })
        return try Self.chain(String(decoding: pem, as: UTF8.self))
    }

    private func challenges(_ kube: KubeHarness) throws -> [Document] {
        try kube.client.list(CertCommands.challenges, namespace: "cert-manager").items
    }

    func testProductionAndStagingIssueFromLetsEncryptNamedChainsThroughCloudflare() throws {
        let kube = try harness()
        try kube.createCloudflareSecret(name: "cloudflare-api-token", key: "api-token")
        try kube.create(Self.issuer("letsencrypt-production", server: SimulatedLetsEncrypt.productionURL))
        try kube.create(Self.issuer("letsencrypt-staging", server: SimulatedLetsEncrypt.stagingURL))
        XCTAssertTrue(
            LonghornLab.eventually(20) {
                try kube.client.list(CertCommands.clusterIssuers).items.filter {
                    KubeCondition("Ready", of: $0)?.status == "True"
                }.count == 2
            }, "both issuers Ready")
        let production = try kube.client.get(CertCommands.clusterIssuers, "letsencrypt-production")
        XCTAssertEqual(KubeCondition("Ready", of: production)?.reason, "ACMEAccountRegistered")
        XCTAssertEqual(
            KubeCondition("Ready", of: production)?.message, "The ACME account was registered with the ACME server")
        XCTAssertTrue(
            production.string("status", "acme", "uri")?.hasPrefix("https://acme-v02.api.letsencrypt.org/acme/acct/")
                ?? false, "\(production)")
        XCTAssertNotNil(
            try kube.client.getIfPresent(
                CertCommands.secrets, "letsencrypt-production-account-key", namespace: "cert-manager"))

        try kube.create(
            Self.certificate(
                "wildcard", issuer: "letsencrypt-production", names: ["home.example.com", "*.home.example.com"]))
        try kube.create(Self.certificate("staged", issuer: "letsencrypt-staging", names: ["app.home.example.com"]))
        for name in ["wildcard", "staged"] {
            let waited = kube.run("cert wait \(name) -n cert-manager --timeout 30s")
            XCTAssertEqual(waited.status, 0, "\(waited.err)\n\(kube.run("cert why \(name) -n cert-manager").out)")
        }
        let wildcard = try challenges(kube).filter {
            $0.string("spec", "issuerRef", "name") == "letsencrypt-production"
        }
        XCTAssertEqual(wildcard.map { $0.string("spec", "type") }, ["DNS-01", "DNS-01"])
        XCTAssertEqual(Set(wildcard.map { $0.string("spec", "dnsName") }), ["home.example.com"])
        XCTAssertEqual(Set(wildcard.map { $0.at("spec", "wildcard") }), [.bool(true), .bool(false)])

        let issued = try issuedChain(kube, "wildcard-tls")
        XCTAssertEqual(issued.count, 2, "leaf and intermediate")
        XCTAssertEqual(issued[0].issuer.description, "CN=R11,O=Let's Encrypt,C=US")
        XCTAssertEqual(issued[1].subject, issued[0].issuer)
        XCTAssertEqual(issued[1].issuer.description, "CN=ISRG Root X1,O=Internet Security Research Group,C=US")
        let root = try KubeHarness.letsEncrypt.productionRoot().certificate
        XCTAssertTrue(issued[1].publicKey.isValidSignature(issued[0].signature, for: issued[0]))
        XCTAssertTrue(root.publicKey.isValidSignature(issued[1].signature, for: issued[1]))
        let names = try issued[0].extensions.subjectAlternativeNames.map { Array($0) } ?? []
        XCTAssertEqual(names, [.dnsName("home.example.com"), .dnsName("*.home.example.com")])

        let staged = try issuedChain(kube, "staged-tls")
        XCTAssertEqual(
            staged.first?.issuer.description, "CN=(STAGING) Wannabe Watercress R11,O=(STAGING) Let's Encrypt,C=US")
        XCTAssertEqual(
            staged.last?.issuer.description,
            "CN=(STAGING) Pretend Pear X1,O=(STAGING) Internet Security Research Group,C=US")
    }

    func testTheTokenItsSecretAndTheZoneKeepTheChallengePendingWithCertManagersMessages() throws {
        let kube = try harness()
        try kube.create(Self.issuer("letsencrypt-production", server: SimulatedLetsEncrypt.productionURL))
        try kube.create(Self.certificate("app", issuer: "letsencrypt-production", names: ["app.home.example.com"]))
        func reason() throws -> String? { try challenges(kube).first?.string("status", "reason") }
        func waitReason(_ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertTrue(
                LonghornLab.eventually(20) { try reason() == expected }, "\((try? reason()) ?? "no challenge")",
                file: file, line: line)
            let challenge = try? challenges(kube).first
            XCTAssertEqual(challenge?.string("status", "state"), "pending", file: file, line: line)
            XCTAssertEqual(challenge?.at("status", "presented"), .bool(false), file: file, line: line)
        }

        let missing = "error getting cloudflare secret: secret \"cloudflare-api-token\" not found"
        waitReason(missing)
        let why = kube.run("cert why app -n cert-manager")
        XCTAssertEqual(why.status, 0, why.err)
        XCTAssertTrue(why.out.hasPrefix("cert-manager/app: waiting on Challenge cert-manager/"), why.out)
        XCTAssertTrue(why.out.split(separator: "\n").first?.hasSuffix("(pending): \(missing)") ?? false, why.out)
        let events = kube.run("kube events -n cert-manager -o json")
        let escaped = missing.replacingOccurrences(of: "\"", with: "\\\"")
        XCTAssertTrue(events.out.contains("Error presenting challenge: \(escaped)"), events.out)

        try kube.createCloudflareSecret(name: "cloudflare-api-token", key: "token")
        waitReason("specified key \"api-token\" not found in secret cert-manager/cloudflare-api-token")

        let wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        try kube.createCloudflareSecret(name: "cloudflare-api-token", key: "api-token", token: wrong)
        waitReason(
            "while attempting to find Zones for domain _acme-challenge.app.home.example.com.\n"
                + "while querying the Cloudflare API for GET \"/zones?name=_acme-challenge.app.home.example.com\" \n"
                + "\t Error: 10000: Authentication error")
        try kube.createCloudflareSecret(name: "cloudflare-api-token", key: "api-token", token: "not-a-token")
        waitReason(
            "while attempting to find Zones for domain _acme-challenge.app.home.example.com.\n"
                + "while querying the Cloudflare API for GET \"/zones?name=_acme-challenge.app.home.example.com\" \n"
                + "\t Error: 6003: Invalid request headers<- 6111: Invalid format for Authorization header")

        // The lab's token mends it: the same Challenge is presented and the Certificate issued.
        try kube.createCloudflareSecret(name: "cloudflare-api-token", key: "api-token")
        let waited = kube.run("cert wait app -n cert-manager --timeout 30s")
        XCTAssertEqual(waited.status, 0, waited.err)

        // A name outside the account's zones.
        try kube.create(Self.certificate("other", issuer: "letsencrypt-production", names: ["app.other.example"]))
        XCTAssertTrue(
            LonghornLab.eventually(20) {
                try challenges(kube).contains {
                    $0.string("status", "reason")
                        == "Found no Zones for domain _acme-challenge.app.other.example. (neither in the sub-domain nor "
                        + "in the SLD) please make sure your domain-entries in the config are correct and the API key is "
                        + "correctly setup with Zone.read rights."
                }
            }, "\((try? challenges(kube))?.map { $0.string("status", "reason") } ?? [])")
    }

    func testAWildcardNeedsDNS01AndAnUnknownACMEServerIsNotRegistered() throws {
        let kube = try harness()
        try kube.create(
            Self.issuer(
                "http-only", server: SimulatedLetsEncrypt.productionURL,
                solver: "http01: {ingress: {ingressClassName: traefik}}"))
        try kube.create(Self.issuer("elsewhere", server: "https://acme.invalid/directory"))
        XCTAssertTrue(
            LonghornLab.eventually(20) {
                KubeCondition("Ready", of: try kube.client.get(CertCommands.clusterIssuers, "elsewhere"))?.status
                    == "False"
            })
        let elsewhere = KubeCondition("Ready", of: try kube.client.get(CertCommands.clusterIssuers, "elsewhere"))
        XCTAssertEqual(elsewhere?.reason, "ErrRegisterACMEAccount")
        XCTAssertEqual(
            elsewhere?.message,
            "Failed to register ACME account: Get \"https://acme.invalid/directory\": dial tcp: lookup acme.invalid "
                + "on 10.43.0.10:53: no such host")

        try kube.create(Self.certificate("wild", issuer: "http-only", names: ["*.home.example.com"]))
        let refusal =
            "Failed to determine a valid solver configuration for the set of domains on the Order: "
            + "no configured challenge solvers can be used for this challenge"
        XCTAssertTrue(
            LonghornLab.eventually(20) { kube.run("kube events -n cert-manager -o json").out.contains(refusal) },
            kube.run("kube events -n cert-manager").out)
        XCTAssertEqual(try challenges(kube).count, 0, "no Challenge for a wildcard without a DNS-01 solver")
        let order = try XCTUnwrap(try kube.client.list(CertCommands.orders, namespace: "cert-manager").items.first)
        XCTAssertEqual(order.string("status", "state"), "pending")
    }
}
