import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Pinning the SHA-256 fingerprint of a self-signed server certificate, the way Proxmox VE's
/// own clients trust a node (`pvenode cert info`), against a real HTTPS server. The expected
/// fingerprints come from `openssl x509 -fingerprint`, not from hlsh.
final class HTTPCertificateFingerprintTests: XCTestCase {
    private var certificate: SelfSignedCertificate!
    private var server: HTTPServerFixture!

    override func setUpWithError() throws {
        certificate = try SelfSignedCertificate.generate()
        server = try HTTPServerFixture(tls: .init(certificate: certificate.certificate, key: certificate.key))
    }

    override func tearDown() {
        server?.stop()
        server = nil
        certificate = nil
    }

    private func pin(_ text: String) throws -> TLSOptions {
        TLSOptions(certificateFingerprint: try CertificateFingerprint(parsing: text, setting: "test pin"))
    }

    func testTheRightFingerprintAcceptsASelfSignedCertificateWithoutAnyCA() throws {
        let client = HTTPClient(tls: try pin(certificate.fingerprint), retry: .never)
        let first = try client.send(HTTPRequest(url: server.url("/echo/one")))
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(try echoJSON(first)["path"] as? String, "/echo/one")
        // The pinned connection is kept and reused like any other.
        let second = try client.send(HTTPRequest(url: server.url("/echo/two")))
        XCTAssertEqual(
            try echoJSON(second)["client_port"] as? Int, try echoJSON(first)["client_port"] as? Int,
            "the second request should reuse the first connection")
    }

    func testAWrongFingerprintIsRefusedBeforeTheRequestIsSent() throws {
        let other = try SelfSignedCertificate.generate()
        XCTAssertNotEqual(other.fingerprint, certificate.fingerprint)
        let client = HTTPClient(tls: try pin(other.fingerprint), retry: .default)
        var request = HTTPRequest(method: "POST", url: server.url("/echo/refused"), body: Array("x=1".utf8))
        request.headers.add("Authorization", "PVEAPIToken=root@pam!hlsh=must-never-leave")

        let error = try XCTUnwrap(caught { try client.send(request) })
        XCTAssertEqual(error.kind, .failed, error.description)
        XCTAssertEqual(error.place, .host("127.0.0.1:\(server.port)"))
        XCTAssertTrue(error.message.contains("certificate fingerprint"), error.message)
        XCTAssertTrue(error.message.contains("does not match"), error.message)
        XCTAssertTrue(error.message.contains("expected \(other.fingerprint)"), error.message)
        XCTAssertTrue(error.message.contains("presented \(certificate.fingerprint)"), error.message)
        XCTAssertTrue(error.hint?.contains("pvenode cert info") ?? false, error.description)
        XCTAssertFalse(error.description.contains("must-never-leave"))

        // The server saw a failed handshake and no request: a later, trusted request is in its
        // log, the refused one is not.
        let trusted = HTTPClient(tls: try pin(certificate.fingerprint), retry: .never)
        XCTAssertEqual(try trusted.send(HTTPRequest(url: server.url("/echo/after"))).status, 200)
        XCTAssertTrue(server.log.contains("/echo/after"), server.log)
        XCTAssertFalse(server.log.contains("/echo/refused"), server.log)
    }

    func testAWrongFingerprintIsRefusedEvenWhenInsecure() throws {
        let other = try SelfSignedCertificate.generate()
        var tls = try pin(other.fingerprint)
        tls.insecure = true
        let error = try XCTUnwrap(
            caught { try HTTPClient(tls: tls, retry: .never).send(HTTPRequest(url: server.url("/echo"))) })
        XCTAssertTrue(error.message.contains("does not match"), error.description)
        XCTAssertTrue(error.message.contains(certificate.fingerprint), error.description)
    }

    func testTheFingerprintDoesNotCheckTheHostName() throws {
        let named = try SelfSignedCertificate.generate(
            commonName: "pve.example.invalid", subjectAltName: "DNS:pve.example.invalid")
        let namedServer = try HTTPServerFixture(tls: .init(certificate: named.certificate, key: named.key))
        defer { namedServer.stop() }
        let response = try HTTPClient(tls: try pin(named.fingerprint), retry: .never)
            .send(HTTPRequest(url: namedServer.url("/echo")))
        XCTAssertEqual(response.status, 200)
    }

    func testWithACAFileBothTheChainAndTheFingerprintAreChecked() throws {
        var both = try pin(certificate.fingerprint)
        both.caFile = certificate.certificate
        XCTAssertEqual(try HTTPClient(tls: both, retry: .never).send(HTTPRequest(url: server.url("/echo"))).status, 200)

        let other = try SelfSignedCertificate.generate()
        var wrongCA = try pin(certificate.fingerprint)
        wrongCA.caFile = other.certificate
        let chainError = try XCTUnwrap(
            caught { try HTTPClient(tls: wrongCA, retry: .never).send(HTTPRequest(url: server.url("/echo"))) })
        XCTAssertTrue(chainError.message.contains("certificate problem"), chainError.description)

        var wrongPin = try pin(other.fingerprint)
        wrongPin.caFile = certificate.certificate
        let pinError = try XCTUnwrap(
            caught { try HTTPClient(tls: wrongPin, retry: .never).send(HTTPRequest(url: server.url("/echo"))) })
        XCTAssertTrue(pinError.message.contains("does not match"), pinError.description)
    }

    func testLowerCaseAndColonFreeFormsAreTheSameFingerprint() throws {
        let canonical = try CertificateFingerprint(parsing: certificate.fingerprint, setting: "test pin")
        XCTAssertEqual(canonical.description, certificate.fingerprint)
        XCTAssertEqual(canonical.bytes.count, 32)
        let bare = certificate.fingerprint.replacingOccurrences(of: ":", with: "")
        for form in [
            certificate.fingerprint.lowercased(), bare, bare.lowercased(), "  \(certificate.fingerprint)\n",
            "sha256 Fingerprint=\(certificate.fingerprint)",
        ] {
            XCTAssertEqual(try CertificateFingerprint(parsing: form, setting: "test pin"), canonical, form)
        }
        let client = HTTPClient(tls: try pin(bare.lowercased()), retry: .never)
        XCTAssertEqual(try client.send(HTTPRequest(url: server.url("/echo"))).status, 200)
    }

    func testAMalformedFingerprintIsAConfigurationErrorNamingTheSetting() {
        let full = certificate.fingerprint
        for bad in [
            "", "AA:BB:CC", String(full.dropLast(3)), full + ":00", String(full.dropLast()) + "G",
            "sha256//" + String(repeating: "A", count: 43) + "=",
        ] {
            XCTAssertThrowsError(try CertificateFingerprint(parsing: bad, setting: "HLSH_PVE_FINGERPRINT"), bad) {
                let error = $0 as? HLSError
                XCTAssertEqual(error?.kind, .configuration, bad)
                XCTAssertTrue(
                    error?.message.hasPrefix("HLSH_PVE_FINGERPRINT must be") ?? false, "\(String(describing: error))")
                XCTAssertTrue(error?.hint?.contains("pvenode cert info") ?? false)
            }
        }
        XCTAssertNil(CertificateFingerprint(bytes: [1, 2, 3]))
    }
}
