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

    func testWithoutATerminalNoPseudoTerminalIsAskedForAndEndOfInputEndsTheShell() throws {
        let (sshd, target, environment) = try fixture()
        // Piped commands run once, without being echoed back by a remote terminal.
        let piped = try runBounded(
            ["node", "ssh", target], stdin: "echo piped-$((20 + 22))\ntty || true\n", environment)
        XCTAssertEqual(piped.status, 0, piped.stderr + sshd.log)
        XCTAssertEqual(piped.stdout, "piped-42\nnot a tty\n", piped.stderr)
        // An empty standard input ends the remote login shell at once.
        let empty = try runBounded(["node", "ssh", target], stdin: nil, environment)
        XCTAssertEqual(empty.status, 0, empty.stderr)
    }

    func testASecretCommandRunsAsItsTextAndOnNoCommandLine() throws {
        let (_, target, environment) = try fixture()
        let token = "tok-\(UInt32.random(in: 1_000_000...9_999_999))"
        let code = #"let t = (secret env TOK); node ssh "\#(target)" "echo $t; ps -eo args""#
        let result = try runBounded(["-c", code], stdin: "", environment.merging(["TOK": token]) { _, b in b })
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix(token + "\n"), result.stdout)
        XCTAssertEqual(result.stdout.components(separatedBy: token).count - 1, 1, result.stdout)
    }

    /// A server, a HOME that trusts it and holds its key, and the target to give `node ssh`.
    private func fixture() throws -> (SSHDFixture, String, [String: String]) {
        let sshd = try SSHDFixture.start()
        addTeardownBlock { sshd.stop() }
        let home = try TemporaryDirectory("hlsh-nodessh")
        addTeardownBlock { _ = home }  // removed with the last reference
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sshd.identityPath, toPath: home.file(".ssh/id_ed25519"))
        try home.write(".ssh/known_hosts", sshd.knownHostsLine + "\n", mode: 0o600)
        return (
            sshd, "\(sshd.user)@127.0.0.1:\(sshd.port)",
            ["HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1"]
        )
    }

    /// Runs the binary under `timeout` (a hang fails the test with status 124 instead of
    /// blocking it); nil `stdin` is /dev/null.
    private func runBounded(_ arguments: [String], stdin: String?, _ environment: [String: String]) throws
        -> ProcessResult
    {
        try runProcess(
            "/usr/bin/timeout", ["20", BuiltBinary.hlsh] + arguments, stdin: stdin,
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, b in b })
    }
}
