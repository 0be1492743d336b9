import Foundation
import HLSCore
import HLSFormats
import HLSLanguage
import Kube
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// `cert list|show|renew|wait|issuers|expiring|why|ready` against the simulated cert-manager:
/// self-signed, CA and ACME issuers, certificates issued into real X.509 Secrets, ingress-shim,
/// renewals, injected issuance failures, and its webhook's lag.
final class CertCommandsTests: XCTestCase {
    static let caIssuers = """
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata: {name: selfsigned}
        spec: {selfSigned: {}}
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: lab-root, namespace: cert-manager}
        spec:
          isCA: true
          commonName: Lab Root CA
          secretName: lab-root
          issuerRef: {name: selfsigned, kind: ClusterIssuer, group: cert-manager.io}
        ---
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata: {name: lab-ca}
        spec: {ca: {secretName: lab-root}}
        """

    static let web = """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: web, namespace: default}
        spec:
          secretName: web-tls
          duration: 2160h
          dnsNames: [web.lab.example]
          issuerRef: {name: lab-ca, kind: ClusterIssuer}
        """

    static let staging = """
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata: {name: letsencrypt-staging}
        spec:
          acme:
            server: https://acme-staging-v02.api.letsencrypt.org/directory
            email: ops@lab.example
            privateKeySecretRef: {name: letsencrypt-staging-account}
            solvers:
            - dns01:
                cloudflare:
                  apiTokenSecretRef: {name: cloudflare, key: token}
        """

