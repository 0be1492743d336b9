import Foundation
import HLSCore
import HLSTransport
import LabSim
import TestSupport
import XCTest

@testable import Proxmox

/// Logging in and trusting the server, against the lab simulator over HTTPS.
final class PVEAuthIntegrationTests: XCTestCase {
    func testTokenOverHTTPSWithTheClusterCA() throws {
        let lab = try PVELabFixture()
        let nodes = try lab.client().nodes()
        XCTAssertEqual(nodes.map(\.name), ["pve1", "pve2"])
        XCTAssertTrue(nodes.allSatisfy(\.isOnline))
        XCTAssertEqual(nodes.first?.maxCPU, 8)
    }

    func testAPinnedPublicKeyWithoutTheCA() throws {
        let lab = try PVELabFixture()
        let pin = try XCTUnwrap(lab.endpoint.publicKeyPin)
        XCTAssertEqual(try lab.client(tls: TLSOptions(pinnedPublicKey: pin)).nodes().count, 2)

        let wrong = "sha256//" + String(repeating: "A", count: 43) + "="
        let error = assertHLSError(try lab.client(tls: TLSOptions(pinnedPublicKey: wrong)).nodes())
        XCTAssertTrue(error?.message.contains("does not match the pinned") ?? false, "\(String(describing: error))")
    }

