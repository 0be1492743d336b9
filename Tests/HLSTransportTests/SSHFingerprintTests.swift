import Foundation
import HLSCore
import XCTest

@testable import HLSTransport

final class SSHFingerprintTests: XCTestCase {
    func testOpenSSHFingerprintFormat() throws {
        // The public half of an ed25519 key and the fingerprint `ssh-keygen -lf` prints for it.
        let key = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
        let fingerprint = try XCTUnwrap(Fingerprint.sha256(ofBase64Key: key))
        XCTAssertTrue(fingerprint.hasPrefix("SHA256:"))
        XCTAssertFalse(fingerprint.hasSuffix("="))
        XCTAssertEqual(fingerprint.count, "SHA256:".count + 43)
        XCTAssertNil(Fingerprint.sha256(ofBase64Key: "not base64!"))
    }

    /// SSH timeouts print their budget as every duration in hlsh does (`Duration.text`).
    func testDurationsInMessages() {
        let endpoint = SSHEndpoint(user: "root", host: "10.0.0.5", port: 22)
        XCTAssertEqual(
            HLSError.sshTimeout(.milliseconds(2250), while: "connecting", at: endpoint).message,
            "timed out after 2.25s while connecting")
        XCTAssertEqual(HLSError.sshTimeout(nil, while: "reading", at: endpoint).message, "timed out while reading")
    }

    func testEndpointNames() {
        XCTAssertEqual(SSHEndpoint(user: "root", host: "10.0.0.5", port: 22).description, "root@10.0.0.5:22")
        XCTAssertEqual(SSHEndpoint(user: "root", host: "10.0.0.5", port: 22).knownHostsName, "10.0.0.5")
        XCTAssertEqual(SSHEndpoint(user: "root", host: "127.0.0.1", port: 2222).knownHostsName, "[127.0.0.1]:2222")
        XCTAssertEqual(SSHEndpoint(user: "u", host: "::1", port: 22).description, "u@[::1]:22")
    }
}