    static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: app
          namespace: default
          annotations: {cert-manager.io/cluster-issuer: letsencrypt-staging}
        spec:
          tls:
          - hosts: [app.lab.example]
            secretName: app-tls
          rules:
          - host: app.lab.example
        """

    private func harness(lag: Duration = .zero) throws -> KubeHarness {
        let kube = try KubeHarness(certManagerWebhookLag: lag)
        try kube.installCertManager()
        // The staging issuer's DNS-01 token, which the simulated Cloudflare accepts.
        try kube.createCloudflareSecret()
        return kube
    }

    /// Whether `condition` turns true within `seconds`.
    private func eventually(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if condition() { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    private func json(_ kube: KubeHarness, _ code: String) throws -> Document {
        let result = kube.run(code + " | to json --compact")
        XCTAssertEqual(result.status, 0, "\(code): \(result.err)")
        return try JSONCodec.decode(result.out)
    }

    func testCAIssuedCertificatesAreRealAndCertListAgreesWithKubectl() throws {
        let kube = try harness()
        try kube.create(Self.caIssuers)
        try kube.create(Self.web)
        let waited = kube.run("cert wait web --timeout 20s")
        XCTAssertEqual(waited.status, 0, waited.err)

        let rows = try json(kube, "cert list -A")
        let web = try XCTUnwrap(rows.elements.first { $0.string("name") == "web" })
        XCTAssertEqual(web.string("namespace"), "default")
        XCTAssertEqual(web.string("ready"), "True")
        XCTAssertEqual(web.string("issuer"), "lab-ca")
        XCTAssertEqual(web["days_left"], .int(89), "2160h from now, in whole days")
        let notAfter = try XCTUnwrap(web.string("not_after"))
        let now = Date().timeIntervalSince1970
        XCTAssertEqual(try XCTUnwrap(RFC3339.seconds(notAfter)) - now, 2160 * 3600, accuracy: 5)
        let renewal = try XCTUnwrap(RFC3339.seconds(try XCTUnwrap(web.string("renewal"))))
        XCTAssertEqual(renewal - now, 1440 * 3600, accuracy: 5, "2/3 of the duration")

        // The Secret holds a certificate that the CA (itself issued by the self-signed issuer) signed.
        let secret = try kube.client.get(CertCommands.secrets, "web-tls", namespace: "default")
        XCTAssertEqual(secret.string("type"), "kubernetes.io/tls")
        XCTAssertEqual(secret.string("metadata", "annotations", "cert-manager.io/issuer-name"), "lab-ca")
        XCTAssertEqual(secret.string("metadata", "annotations", "cert-manager.io/alt-names"), "web.lab.example")
        for key in ["tls.crt", "tls.key", "ca.crt"] {
            let text = String(decoding: Data(base64Encoded: try XCTUnwrap(secret.string("data", key)))!, as: UTF8.self)
            try text.write(toFile: kube.dir.file(key), atomically: true, encoding: .utf8)
        }
        let verify = try runProcess(
            "/usr/bin/openssl", ["verify", "-CAfile", kube.dir.file("ca.crt"), kube.dir.file("tls.crt")])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let subject = try runProcess(
            "/usr/bin/openssl",
            ["x509", "-noout", "-issuer", "-ext", "subjectAltName", "-in", kube.dir.file("tls.crt")])
        XCTAssertTrue(subject.stdout.contains("Lab Root CA"), subject.stdout)
        XCTAssertTrue(subject.stdout.contains("DNS:web.lab.example"), subject.stdout)

        // kubectl reads the same objects through the CRDs' printer columns.
        let kubectl = try runProcess(
            try Kubectl.path(),
            [
                "--kubeconfig", kube.environment["KUBECONFIG"]!, "--cache-dir", kube.dir.file("cache"), "get",
                "certificates", "-A",
            ],
            environment: ["HOME": kube.dir.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(kubectl.status, 0, kubectl.stderr)
        let table = kubectl.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(table.first, ["NAMESPACE", "NAME", "READY", "SECRET", "AGE"])
        for row in rows.elements {
            let line = try XCTUnwrap(table.first { $0.count > 2 && $0[1] == row.string("name") }, kubectl.stdout)
            XCTAssertEqual(line[0], row.string("namespace"))
            XCTAssertEqual(line[2], row.string("ready"))
        }
        XCTAssertEqual(table.count - 1, rows.elements.count)
        // The short names and wide columns the chart's CRDs declare.
        let wide = try runProcess(
            try Kubectl.path(),
            [
                "--kubeconfig", kube.environment["KUBECONFIG"]!, "--cache-dir", kube.dir.file("cache"), "get", "ciss",
                "-o", "wide",
            ], environment: ["HOME": kube.dir.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(wide.status, 0, wide.stderr)
        let issuerRows = wide.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(issuerRows.first, ["NAME", "READY", "STATUS", "AGE"])
        XCTAssertEqual(
            issuerRows.first { $0.first == "lab-ca" }?.prefix(5), ["lab-ca", "True", "Signing", "CA", "verified"])

        // The table users see: one row per Certificate, the columns in their declared order.
        let listed = kube.run("cert list -A")
        let lines = listed.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(lines.first, ["namespace", "name", "ready", "issuer", "not_after", "days_left", "renewal"])
        XCTAssertEqual(
            lines.dropFirst().map { Array($0.prefix(4)) + [$0[5]] },
            [["cert-manager", "lab-root", "True", "selfsigned", "89"], ["default", "web", "True", "lab-ca", "89"]],
            listed.out)

        let issuers = try json(kube, "cert issuers")
        let ca = try XCTUnwrap(issuers.elements.first { $0.string("name") == "lab-ca" })
        XCTAssertEqual(ca.string("ready"), "True")
        XCTAssertEqual(ca.string("reason"), "KeyPairVerified")
        XCTAssertEqual(ca.string("message"), "Signing CA verified")
        XCTAssertEqual(ca.string("type"), "ca")

        let expiring = try json(kube, "cert expiring -A --within 30d")
        XCTAssertEqual(expiring, .array([]))
        let soon = try json(kube, "cert expiring -A --within 100d | get name")
        XCTAssertEqual(Set(soon.elements.compactMap { $0.string() }), ["lab-root", "web"])

        let shown = kube.run("cert show web")
        XCTAssertEqual(shown.status, 0, shown.err)
        for line in [
            "Name: web", "Namespace: default",
            "  Ready: True, Reason: Ready, Message: Certificate is up to date and has not expired",
            "- web.lab.example", "  Kind: ClusterIssuer",
            "    Ready: True, Reason: KeyPairVerified, Message: Signing CA verified",
            "  Issuer Common Name: Lab Root CA", "Not After: \(notAfter)",
        ] {
            XCTAssertTrue(shown.out.contains(line + "\n"), "\(line) in\n\(shown.out)")
        }
    }

    func testACMEIssuanceFromAnIngressThenARenewalIssuesTheNextRevision() throws {
        let kube = try harness()
        try kube.create(Self.staging)
        XCTAssertTrue(
            eventually {
                (try? json(kube, "cert issuers"))?.elements.first?.string("ready") == "True"
            })
        let issuer = try XCTUnwrap(try json(kube, "cert issuers").elements.first)
        XCTAssertEqual(issuer.string("reason"), "ACMEAccountRegistered")
        XCTAssertEqual(issuer.string("message"), "The ACME account was registered with the ACME server")
        let registered = try kube.client.get(CertCommands.clusterIssuers, "letsencrypt-staging")
        XCTAssertTrue(
            registered.string("status", "acme", "uri")?.hasPrefix(
                "https://acme-staging-v02.api.letsencrypt.org/acme/acct/")
                ?? false)

        try kube.create(Self.ingress)
        XCTAssertTrue(eventually { (try? kube.client.getIfPresent(CertCommands.certificates, "app-tls")) != nil })
        let waited = kube.run("cert wait app-tls --timeout 20s")
        XCTAssertEqual(waited.status, 0, waited.err)
        let first = try kube.client.get(CertCommands.certificates, "app-tls", namespace: "default")
        XCTAssertEqual(first.at("status", "revision"), .int(1))
        let orders = try kube.client.list(CertCommands.orders, namespace: "default").items
        XCTAssertEqual(orders.map { $0.string("status", "state") }, ["valid"])
        let challenges = try kube.client.list(CertCommands.challenges, namespace: "default").items
        XCTAssertEqual(challenges.map { $0.string("status", "state") }, ["valid"])
        XCTAssertEqual(challenges.first?.string("spec", "type"), "DNS-01")
        XCTAssertEqual(challenges.first?.string("spec", "dnsName"), "app.lab.example")
        let why = kube.run("cert why app-tls")
        XCTAssertTrue(why.out.hasPrefix("default/app-tls: issued and Ready, valid until "), why.out)

        // --dry-run plans and changes nothing; the renewal itself is one PUT of the status.
        let version = first.string("metadata", "resourceVersion")
        var dryRun = RunOptions()
        dryRun.dryRun = true
        let planned = kube.run("cert renew app-tls", options: dryRun)
        XCTAssertEqual(planned.status, 0, planned.err)
        XCTAssertEqual(
            try kube.client.get(CertCommands.certificates, "app-tls", namespace: "default")
                .string("metadata", "resourceVersion"), version)
        kube.sim.injectFault(.slowIssuance(seconds: 1, times: 1))
        let renewed = kube.run("cert renew app-tls")
        XCTAssertEqual(renewed.status, 0, renewed.err)
        // While that issuance runs, a second renewal changes nothing and says why.
        let twice = kube.run("cert renew app-tls")
        XCTAssertEqual(twice.status, 0, twice.err)
        XCTAssertTrue(
            twice.err.contains(
                "cert renew: certificates/app-tls in namespace default is already being issued (Issuing: ManuallyTriggered "
                    + "Certificate re-issuance manually triggered)"), twice.err)
        XCTAssertTrue(twice.err.contains("cert renew: no change"), twice.err)
        XCTAssertTrue(
            kube.sim.requestLog.contains(
                "PUT /apis/cert-manager.io/v1/namespaces/default/certificates/app-tls/status?fieldManager=hlsh"),
            kube.sim.requestLog.joined(separator: "\n"))
        let again = kube.run("cert wait app-tls --timeout 20s")
        XCTAssertEqual(again.status, 0, again.err)
        let second = try kube.client.get(CertCommands.certificates, "app-tls", namespace: "default")
        XCTAssertEqual(second.at("status", "revision"), .int(2))
        XCTAssertNil(KubeCondition("Issuing", of: second), "Issuing is removed once issued")
        XCTAssertEqual(KubeCondition("Ready", of: second)?.status, "True")
    }

    func testRenewUpsertsIssuingAndKeepsTheOtherConditions() throws {
        let certificate = try YAMLCodec.decode(
            """
            metadata: {name: web, namespace: default, generation: 3, resourceVersion: "42"}
            status:
              conditions:
              - {type: Ready, status: "True", reason: Ready, message: Certificate is up to date and has not expired}
            """)
        let triggered = CertCommands.triggered(certificate, now: 1_780_000_000)
        let conditions = triggered.at("status", "conditions")?.elements ?? []
        XCTAssertEqual(conditions.count, 2)
        XCTAssertEqual(conditions.first, certificate.at("status", "conditions")?.elements.first)
        XCTAssertEqual(
            conditions.last,
            try YAMLCodec.decode(
                """
                {type: Issuing, status: "True", lastTransitionTime: "2026-05-28T20:26:40Z", reason: ManuallyTriggered,
                 message: Certificate re-issuance manually triggered, observedGeneration: 3}
                """))
        XCTAssertEqual(triggered.string("metadata", "resourceVersion"), "42")
    }

    /// Certificate `default/app` from the staging issuer, whose one ACME challenge is made to
    /// fail: it once the issuance failed (`Issuing=False`, one failed attempt).
    private func failedStagingIssuance(_ kube: KubeHarness) throws -> Document {
        try kube.create(Self.staging)
        kube.sim.injectFault(.acmeChallengeInvalid(times: 1))
        try kube.create(
            """
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: app, namespace: default}
            spec:
              secretName: app-tls
              dnsNames: [app.lab.example]
              issuerRef: {name: letsencrypt-staging, kind: ClusterIssuer}
            """)
        XCTAssertTrue(
            eventually {
                let certificate = try? kube.client.get(CertCommands.certificates, "app", namespace: "default")
                return certificate.flatMap { KubeCondition("Issuing", of: $0) }?.status == "False"
            })
        let failed = try kube.client.get(CertCommands.certificates, "app", namespace: "default")
        XCTAssertEqual(failed.at("status", "failedIssuanceAttempts"), .int(1))
        return failed
    }

    func testAnInvalidChallengeIsWhatCertWhySaysAndARenewalRetries() throws {
        let kube = try harness()
        let failed = try failedStagingIssuance(kube)
        XCTAssertNotNil(failed.string("status", "lastFailureTime"))
        let refusal =
            "Error accepting authorization: acme: authorization error for app.lab.example: 403 "
            + "urn:ietf:params:acme:error:unauthorized: No TXT record found at _acme-challenge.app.lab.example"
        let why = kube.run("cert why app")
        XCTAssertEqual(why.status, 0, why.err)
        let lines = why.out.split(separator: "\n").map(String.init)
        let challenge = try XCTUnwrap(
            try kube.client.list(CertCommands.challenges, namespace: "default").items.first?.string("metadata", "name"))
        XCTAssertEqual(
            lines.first,
            "default/app: failed at Challenge default/\(challenge) (DNS-01) app.lab.example (invalid): \(refusal)")
        XCTAssertTrue(
            lines.contains { $0.hasPrefix("  Order default/") && $0.hasSuffix(": invalid: \(refusal)") }, why.out)
        XCTAssertTrue(
            lines.contains {
                $0.hasPrefix("  CertificateRequest default/app-")
                    && $0.contains(": Ready=False: Failed: Failed to wait for order resource")
            }, why.out)
        XCTAssertTrue(
            lines.contains {
                $0.hasPrefix(
                    "  Certificate default/app: Ready=False, Issuing=False: Failed: The certificate request has failed")
            }, why.out)
        XCTAssertTrue(
            lines.contains(
                "  ClusterIssuer letsencrypt-staging: Ready=True: ACMEAccountRegistered: The ACME account was registered with the ACME server"
            ), why.out)

        // The back-off (1h) holds the next try, so cert wait stops at once with cert-manager's
        // reason and message instead of waiting out its timeout; a manual renewal starts it now.
        let started = Date()
        let stillWaiting = kube.run("cert wait app --timeout 30s")
        XCTAssertEqual(stillWaiting.status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "failed fast: \(stillWaiting.err)")
        XCTAssertTrue(
            stillWaiting.err.contains(
                "cert wait: certificates.cert-manager.io/app in namespace default: issuance failed (Failed): The certificate request "
                    + "has failed to complete and will be retried: Failed to wait for order resource"),
            stillWaiting.err)
        XCTAssertTrue(stillWaiting.err.contains(refusal), stillWaiting.err)
        let lastFailure = try XCTUnwrap(RFC3339.seconds(try XCTUnwrap(failed.string("status", "lastFailureTime"))))
        XCTAssertTrue(
            stillWaiting.err.contains(
                "cert-manager retries at \(RFC3339.format(lastFailure + 3600)) (back-off 1h after 1 failed attempt)"),
            stillWaiting.err)
        XCTAssertTrue(stillWaiting.err.contains("cert renew app -n default"), "the hint: \(stillWaiting.err)")
        XCTAssertEqual(kube.run("cert renew app").status, 0)
        let waited = kube.run("cert wait app --timeout 20s")
        XCTAssertEqual(waited.status, 0, waited.err)
        let already = kube.run("cert renew app")
        XCTAssertEqual(already.status, 0, already.err)
    }

    /// After a failed issuance the trigger controller backs off (1h), but not once the spec no
    /// longer matches the failed request (shouldBackoffReissuingOnFailure, RequestMatchesSpec): a
    /// fix of the spec is issued at once, with no `cert renew` and no waiting out the back-off.
    func testAChangeOfSpecEndsTheBackOffAndIssuesAtOnce() throws {
        let kube = try harness()
        try kube.create(Self.caIssuers)
        XCTAssertEqual(kube.run("cert wait lab-root -n cert-manager --timeout 20s").status, 0)
        let failed = try failedStagingIssuance(kube)
        // The back-off holds while the spec is the failed request's.
        XCTAssertEqual(kube.run("cert wait app --timeout 20s").status, 1)

        _ = try kube.client.mergePatch(
            CertCommands.certificates, "app", namespace: "default",
            patch: .object([
                (
                    "spec",
                    .object([("issuerRef", .object([("name", .string("lab-ca")), ("kind", .string("ClusterIssuer"))]))])
                )
            ]))
        let waited = kube.run("cert wait app --timeout 20s")
        XCTAssertEqual(waited.status, 0, waited.err)
        let issued = try kube.client.get(CertCommands.certificates, "app", namespace: "default")
        XCTAssertEqual(issued.at("status", "revision"), .int(1))
        XCTAssertNil(issued.at("status", "failedIssuanceAttempts"), "the failures are cleared once issued")
        let secret = try kube.client.get(.secrets, "app-tls", namespace: "default")
        XCTAssertEqual(secret.string("metadata", "annotations", "cert-manager.io/issuer-name"), "lab-ca")
        let requests = try kube.client.list(CertCommands.requests, namespace: "default").items
        XCTAssertEqual(
            requests.compactMap { $0.string("spec", "issuerRef", "name") }, ["lab-ca"],
            "the failed request was replaced by one that matches the spec")
    }

    /// Only a failure of the current generation stops a wait: after a change of spec cert-manager
    /// issues again at once, without its back-off.
    func testAFailedIssuanceOfAnOlderGenerationIsNoFailure() throws {
        func certificate(generation: Int) throws -> Document {
            try YAMLCodec.decode(
                """
                metadata: {name: web, namespace: default, generation: \(generation)}
                status:
                  failedIssuanceAttempts: 3
                  lastFailureTime: "2026-05-28T20:00:00Z"
                  conditions:
                  - {type: Ready, status: "False", reason: DoesNotExist, message: Issuing certificate as Secret does not exist}
                  - {type: Issuing, status: "False", reason: Denied, message: denied by policy, observedGeneration: 1}
                """)
        }
        XCTAssertNil(CertCommands.failure(try certificate(generation: 2)))
        let failure = try XCTUnwrap(CertCommands.failure(try certificate(generation: 1)))
        XCTAssertEqual(failure.reason, "Denied")
        XCTAssertEqual(
            failure.message,
            "denied by policy; cert-manager retries at 2026-05-29T00:00:00Z (back-off 4h after 3 failed attempts)")
    }

    func testASlowIssuanceKeepsCertWaitWaiting() throws {
        let kube = try harness()
        try kube.create(Self.caIssuers)
        XCTAssertEqual(kube.run("cert wait lab-root -n cert-manager --timeout 20s").status, 0)
        kube.sim.injectFault(.slowIssuance(seconds: 2, times: 1))
        try kube.create(Self.web)
        let early = kube.run("cert wait web --timeout 1s")
        XCTAssertNotEqual(early.status, 0, "issued before the slow issuance ended")
        let waited = kube.run("cert wait web --timeout 20s | get waited | to json")
        XCTAssertEqual(waited.status, 0, waited.err)
    }

    /// Certificates live beside what they secure, seldom in the context's namespace: a name not
    /// found there says where one is (or the closest names), for show, why, renew and wait.
    func testACertificateInAnotherNamespaceIsNamedWhenNotFound() throws {
        let kube = try harness()
        try kube.create(Self.caIssuers)
        XCTAssertEqual(kube.run("cert wait lab-root -n cert-manager --timeout 20s").status, 0)
        let show = kube.run("cert show lab-root")
        XCTAssertNotEqual(show.status, 0)
        XCTAssertTrue(show.err.contains("error: cert show: no Certificate lab-root in namespace default"), show.err)
        XCTAssertTrue(
            show.err.contains("hint: it is in namespace cert-manager: cert show lab-root -n cert-manager"), show.err)
        let why = kube.run("cert why lab-roo -n cert-manager")
        XCTAssertTrue(
            why.err.contains("hint: did you mean 'lab-root'? (cert list -A shows every Certificate)"), why.err)
        let renew = kube.run("cert renew lab-root")
        XCTAssertTrue(renew.err.contains("cert renew lab-root -n cert-manager"), renew.err)
        let wait = kube.run("cert wait lab-root --timeout 1s")
        XCTAssertTrue(
            wait.err.contains(
                "cause: not found (yet); it is in namespace cert-manager: cert wait lab-root -n cert-manager"),
            wait.err)
    }

    func testTheWebhookRefusesIssuersUntilItAnswersAndCertReadySaysSo() throws {
        let kube = try KubeHarness(certManagerWebhookLag: .seconds(2))
        try kube.installCertManager(available: false)
        let down = try json(kube, "cert ready")
        XCTAssertEqual(down.string("webhook"), "not checked")
        XCTAssertEqual(down["ready"], .bool(false))

        try kube.makeCertManagerAvailable()
        let lagging = try json(kube, "cert ready")
        XCTAssertEqual(lagging["ready"], .bool(false))
        let service = try kube.client.get(
            KubeResource(group: "", version: "v1", name: "services", kind: "Service", namespaced: true),
            "cert-manager-webhook", namespace: "cert-manager")
        let ip = try XCTUnwrap(service.string("spec", "clusterIP"))
        let refusal =
            #"Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: "#
            + #"Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": "#
            + "dial tcp \(ip):443: connect: connection refused"
        XCTAssertTrue(lagging.string("webhook")?.hasSuffix(refusal) ?? false, "\(lagging)")
        // kubectl's server-side dry run meets the same refusal, as on a real cluster.
        let issuer = kube.dir.file("issuer.yaml")
        try
            "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: self, namespace: default}\nspec: {selfSigned: {}}\n"
            .write(toFile: issuer, atomically: true, encoding: .utf8)
        let kubectl = try runProcess(
            try Kubectl.path(),
            [
                "--kubeconfig", kube.environment["KUBECONFIG"]!, "--cache-dir", kube.dir.file("cache"), "create",
                "--dry-run=server", "-f", issuer,
            ], environment: ["HOME": kube.dir.path, "PATH": "/usr/bin:/bin"])
        XCTAssertNotEqual(kubectl.status, 0)
        XCTAssertTrue(kubectl.stderr.contains(refusal), kubectl.stderr)

        let ready = kube.run("cert ready --timeout 10s | to json --compact")
        XCTAssertEqual(ready.status, 0, ready.err)
        XCTAssertEqual(
            try JSONCodec.decode(ready.out),
            .object([
                ("namespace", .string("cert-manager")), ("deployments", .string("3/3 available")),
                ("webhook", .string("admits a dry-run Issuer")), ("ready", .bool(true)),
            ]))
        XCTAssertEqual(kube.run("kube apply -f \(issuer)").status, 0)
    }

    func testCertificateNamesCompleteFromTheLiveAPI() throws {
        let kube = try harness()
        try kube.create(Self.caIssuers)
        try kube.create(Self.web)
        let provider = try XCTUnwrap(Commands.registry().providers["cert-certificate"])
        let context = ExecutionContext(environment: kube.environment, out: { _ in }, err: { _ in })
        defer { context.closeServices() }
        func names(_ command: String, _ words: [String]) throws -> [String] {
            try provider.fetch(NameQuery(command: command, context: context, words: words)).map(\.name).sorted()
        }
        XCTAssertEqual(try names("cert renew", []), ["web"])
        XCTAssertEqual(try names("cert show", ["-n", "cert-manager"]), ["lab-root"])
        XCTAssertEqual(try names("cert renew", ["-A"]), ["lab-root", "web"])
    }
}
