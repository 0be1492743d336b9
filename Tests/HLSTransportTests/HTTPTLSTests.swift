import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// HTTPS against a server with a self-signed certificate, as Proxmox nodes have by default.
final class HTTPTLSTests: XCTestCase {
    private var certificate: SelfSignedCertificate!
    private var server: HTTPServerFixture!

    override func setUpWithError() throws {
        certificate = try SelfSignedCertificate.generate()
        server = try HTTPServerFixture(
            tls: .init(certificate: certificate.certificate, key: certificate.key))
    }

    override func tearDown() {
        server?.stop()
        server = nil
        certificate = nil
    }

    private func get(_ tls: TLSOptions, path: String = "/echo/tls") throws(HLSError) -> HTTPResponse {
        try HTTPClient(tls: tls, retry: .never).send(HTTPRequest(url: server.url(path)))
    }

    func testVerificationIsOnByDefaultAndRefusesASelfSignedCertificate() throws {
        XCTAssertTrue(server.baseURL.hasPrefix("https://"))
        let error = try XCTUnwrap(caught { try get(TLSOptions()) })
        XCTAssertEqual(error.kind, .failed, error.description)
        XCTAssertTrue(error.message.contains("certificate problem"), error.message)
        XCTAssertTrue(error.message.contains(server.baseURL), error.message)
        let hint = try XCTUnwrap(error.hint)
        for word in ["caFile", "fingerprint", "--insecure"] {
            XCTAssertTrue(hint.contains(word), "hint lacks \(word): \(hint)")
        }
        XCTAssertNotNil(error.cause, "curl's own reason belongs in the cause")
    }

    /// The chain is collected only when asked, and reads as openssl reads the certificate.
    func testTheServedCertificateIsCollectedWhenAsked() throws {
        XCTAssertEqual(try get(TLSOptions(caFile: certificate.certificate)).certificates, [])
        var request = HTTPRequest(url: server.url("/echo/tls"))
        request.collectsCertificates = true
        let response = try HTTPClient(tls: TLSOptions(caFile: certificate.certificate), retry: .never).send(request)
        let leaf = try XCTUnwrap(response.certificates.first)
        XCTAssertEqual(leaf.subject, "CN=127.0.0.1")
        XCTAssertEqual(leaf.issuer, "CN=127.0.0.1")
        XCTAssertEqual(leaf.alternativeNames, ["IP Address:127.0.0.1"])
        let end = try runProcess("/usr/bin/openssl", ["x509", "-noout", "-enddate", "-in", certificate.certificate])
        let notAfter = end.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
            of: "notAfter=", with: "")
        XCTAssertEqual(leaf.notAfterText, notAfter)
        let epoch = try runProcess("/usr/bin/date", ["-u", "-d", notAfter, "+%s"])
        XCTAssertEqual(leaf.notAfter.map(String.init), epoch.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testConnectToEntriesKeepTheWellFormedOnes() {
        XCTAssertEqual(
            HTTPClient.connectToEntries(" app:443:127.0.0.1:8443, bad,:80:127.0.0.1:8080 "),
            ["app:443:127.0.0.1:8443", ":80:127.0.0.1:8080"])
        XCTAssertEqual(HTTPClient.connectToEntries(nil), [])
    }

    func testACAFileAcceptsTheCertificate() throws {
        let response = try get(TLSOptions(caFile: certificate.certificate))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try echoJSON(response)["path"] as? String, "/echo/tls")
    }

    func testInlineCAPEMAcceptsTheCertificate() throws {
        let pem = try XCTUnwrap(FileManager.default.contents(atPath: certificate.certificate))
        XCTAssertEqual(try get(TLSOptions(caPEM: Array(pem))).status, 200)
    }

    func testAMissingCAFileIsACertificateProblem() throws {
        let error = try XCTUnwrap(caught { try get(TLSOptions(caFile: "/nonexistent/ca.pem")) })
        XCTAssertEqual(error.kind, .failed)
        XCTAssertTrue(error.message.contains("certificate problem"), error.description)
    }

