import Foundation
import TestSupport
import XCTest

/// Issue 17's host key cases through the built binary against a real sshd: an unknown host
/// without `--accept-new` and a host whose key changed are refused before the user's key is
/// offered, the refusal shows the fingerprint(s) and what to do, and known_hosts is left as it was.
final class HostKeyRefusalBinaryTests: XCTestCase {
    private var sshd: SSHDFixture!
    private var home: TemporaryDirectory!
    private var target: String { "\(sshd.user)@127.0.0.1:\(sshd.port)" }
    private var knownHosts: String { home.file(".ssh/known_hosts") }

    override func setUpWithError() throws {
        sshd = try SSHDFixture.start()
        home = try TemporaryDirectory("hlsh-hostkey")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sshd.identityPath, toPath: home.file(".ssh/id_ed25519"))
    }

    override func tearDown() {
        sshd?.stop()
        sshd = nil
        home = nil
    }

    private func nodeRun(_ extra: [String] = []) throws -> ProcessResult {
        try BuiltBinary.run(
            ["node", "run", target, "echo ran"] + extra,
            environment: ["HOME": home.path, "XDG_STATE_HOME": home.file("state")])
    }

    func testAnUnknownHostIsRefusedWithItsFingerprintAndKnownHostsIsNotWritten() throws {
        // No known_hosts at all, then one that knows only another host.
        let other = "[127.0.0.1]:1 \(try SSHDFixture.publicKey(at: try sshd.makeKey(named: "other_key") + ".pub"))\n"
        for contents in [nil, other] {
            if let contents { try home.write(".ssh/known_hosts", contents, mode: 0o600) }
            let refused = try nodeRun()
            XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
            let said = refused.stdout + refused.stderr
            XCTAssertFalse(refused.stdout.contains("ran"), "the command ran: \(said)")
            XCTAssertTrue(said.contains("host key of [127.0.0.1]:\(sshd.port) is not known"), said)
            XCTAssertTrue(said.contains(sshd.hostKeyFingerprint), said)
            XCTAssertTrue(said.contains("--accept-new"), said)
            XCTAssertTrue(said.contains(knownHosts), "the hint names the file accepting writes to: \(said)")
            XCTAssertEqual(
                try? String(contentsOfFile: knownHosts, encoding: .utf8), contents, "a refusal wrote known_hosts")
        }
        XCTAssertFalse(sshd.log.contains("Accepted publickey"), "the key was offered to an unknown host: \(sshd.log)")
        // The opt-in records it, and the command runs.
        let accepted = try nodeRun(["--accept-new"])
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertTrue(try String(contentsOfFile: knownHosts, encoding: .utf8).contains(sshd.knownHostsLine))
    }

    func testAChangedHostKeyIsRefusedEvenWithAcceptNewAndKnownHostsIsNotTouched() throws {
        let impostor = try sshd.makeKey(named: "impostor_key")
        let recorded = "\(sshd.knownHostsName) \(try SSHDFixture.publicKey(at: impostor + ".pub"))\n"
        try home.write(".ssh/known_hosts", recorded, mode: 0o600)
        let expected = try SSHDFixture.fingerprint(ofPublicKeyAt: impostor + ".pub")
        for extra in [[], ["--accept-new"]] {
            let refused = try nodeRun(extra)
            XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
            let said = refused.stdout + refused.stderr
            XCTAssertFalse(refused.stdout.contains("ran"), "the command ran: \(said)")
            XCTAssertTrue(said.contains("CHANGED"), said)
            XCTAssertTrue(said.contains(expected), "the recorded fingerprint: \(said)")
            XCTAssertTrue(said.contains(sshd.hostKeyFingerprint), "the presented fingerprint: \(said)")
            XCTAssertTrue(said.contains("\(knownHosts):1"), "the line that records the old key: \(said)")
            XCTAssertTrue(said.contains("man-in-the-middle"), said)
            XCTAssertEqual(try String(contentsOfFile: knownHosts, encoding: .utf8), recorded, "known_hosts was touched")
        }
        XCTAssertFalse(sshd.log.contains("Accepted publickey"), "the key was offered to a changed host: \(sshd.log)")
    }
}
