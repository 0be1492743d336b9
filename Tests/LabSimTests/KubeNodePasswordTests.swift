import HLSCore
import XCTest

@testable import LabSim

/// k3s's node passwords on the simulated server: the first request of a node stores the scrypt
/// hash of its password in `<node>.node-password.k3s` (kube-system, immutable, Opaque as in
/// v1.33.4), the same password is let in again, another one is refused, and deleting the Node
/// deletes the Secret (k3s's node controller).
final class KubeNodePasswordTests: InProcessKubeTestCase {
    func testTheFirstPasswordIsKeptAndAnotherOneIsRefused() throws {
        XCTAssertTrue(try api.ensureNodePassword(node: "k3s-wk-01", password: "0123456789abcdef0123456789abcdef"))
        let secret = try XCTUnwrap(try user.get("/api/v1/namespaces/kube-system/secrets/k3s-wk-01.node-password.k3s"))
        XCTAssertEqual(secret.at(["immutable"]), .bool(true))
        XCTAssertEqual(secret.text("type"), "Opaque")
        let hash = String(
            decoding: try XCTUnwrap(Base64.decode(try XCTUnwrap(secret.text("data", "hash")))), as: UTF8.self)
        XCTAssertTrue(hash.hasPrefix("$1:"), hash)
        XCTAssertEqual(hash.split(separator: ":").dropFirst(2).prefix(3), ["15", "8", "1"], hash)
        XCTAssertFalse(hash.contains("0123456789abcdef"), "the password itself is not stored")

        XCTAssertTrue(try api.ensureNodePassword(node: "k3s-wk-01", password: "0123456789abcdef0123456789abcdef"))
        XCTAssertFalse(try api.ensureNodePassword(node: "k3s-wk-01", password: "fedcba9876543210fedcba9876543210"))
        XCTAssertFalse(try api.ensureNodePassword(node: "K3S-WK-01", password: "fedcba9876543210fedcba9876543210"))
    }

    func testDeletingTheNodeDeletesItsSecretSoARebuiltMachineIsLetIn() throws {
        try api.register(
            KubeNodeRegistration(
                name: "k3s-wk-01", internalIP: "192.168.10.22", controlPlane: false, version: "v1.33.4+k3s1"))
        XCTAssertTrue(try api.ensureNodePassword(node: "k3s-wk-01", password: "old"))
        XCTAssertFalse(try api.ensureNodePassword(node: "k3s-wk-01", password: "new"))
        try user.delete("/api/v1/nodes/k3s-wk-01")
        XCTAssertNil(try user.get("/api/v1/namespaces/kube-system/secrets/k3s-wk-01.node-password.k3s"))
        XCTAssertTrue(try api.ensureNodePassword(node: "k3s-wk-01", password: "new"))
    }

    /// The KDF is scrypt: RFC 7914's second test vector, written in k3s's hash format, verifies.
    func testTheHashIsK3sScryptFormat() {
        let rfc7914 =
            "$1:4e61436c:10:8:16:/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA"
        XCTAssertTrue(KubeNodePasswords.verify(rfc7914, "password"))
        XCTAssertFalse(KubeNodePasswords.verify(rfc7914, "passw0rd"))
        XCTAssertFalse(KubeNodePasswords.verify("$2:4e61436c:10:8:16:AAAA", "password"))
        let made = KubeNodePasswords.hash("hello world")
        XCTAssertTrue(made.map { KubeNodePasswords.verify($0, "hello world") } ?? false)
    }
}