    func testTheRightPinAcceptsAndAWrongPinRefuses() throws {
        XCTAssertEqual(try get(TLSOptions(pinnedPublicKey: certificate.pin)).status, 200)

        let other = try SelfSignedCertificate.generate()
        XCTAssertNotEqual(other.pin, certificate.pin)
        let error = try XCTUnwrap(caught { try get(TLSOptions(pinnedPublicKey: other.pin)) })
        XCTAssertEqual(error.kind, .failed, error.description)
        XCTAssertTrue(error.message.contains("does not match the pinned"), error.description)

        // Several pins: any one matching will do (key rotation).
        XCTAssertEqual(try get(TLSOptions(pinnedPublicKey: "\(other.pin);\(certificate.pin)")).status, 200)
    }

    func testAWrongPinRefusesEvenWhenInsecure() throws {
        let other = try SelfSignedCertificate.generate()
        let error = try XCTUnwrap(caught { try get(TLSOptions(pinnedPublicKey: other.pin, insecure: true)) })
        XCTAssertTrue(error.message.contains("does not match the pinned"), error.description)
    }

    func testInsecureAcceptsTheCertificate() throws {
        XCTAssertEqual(try get(TLSOptions(insecure: true)).status, 200)
    }

    func testAMalformedPinIsAUsageError() throws {
        let error = try XCTUnwrap(caught { try get(TLSOptions(pinnedPublicKey: "AA:BB:CC")) })
        XCTAssertEqual(error.kind, .usage)
        XCTAssertTrue(error.message.contains("sha256//"), error.message)
        XCTAssertEqual(error.place, .request(method: "GET", url: server.url("/echo/tls")))
    }
}

/// Pinning relaxes the chain and host-name checks (Proxmox fingerprint style), and a CA file
/// does not.
final class HTTPTLSHostNameTests: XCTestCase {
    func testAPinAcceptsACertificateForAnotherNameButACAFileDoesNot() throws {
        let certificate = try SelfSignedCertificate.generate(
            commonName: "pve.example.invalid", subjectAltName: "DNS:pve.example.invalid")
        let server = try HTTPServerFixture(tls: .init(certificate: certificate.certificate, key: certificate.key))
        defer { server.stop() }
        let request = HTTPRequest(url: server.url("/echo"))

        let pinned = HTTPClient(tls: TLSOptions(pinnedPublicKey: certificate.pin), retry: .never)
        XCTAssertEqual(try pinned.send(request).status, 200)

        let byCA = HTTPClient(tls: TLSOptions(caFile: certificate.certificate), retry: .never)
        let error = try XCTUnwrap(caught { try byCA.send(request) })
        XCTAssertTrue(error.message.contains("certificate problem"), error.description)
    }
}

/// Client certificates, as a kubeconfig's client-certificate-data/client-key-data provide.
final class HTTPTLSClientCertificateTests: XCTestCase {
    func testTheClientCertificateIsPresentedFromFilesOrPEM() throws {
        let serverCertificate = try SelfSignedCertificate.generate()
        let clientCertificate = try SelfSignedCertificate.generate(commonName: "hlsh-client")
        let server = try HTTPServerFixture(
            tls: .init(
                certificate: serverCertificate.certificate, key: serverCertificate.key,
                requiredClientCA: clientCertificate.certificate))
        defer { server.stop() }
        let request = HTTPRequest(url: server.url("/echo"))

        let fromFiles = TLSOptions(
            caFile: serverCertificate.certificate, clientCertificate: .file(clientCertificate.certificate),
            clientKey: .file(clientCertificate.key))
        XCTAssertEqual(try HTTPClient(tls: fromFiles, retry: .never).send(request).status, 200)

        let certPEM = try XCTUnwrap(FileManager.default.contents(atPath: clientCertificate.certificate))
        let keyPEM = try XCTUnwrap(FileManager.default.contents(atPath: clientCertificate.key))
        let fromPEM = TLSOptions(
            caFile: serverCertificate.certificate, clientCertificate: .pem(Array(certPEM)),
            clientKey: .pem(Array(keyPEM)))
        XCTAssertEqual(try HTTPClient(tls: fromPEM, retry: .never).send(request).status, 200)

        let without = TLSOptions(caFile: serverCertificate.certificate)
        let error = try XCTUnwrap(caught { try HTTPClient(tls: without, retry: .never).send(request) })
        XCTAssertEqual(error.kind, .failed, error.description)
    }
}
