import Foundation
import TestSupport
import XCTest

/// Issue 17's TLS cases through the built binary, against `hlsh sim serve`'s PVE API and
/// Kubernetes API: a CA that did not sign the server's certificate, and a pinned fingerprint the
/// server's certificate does not have, fail closed — exit 1, naming the host, what was expected
/// (the CA file, the pinned fingerprint and the presented one) and what to do — for `vm list`
/// (PVE), `kube get` (the kubeconfig's certificate-authority-data: a kubeconfig has no pin, its
/// CA is k3s's own, see docs/security.md) and `probe`.
final class TLSFailClosedBinaryTests: XCTestCase {
    /// The served lab, its PVE API's endpoint, and a CA and fingerprint of another certificate.
    struct Lab: @unchecked Sendable {
        static let shared = ClassShared(make: Lab.init, drop: { $0.serve.stop() })

        let directory: TemporaryDirectory
        let serve: SimServe
        let environment: [String: String]
        let other: SelfSignedCertificate

        init() throws {
            directory = try TemporaryDirectory("hlsh-tls")
            let home = try directory.userHome()
            serve = try SimServe(directory: directory.file("lab"), home: home, environment: SimServe.testTimings)
            guard serve.serving else { throw HTTPFixtureError("sim serve did not come up") }
            environment = try serve.shellEnvironment(home: home, state: directory.file("state"))
            // The Kubernetes API answers once the control-plane VM runs its k3s server.
            try serve.startControlPlane(
                environment: environment, inventory: SimulatedLabBinaryTests.repository + "/scripts/homelab.yaml")
            other = try SelfSignedCertificate.generate()
        }

        /// `https://127.0.0.1:PORT` of the PVE API, without a trailing slash.
        var pve: String {
            var url = environment["PROXMOX_VE_ENDPOINT"] ?? ""
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
    }

    private func lab() throws -> Lab { try Lab.shared.get() }

    override class func tearDown() {
        Lab.shared.release()
        super.tearDown()
    }

    /// Checks a run refused for a fingerprint `lab.other`'s, while the server presented `right`:
    /// exit 1, both fingerprints, and how to read the server's own (at its host and port).
    private func assertRefusedPin(_ run: ProcessResult, _ lab: Lab, presented right: String, line: UInt = #line) {
        XCTAssertEqual(run.status, 1, run.stderr, line: line)
        XCTAssertTrue(
            run.stderr.contains(
                "certificate fingerprint of \(lab.pve) does not match the pinned one: "
                    + "expected \(lab.other.fingerprint), the server presented \(right)"), run.stderr, line: line)
        let authority = lab.pve.replacingOccurrences(of: "https://", with: "")
        XCTAssertTrue(run.stderr.contains("openssl s_client -connect \(authority) "), run.stderr, line: line)
    }

    /// hlsh with the lab's environment, without its PVE trust settings, plus `extra`.
    private func hlsh(_ lab: Lab, _ arguments: [String], _ extra: [String: String] = [:]) throws -> ProcessResult {
        var env = lab.environment
        for name in ["HLSH_PVE_CA_FILE", "HLSH_PVE_FINGERPRINT", "HLSH_PVE_PUBLIC_KEY_PIN"] {
            env.removeValue(forKey: name)
        }
        return try runProcess(BuiltBinary.hlsh, arguments, environment: env.merging(extra) { _, new in new })
    }

    func testThePVEAPIRefusesAWrongCAAndAMismatchedFingerprint() throws {
        let lab = try lab()
        let right = try XCTUnwrap(lab.environment["HLSH_PVE_FINGERPRINT"])
        let trusted = try hlsh(
            lab, ["vm", "list"], ["HLSH_PVE_CA_FILE": try XCTUnwrap(lab.environment["HLSH_PVE_CA_FILE"])])
        XCTAssertEqual(trusted.status, 0, trusted.stderr)
        let pinned = try hlsh(lab, ["vm", "list"], ["HLSH_PVE_FINGERPRINT": right])
        XCTAssertEqual(pinned.status, 0, pinned.stderr)

        let wrongCA = try hlsh(lab, ["vm", "list"], ["HLSH_PVE_CA_FILE": lab.other.certificate])
        XCTAssertEqual(wrongCA.status, 1, wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.contains("cannot verify the TLS certificate of \(lab.pve)"), wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.contains("trusted now: the CAs in \(lab.other.certificate)"), wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.contains("pve-root-ca.pem"), wrongCA.stderr)

        for insecure in ["false", "true"] {
            let wrongPin = try hlsh(
                lab, ["vm", "list"], ["HLSH_PVE_FINGERPRINT": lab.other.fingerprint, "PROXMOX_VE_INSECURE": insecure])
            assertRefusedPin(wrongPin, lab, presented: right)
            XCTAssertTrue(wrongPin.stderr.contains("pvenode cert info"), wrongPin.stderr)
        }
        let token = try XCTUnwrap(lab.environment["PROXMOX_VE_API_TOKEN"]?.split(separator: "=").last)
        XCTAssertFalse((wrongCA.stderr + wrongCA.stdout).contains(token), "the API token in an error")
    }

