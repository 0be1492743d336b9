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

    func testDurationsInMessages() {
        XCTAssertEqual(HLSError.formatSeconds(.seconds(1)), "1 s")
        XCTAssertEqual(HLSError.formatSeconds(.milliseconds(500)), "0.5 s")
        XCTAssertEqual(HLSError.formatSeconds(.milliseconds(2250)), "2.25 s")
    }

    func testEndpointNames() {
        XCTAssertEqual(SSHEndpoint(user: "root", host: "10.0.0.5", port: 22).description, "root@10.0.0.5:22")
        XCTAssertEqual(SSHEndpoint(user: "root", host: "10.0.0.5", port: 22).knownHostsName, "10.0.0.5")
        XCTAssertEqual(SSHEndpoint(user: "root", host: "127.0.0.1", port: 2222).knownHostsName, "[127.0.0.1]:2222")
        XCTAssertEqual(SSHEndpoint(user: "u", host: "::1", port: 22).description, "u@[::1]:22")
    }
}
