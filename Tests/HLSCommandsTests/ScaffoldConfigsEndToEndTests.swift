import Foundation
import HLSCore
import TestSupport
import XCTest

/// Issue 15's phases 4 and 5 on the whole simulated lab: the tree `flux scaffold` writes, pushed
/// to the lab's GitHub, converges — its controllers and the observability charts Ready
/// (ObservabilityEndToEndTests' checks), Let's Encrypt's ClusterIssuers registered, the wildcard
/// certificate issued through Cloudflare DNS-01 with the lab's token (SOPS-encrypted in git),
/// Traefik's Middleware applied, and the example app running and served with a certificate a
/// browser trusts.
extension FluxEndToEndTests {
    func testTheScaffoldsTreeConvergesWithObservabilityLetsEncryptAndCloudflare() throws {
        let h = try bootstrappedLab()
        XCTAssertNotNil(h.environment["CLOUDFLARE_API_TOKEN"], "the lab gives its Cloudflare token")

        // The scaffold's whole tree (the whole runbook converges it in BootstrapRunbookTests).
        let git = try GitWorkTree(h)
        let scaffold = h.run("flux scaffold \"\(git.path)\"")
        XCTAssertEqual(scaffold.status, 0, "flux scaffold: \(scaffold.err)")
        let secret = try String(
            contentsOfFile: git.path + "/kubernetes/infrastructure/configs/cert-manager/cloudflare-api-token.sops.yaml",
            encoding: .utf8)
        XCTAssertTrue(secret.contains("ENC[AES256_GCM"), "the token is encrypted in git")
        XCTAssertFalse(secret.contains(h.environment["CLOUDFLARE_API_TOKEN"] ?? "-"), "no plaintext token in git")
        try git.commitAndPush("the scaffold's tree")
        let reconcile = h.run("flux reconcile ks flux-system --with-source --timeout 60s")
        XCTAssertEqual(reconcile.status, 0, "flux reconcile: \(reconcile.err)")
        try assertTheScaffoldsControllersAndObservabilityTurnReady(h)

        let configs = h.run("flux wait infrastructure-configs --timeout 180s")
        XCTAssertEqual(
            configs.status, 0,
            "infrastructure-configs Ready: \(configs.err)\n\(h.run("flux get all -A").out)\n"
                + h.run("cert why wildcard -n cert-manager").out)
        // The kustomize-controller's health checks do not wait for the issuers' registration.
        var issuers: [[String: String]] = []
        _ = LonghornLab.eventually(30) {
            issuers = try json(h, "cert issuers -o json")
            return issuers.allSatisfy { $0["ready"] == "True" }
        }
        XCTAssertEqual(
            Dictionary(uniqueKeysWithValues: issuers.map { ($0["name"] ?? "", $0["ready"] ?? "") }),
            ["letsencrypt-staging": "True", "letsencrypt-production": "True"],
            "\(issuers)\n\(h.run("flux get all -A").out)\n\(h.run("kube get deploy -A").out)\n"
                + h.run("kube events -A").out + ((try? kubectl(h, ["get", "clusterissuers", "-o", "yaml"])) ?? ""))
        let wildcard = h.run("cert wait wildcard -n cert-manager --timeout 60s")
        XCTAssertEqual(
            wildcard.status, 0,
            wildcard.err + h.run("cert why wildcard -n cert-manager").out + h.run("kube events -n cert-manager").out)
        guard wildcard.status == 0 else { return }

        // The wildcard's X.509: issued by the production intermediate, chaining to the root the
        // lab's CA file (a browser's trust store) holds.
        let chain = try kubectlSecret(h, "wildcard-tls", namespace: "cert-manager", key: "tls.crt")
        let end = try XCTUnwrap(chain.range(of: "-----END CERTIFICATE-----"), "a PEM chain").upperBound
        let leafPEM = try h.home.write("wildcard.pem", String(chain[..<end]) + "\n")
        let intermediate = try h.home.write("intermediate.pem", String(chain[end...]))
        let issuer = try runProcess(
            "/usr/bin/openssl",
            ["x509", "-noout", "-issuer", "-ext", "subjectAltName", "-nameopt", "RFC2253", "-in", leafPEM])
        XCTAssertTrue(issuer.stdout.contains("issuer=CN=R11,O=Let's Encrypt,C=US"), issuer.stdout)
        XCTAssertTrue(issuer.stdout.contains("DNS:home.example.com, DNS:*.home.example.com"), issuer.stdout)
        let caFile = try XCTUnwrap(h.environment["HLSH_SIM_CA_FILE"])
        let verified = try runProcess(
            "/usr/bin/openssl", ["verify", "-CAfile", caFile, "-untrusted", intermediate, leafPEM])
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)

        try assertTheScaffoldsExampleAppRuns(h)

        // The app behind the Middleware, its certificate from letsencrypt-production, trusted by probe.
        let apps = h.run("flux wait apps --timeout 120s")
        XCTAssertEqual(apps.status, 0, "apps Ready: \(apps.err)\n\(h.run("flux get all -A").out)")
        let app = h.run("cert wait whoami-tls -n whoami --timeout 60s")
        XCTAssertEqual(app.status, 0, app.err + h.run("cert why whoami-tls -n whoami").out)
        let served = try XCTUnwrap(try json(h, "probe https://whoami.home.example.com -o json").first)
        XCTAssertEqual(served["status"], "200")
        XCTAssertEqual(served["issuer"], "C=US, O=Let's Encrypt, CN=R11")

        // Without its Middleware, Traefik does not build the app's router: 404.
        _ = try kubectl(h, ["delete", "middleware", "security-headers", "-n", "traefik"])
        let missing = h.run("probe https://whoami.home.example.com --expect 404")
        XCTAssertEqual(missing.status, 0, missing.err)

        // A staging certificate is served but not trusted, and probe names its issuer.
        _ = try kubectl(
            h,
            [
                "annotate", "ingress", "whoami", "-n", "whoami", "--overwrite",
                "cert-manager.io/cluster-issuer=letsencrypt-staging",
                "traefik.ingress.kubernetes.io/router.middlewares-",
            ])
        var untrusted = (status: Int32(0), out: "", err: "")
        _ = LonghornLab.eventually(60) {
            untrusted = h.run("probe https://whoami.home.example.com")
            return untrusted.err.contains("(STAGING)")
        }
        XCTAssertNotEqual(untrusted.status, 0)
        XCTAssertTrue(
            untrusted.err.contains(
                "its issuer C=US, O=(STAGING) Let's Encrypt, CN=(STAGING) Wannabe Watercress R11 is not trusted"),
            untrusted.err)

        // Without the token's Secret, a renewal waits on the Challenge, and cert why says why.
        _ = try kubectl(h, ["delete", "secret", "cloudflare-api-token", "-n", "cert-manager"])
        XCTAssertEqual(h.run("cert renew wildcard -n cert-manager").status, 0)
        // The Challenge's own reason leads `cert why`; an event may carry the same words a
        // moment before the Challenge's status does, so the wait is for the first line itself.
        var why = ""
        let reason = "(pending): error getting cloudflare secret: secret \"cloudflare-api-token\" not found"
        _ = LonghornLab.eventually(30) {
            why = h.run("cert why wildcard -n cert-manager").out
            return why.split(separator: "\n").first?.hasSuffix(reason) ?? false
        }
        XCTAssertTrue(why.split(separator: "\n").first?.hasSuffix(reason) ?? false, why)
    }
}