    func testTheKubernetesAPIRefusesACertificateAuthorityThatDidNotSignIt() throws {
        let lab = try lab()
        let original = try String(contentsOfFile: lab.serve.file("kubeconfig"), encoding: .utf8)
        let ours = try lab.directory.write("kubeconfig", original, mode: 0o600)
        let trusted = try hlsh(lab, ["kube", "get", "namespaces"], ["KUBECONFIG": ours])
        XCTAssertEqual(trusted.status, 0, trusted.stderr)

        let otherCA = try Data(contentsOf: URL(fileURLWithPath: lab.other.certificate)).base64EncodedString()
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let field = line.range(of: "certificate-authority-data: ") else { return String(line) }
            return String(line[..<field.upperBound]) + otherCA
        }
        XCTAssertNotEqual(lines.joined(separator: "\n"), original, "the kubeconfig has certificate-authority-data")
        let wrong = try lab.directory.write("wrong-ca-kubeconfig", lines.joined(separator: "\n"), mode: 0o600)
        let refused = try hlsh(lab, ["kube", "get", "namespaces"], ["KUBECONFIG": wrong])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertFalse(refused.stdout.contains("kube-system"), refused.stdout)
        XCTAssertTrue(refused.stderr.contains("Kubernetes API of context "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cannot verify the TLS certificate of https://"), refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("not signed by the certificate-authority of cluster "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(wrong), "the kubeconfig is named: \(refused.stderr)")
        XCTAssertTrue(refused.stderr.contains("node kubeconfig"), refused.stderr)
    }

    /// The kubeconfig's client key in an error: a key that is not the certificate's, and one
    /// that is not a key at all, fail `kube get` naming the user and the file; neither key's
    /// text shows in the error or in the run log.
    func testAnUnusableClientKeyIsNamedButNeverShown() throws {
        let lab = try lab()
        let original = try String(contentsOfFile: lab.serve.file("kubeconfig"), encoding: .utf8)
        let otherKey = try String(contentsOfFile: lab.other.key, encoding: .utf8)
        let otherLine = otherKey.split(separator: "\n").filter { !$0.hasPrefix("-----") }.last.map(String.init) ?? ""
        let junk =
            "-----BEGIN EC PRIVATE KEY-----\n\(String(repeating: "Zm9yZ2Vk", count: 8))\n-----END EC PRIVATE KEY-----\n"
        let garbage = Data(junk.utf8).base64EncodedString()
        for data in [Data(otherKey.utf8).base64EncodedString(), garbage] {
            let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                guard let field = line.range(of: "client-key-data: ") else { return String(line) }
                return String(line[..<field.upperBound]) + data
            }
            XCTAssertNotEqual(lines.joined(separator: "\n"), original, "the kubeconfig has client-key-data")
            let file = try lab.directory.write("key-kubeconfig", lines.joined(separator: "\n"), mode: 0o600)
            let log = lab.directory.file("key.jsonl")
            let refused = try hlsh(lab, ["--log", log, "kube", "get", "namespaces"], ["KUBECONFIG": file])
            XCTAssertEqual(refused.status, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("Kubernetes API of context "), refused.stderr)
            XCTAssertTrue(refused.stderr.contains(file), "the kubeconfig is named: \(refused.stderr)")
            let logged = try String(contentsOfFile: log, encoding: .utf8)
            for text in [refused.stdout, refused.stderr, logged] {
                XCTAssertFalse(text.contains(data), "the client-key-data is shown: \(text)")
                XCTAssertFalse(text.contains(otherLine), "the key is shown: \(text)")
                XCTAssertFalse(text.contains("PRIVATE KEY"), "the key is shown: \(text)")
            }
        }
    }

    func testProbeRefusesAWrongCAAndAMismatchedFingerprint() throws {
        let lab = try lab()
        let right = try XCTUnwrap(lab.environment["HLSH_PVE_FINGERPRINT"])
        let url = lab.pve + "/"
        let any = ["--expect", "100..599"]
        let trusted = try hlsh(lab, ["probe", url, "--ca", try XCTUnwrap(lab.environment["HLSH_PVE_CA_FILE"])] + any)
        XCTAssertEqual(trusted.status, 0, trusted.stderr)
        let pinned = try hlsh(lab, ["probe", url, "--fingerprint", right] + any)
        XCTAssertEqual(pinned.status, 0, pinned.stderr)

        let wrongCA = try hlsh(lab, ["probe", url, "--ca", lab.other.certificate] + any)
        XCTAssertEqual(wrongCA.status, 1, wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.contains("cannot verify the TLS certificate of \(lab.pve)"), wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.contains("is not trusted"), "the untrusted issuer is named: \(wrongCA.stderr)")
        XCTAssertTrue(wrongCA.stderr.contains("trusted now: the CAs in \(lab.other.certificate)"), wrongCA.stderr)

        for insecure in [[], ["--insecure"]] {
            let wrongPin = try hlsh(lab, ["probe", url, "--fingerprint", lab.other.fingerprint] + insecure + any)
            assertRefusedPin(wrongPin, lab, presented: right)
        }
    }
}
