import Foundation
import HLSCore
import XCTest

@testable import HLSTransport

final class SSHFingerprintTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testSHA256KnownVectors() {
        XCTAssertEqual(
            hex(SHA.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            hex(SHA.sha256(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(SHA.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(SHA.sha256([UInt8](repeating: 0x61, count: 1_000_000))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

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
