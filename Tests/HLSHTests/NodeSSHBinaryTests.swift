import Foundation
import TestSupport
import XCTest

/// `node ssh` through the built binary against a real sshd: without a terminal, the command's
/// output comes through and its exit status fails the verb.
final class NodeSSHBinaryTests: XCTestCase {
    func testACommandOverNodeSSHPrintsItsOutputAndItsExitFailsTheVerb() throws {
        let sshd = try SSHDFixture.start()
        addTeardownBlock { sshd.stop() }
        let home = try TemporaryDirectory("hlsh-nodessh")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sshd.identityPath, toPath: home.file(".ssh/id_ed25519"))
        try home.write(".ssh/known_hosts", sshd.knownHostsLine + "\n", mode: 0o600)
        let target = "\(sshd.user)@127.0.0.1:\(sshd.port)"
        let environment = ["HOME": home.path, "XDG_STATE_HOME": home.file("state")]

        let ok = try BuiltBinary.run(["node", "ssh", target, "echo hello from $(hostname)"], environment: environment)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("hello from "), ok.stdout)

        let failing = try BuiltBinary.run(["node", "ssh", target, "exit 3"], environment: environment)
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("ended with exit 3"), failing.stderr)
    }
}
