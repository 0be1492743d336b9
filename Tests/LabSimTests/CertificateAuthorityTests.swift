import Foundation
import TestSupport
import X509
import XCTest

@testable import LabSim

/// The simulator's CA, checked by an independent implementation: the `openssl` program verifies
/// the chain and reads back the names, usages and keys.
final class CertificateAuthorityTests: XCTestCase {
    private func openssl(_ arguments: [String]) throws -> String {
        let result = try runProcess("/usr/bin/openssl", arguments)
        XCTAssertEqual(result.status, 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    private func makeCA() throws -> CertificateAuthority {
        try CertificateAuthority(
            subject: CertificateAuthority.name("a test CA") {
                CommonName("hlsh test CA")
                OrganizationName("hlsh")
            })
    }

    func testServingCertificateVerifiesAgainstTheCAWithItsNames() throws {
        let dir = try TemporaryDirectory()
        let ca = try makeCA()
        try ca.root.write(certificatePath: dir.file("ca.pem"), keyPath: dir.file("ca.key"))
        let server = try ca.issueServer(
            subject: CertificateAuthority.name("the API server") { CommonName("kube-apiserver") },
            dnsNames: ["localhost", "kubernetes.default.svc"], ipAddresses: ["127.0.0.1", "10.43.0.1", "::1"])
        try server.write(certificatePath: dir.file("server.pem"), keyPath: dir.file("server.key"))

        let verified = try openssl(
            ["verify", "-purpose", "sslserver", "-CAfile", dir.file("ca.pem"), dir.file("server.pem")])
        XCTAssertEqual(verified, dir.file("server.pem") + ": OK\n")
        let names = try openssl(["x509", "-in", dir.file("server.pem"), "-noout", "-ext", "subjectAltName"])
        XCTAssertTrue(
            names.contains(
                "DNS:localhost, DNS:kubernetes.default.svc, IP Address:127.0.0.1, IP Address:10.43.0.1, "
                    + "IP Address:0:0:0:0:0:0:0:1"),
            names)
        XCTAssertTrue(
            try openssl(["x509", "-in", dir.file("server.pem"), "-noout", "-subject"]).contains("CN = kube-apiserver"))
        // The key written beside the certificate is the certificate's, and EC P-256.
        let certificateKey = try openssl(["x509", "-in", dir.file("server.pem"), "-noout", "-pubkey"])
        XCTAssertEqual(try openssl(["pkey", "-in", dir.file("server.key"), "-pubout"]), certificateKey)
        XCTAssertTrue(try openssl(["pkey", "-in", dir.file("server.key"), "-noout", "-text"]).contains("prime256v1"))
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: dir.file("server.key"))[.posixPermissions] as? Int, 0o600)
        // Not a CA: nothing it signs would verify.
        let constraints = try openssl(["x509", "-in", dir.file("server.pem"), "-noout", "-ext", "basicConstraints"])
        XCTAssertTrue(constraints.contains("CA:FALSE"), constraints)
    }

    func testClientCertificateCarriesTheUserAndGroups() throws {
        let dir = try TemporaryDirectory()
        let ca = try makeCA()
        try ca.root.write(certificatePath: dir.file("ca.pem"), keyPath: dir.file("ca.key"))
        let client = try ca.issueClient(commonName: "alice", organizations: ["system:masters", "devs"])
        try client.write(certificatePath: dir.file("alice.pem"), keyPath: dir.file("alice.key"))

        XCTAssertEqual(
            try openssl(["verify", "-purpose", "sslclient", "-CAfile", dir.file("ca.pem"), dir.file("alice.pem")]),
            dir.file("alice.pem") + ": OK\n")
        let subject = try openssl(["x509", "-in", dir.file("alice.pem"), "-noout", "-subject", "-nameopt", "RFC2253"])
        XCTAssertEqual(subject, "subject=CN=alice,O=devs,O=system:masters\n")
        // A client certificate is not for serving.
        let serving = try runProcess(
            "/usr/bin/openssl",
            ["verify", "-purpose", "sslserver", "-CAfile", dir.file("ca.pem"), dir.file("alice.pem")])
        XCTAssertNotEqual(serving.status, 0, serving.stdout)
    }

    func testCAReadBackFromItsFilesKeepsIssuingUnderTheSameRoot() throws {
        let dir = try TemporaryDirectory()
        try makeCA().root.write(certificatePath: dir.file("ca.pem"), keyPath: dir.file("ca.key"))
        let reloaded = try CertificateAuthority(certificatePath: dir.file("ca.pem"), keyPath: dir.file("ca.key"))
        try reloaded.issueClient(commonName: "bob").write(
            certificatePath: dir.file("bob.pem"), keyPath: dir.file("bob.key"))
        XCTAssertEqual(
            try openssl(["verify", "-CAfile", dir.file("ca.pem"), dir.file("bob.pem")]), dir.file("bob.pem") + ": OK\n")
    }

    func testAnAddressThatIsNotOneIsRefused() throws {
        XCTAssertThrowsError(
            try makeCA().issueServer(
                subject: CertificateAuthority.name("a server") { CommonName("x") }, dnsNames: [],
                ipAddresses: ["10.0.0.300"])
        ) { error in
            XCTAssertTrue("\(error)".contains("10.0.0.300 is not an IP address"), "\(error)")
        }
    }
}
