import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Connecting to what the resolver made of an ad-hoc `user@host:port`: host key recording
/// under `--accept-new`, keepalives on a quiet connection.
final class SSHResolvedConnectTests: XCTestCase {
    private func resolver(home: TemporaryDirectory, acceptNew: Bool) -> SSHTargetResolver {
        SSHTargetResolver(
            config: SSHConfig(), home: home.path, localUser: "nobody", environment: [:],
            hostKeyPolicyOverride: acceptNew ? .acceptNew : nil)
    }

    func testAdHocTargetIsRefusedUnlessAcceptNewThenRecorded() throws {
        let sshd = try startSSHD()
        let home = try TemporaryDirectory("hlsh-home")
        let adHoc = "\(sshd.user)@127.0.0.1:\(sshd.port)"
        let defaults = SSHTargetDefaults(identityFiles: [sshd.identityPath])

        let strict = try resolver(home: home, acceptNew: false).resolve(adHoc, defaults: defaults)
        XCTAssertEqual(strict.endpoint, sshd.endpoint)
        let error = expectHLSError { () throws(HLSError) in try SSHSession.connect(to: strict) }
        XCTAssertTrue(error?.message.contains("is not known") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains(sshd.hostKeyFingerprint) ?? false, "\(String(describing: error))")

        let accepting = try resolver(home: home, acceptNew: true).resolve(adHoc, defaults: defaults)
        XCTAssertNoThrow(try SSHSession.connect(to: accepting))
        let recorded = try String(contentsOfFile: home.file(".ssh/known_hosts"), encoding: .utf8)
        XCTAssertEqual(recorded, sshd.knownHostsLine + "\n")
        // Now known: the strict policy accepts it.
        XCTAssertNoThrow(try SSHSession.connect(to: strict))
    }

    func testKeepalivesFlowDuringAQuietCommand() throws {
        let sshd = try SSHDFixture.start(extraConfig: ["LogLevel DEBUG1"])
        addTeardownBlock { sshd.stop() }
        var options = sshd.options()
        options.keepaliveInterval = .seconds(1)
        let session = try SSHSession(connectingTo: sshd.endpoint, options: options)
        let result = try session.exec("sleep 3; echo awake", timeout: .seconds(60))
        XCTAssertEqual(result.stdoutText, "awake\n")
        XCTAssertTrue(sshd.log.contains("keepalive@libssh2.org"), sshd.log)
    }
}