    /// `HLSH_PVE_FINGERPRINT` alone (no CA file), as a self-signed PVE host is trusted. The pin
    /// that fails is pve2's, which the cluster itself reports: the right fingerprint, wrong host.
    func testAPinnedCertificateFingerprintFromTheEnvironmentWithoutTheCA() throws {
        let lab = try PVELabFixture()
        let fingerprint = try XCTUnwrap(lab.endpoint.fingerprint)
        let token =
            "\(lab.rootToken.tokenID)=\(try XCTUnwrap(lab.config.tokens.first { $0.tokenID == "root@pam!hlsh" }).secret)"
        func settings(pin: String) throws -> PVEConnectionSettings {
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": lab.endpoint.url, "PROXMOX_VE_API_TOKEN": token, "HLSH_PVE_FINGERPRINT": pin,
            ])
        }
        let pinned = try settings(pin: fingerprint.lowercased())
        XCTAssertNil(pinned.tls.caFile)
        let nodes = try PVEClient(settings: pinned).nodes()
        XCTAssertEqual(nodes.map(\.name), ["pve1", "pve2"])
        XCTAssertEqual(nodes.first?.sslFingerprint, fingerprint)

        let other = try XCTUnwrap(nodes.last?.sslFingerprint)
        XCTAssertNotEqual(other, fingerprint)
        let served = lab.sim.requestLog.count
        let error = assertHLSError(try PVEClient(settings: try settings(pin: other)).nodes())
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host("\(lab.endpoint.host):\(lab.endpoint.port)"))
        XCTAssertTrue(
            error?.message.contains("expected \(other), the server presented \(fingerprint)") ?? false,
            "\(String(describing: error))")
        XCTAssertEqual(lab.sim.requestLog.count, served, "no request may reach a server that failed the pin")
    }

    func testAnUntrustedCertificateIsRefusedUnlessInsecure() throws {
        let lab = try PVELabFixture()
        let error = assertHLSError(try lab.client(tls: TLSOptions()).nodes())
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertTrue(error?.message.contains("certificate") ?? false, "\(String(describing: error))")
        XCTAssertNotNil(error?.hint)

        let settings = try lab.settings(tls: TLSOptions(insecure: true))
        XCTAssertFalse(settings.warnings.isEmpty, "insecure must be warned about")
        XCTAssertEqual(try PVEClient(settings: settings).nodes().count, 2)
    }

    func testTheSimulatorsEnvironmentFileIsReadWithBpgsNames() throws {
        let lab = try PVELabFixture()
        try lab.sim.writeEnvironment(to: lab.directory.path + "/env-dir")
        let text = try String(contentsOfFile: lab.directory.path + "/env-dir/env", encoding: .utf8)
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            var value = String(assignment[assignment.index(after: equals)...])
            if value.hasPrefix("'") && value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
            env[String(assignment[..<equals])] = value
        }
        let settings = try PVEConnectionSettings.fromEnvironment(env)
        guard case .apiToken(let token) = settings.credentials else { return XCTFail("expected the token to win") }
        XCTAssertEqual(token.tokenID, "root@pam!hlsh")
        XCTAssertNotNil(settings.tls.caFile)
        XCTAssertEqual(try PVEClient(settings: settings).vmResources().filter(\.isTemplate).count, 2)
    }

    func testAWrongTokenSecretIs401WithATokenHint() throws {
        let lab = try PVELabFixture()
        let wrong = PVEAPIToken(
            user: "root@pam", tokenName: "hlsh", secret: PVESecret("00000000-0000-0000-0000-000000000000"))
        let error = assertHLSError(try lab.client(credentials: .apiToken(wrong)).nodes())
        XCTAssertEqual(error?.place, .request(method: "GET", url: "/nodes"))
        XCTAssertFalse(error?.message.isEmpty ?? true)
        XCTAssertEqual(error?.cause?.hasPrefix("HTTP 401"), true, "\(String(describing: error))")
        XCTAssertTrue(error?.hint?.contains("PROXMOX_VE_API_TOKEN") ?? false)
        XCTAssertFalse(error?.description.contains("00000000-0000") ?? true)
    }

    func testAPrivilegeSeparatedTokenGets403WithAHint() throws {
        let lab = try PVELabFixture()
        let spec = try XCTUnwrap(lab.config.tokens.first { $0.tokenID == "hlsh@pve!readonly" })
        let readonly = PVEAPIToken(user: spec.userid, tokenName: spec.name, secret: PVESecret(spec.secret))
        let client = try lab.client(credentials: .apiToken(readonly))
        XCTAssertFalse(try client.vmResources().isEmpty, "VM.Audit is enough to list")
        let error = assertHLSError(try client.clone(node: "pve1", template: 9000, newID: 150, name: "nope"))
        XCTAssertTrue(error?.message.hasPrefix("Permission check failed") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.hint?.contains("privilege separation") ?? false)
    }

    func testTicketLoginAndACSRFProtectedWrite() throws {
        let lab = try PVELabFixture()
        let login = try PVEUserPassword(username: "root@pam", password: PVESecret(lab.rootPassword))
        let client = try lab.client(credentials: .password(login))
        try client.login()
        XCTAssertEqual(try client.nodes().count, 2)
        // Writes need the CSRF token next to the cookie.
        let clone = try client.clone(node: "pve1", template: 9000, name: "ticket-vm")
        XCTAssertEqual(clone.upid.user, "root@pam")
        try client.waitTask(clone.upid, timeout: .seconds(30), every: .milliseconds(100))
        try client.waitTask(
            try client.destroy(node: "pve1", vmid: clone.vmid), timeout: .seconds(30), every: .milliseconds(100))
        XCTAssertEqual(client.session?.counts.withLock { $0.logins }, 1)
    }

    func testAWrongPasswordSaysSo() throws {
        let lab = try PVELabFixture()
        let login = try PVEUserPassword(username: "root@pam", password: PVESecret("not-the-password"))
        let error = assertHLSError(try lab.client(credentials: .password(login)).nodes())
        XCTAssertTrue(error?.message.hasPrefix("login as root@pam failed") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.place, .request(method: "POST", url: "/access/ticket"))
        XCTAssertTrue(error?.hint?.contains("PROXMOX_VE_PASSWORD") ?? false)
        XCTAssertFalse(error?.description.contains("not-the-password") ?? true)
    }

    func testTheTicketIsRenewedWithItselfBeforeItExpires() throws {
        // Tickets carry whole seconds, so lifetimes below a few seconds are not meaningful.
        let lab = try PVELabFixture { $0.ticketLifetime = 3 }
        let login = try PVEUserPassword(username: "root@pam", password: PVESecret(lab.rootPassword))
        var settings = try lab.settings(credentials: .password(login))
        settings.ticketRenewal = .seconds(1)
        let client = PVEClient(settings: settings)
        for _ in 0..<4 {
            XCTAssertEqual(try client.nodes().count, 2)
            Thread.sleep(forTimeInterval: 1.2)
        }
        // 4.8 s after the first login: only renewals kept the session alive.
        _ = try client.vmResources()
        let counts = try XCTUnwrap(client.session?.counts.withLock { $0 })
        XCTAssertEqual(counts.logins, 1)
        XCTAssertGreaterThanOrEqual(counts.renewals, 3)
    }

    func testAnExpiredTicketLogsInAgainOnce() throws {
        let lab = try PVELabFixture { $0.ticketLifetime = 2 }
        let login = try PVEUserPassword(username: "root@pam", password: PVESecret(lab.rootPassword))
        let client = try lab.client(credentials: .password(login))
        XCTAssertEqual(try client.nodes().count, 2)
        Thread.sleep(forTimeInterval: 3.2)
        XCTAssertEqual(try client.nodes().count, 2)
        XCTAssertEqual(client.session?.counts.withLock { $0.logins }, 2)
    }
}
