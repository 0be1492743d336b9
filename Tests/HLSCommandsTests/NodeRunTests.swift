import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import Synchronization
import TestSupport
import XCTest

/// `node run` against real OpenSSH servers: fan-out, per-host exit codes, host-key trust, one
/// connection per host for the whole session, and nothing run under --dry-run.
final class NodeRunTests: XCTestCase {
    private var servers: [SSHDFixture] = []
    private var home: TemporaryDirectory!

    override func setUpWithError() throws {
        home = try TemporaryDirectory("hlsh-node")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let key = home.file(".ssh/id_ed25519")
        XCTAssertEqual(try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status, 0)
        for _ in 0..<3 {
            let sshd = try SSHDFixture.start()
            addTeardownBlock { sshd.stop() }
            try sshd.authorize(publicKeyPath: key + ".pub")
            servers.append(sshd)
        }
    }

    private func trustAll() throws {
        try home.write(".ssh/known_hosts", servers.map(\.knownHostsLine).joined(separator: "\n") + "\n", mode: 0o600)
    }

    private var targets: String { servers.map { "\($0.user)@127.0.0.1:\($0.port)" }.joined(separator: ",") }

    /// Runs code in one in-process session (one interpreter, so connections persist between lines).
    /// `environment` adds variables; `cancellation` stands for Ctrl-C; `stderrTTY` makes the
    /// session believe standard error is a terminal (progress output on).
    private func run(
        _ code: String, dryRun: Bool = false, environment: [String: String] = [:],
        cancellation: Cancellation = Cancellation(), stderrTTY: Bool = false,
        then: (ExecutionContext) -> Void = { _ in }
    ) -> (status: Int32, out: String, err: String) {
        let out = Mutex("")
        let err = Mutex("")
        var options = RunOptions()
        options.dryRun = dryRun
        options.output = .json
        let context = ExecutionContext(
            options: options,
            environment: environment.merging(["HOME": home.path, "XDG_STATE_HOME": home.file("state")]) { _, b in b },
            cancellation: cancellation,
            stderrTerminal: stderrTTY ? Terminal(isTTY: true, color: false, width: 80) : .plain,
            out: { t in out.withLock { $0 += t } }, err: { t in err.withLock { $0 += t } })
        let runner = ScriptRunner(
            interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
        let status = runner.run(SourceFile(name: "test.hls", text: code), arguments: [], scriptPath: nil)
        then(context)
        return (status, out.withLock { $0 }, err.withLock { $0 })
    }

    private func logins(_ sshd: SSHDFixture) -> Int {
        sshd.log.components(separatedBy: "Accepted publickey").count - 1
    }

    func testACommandRunsOnEveryTargetWithItsExitCode() throws {
        try trustAll()
        // Only the second server's sessions see the file that makes the command fail.
        try FileManager.default.createDirectory(atPath: servers[1].remoteHome, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: servers[1].remoteHome + "/fail", contents: nil))
        let result = run(#"node run "\#(targets)" 'test -e "$HOME/fail" && exit 3; echo up'"#)
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("1 of 3 nodes failed"), result.err)
        XCTAssertEqual(result.out.components(separatedBy: "\"exit\": 0").count - 1, 2, result.out)
        XCTAssertTrue(result.out.contains("\"exit\": 3"), result.out)
        XCTAssertEqual(result.out.components(separatedBy: "\"stdout\": \"up\"").count - 1, 2, result.out)
    }

    func testOneConnectionPerHostServesTheWholeSession() throws {
        try trustAll()
        let result = run(
            """
            node run "\(targets)" "true"
            node run "\(targets)" "true"
            node run "\(targets)" "echo again"
            """)
        XCTAssertEqual(result.status, 0, result.err)
        for sshd in servers { XCTAssertEqual(logins(sshd), 1, sshd.log) }
    }

    /// A host let in with --accept-new is recorded in known_hosts, so its connection serves
    /// the commands after it that do not say --accept-new: one login per host, not two.
    func testAConnectionMadeWithAcceptNewServesTheCommandsAfterIt() throws {
        let result = run(
            """
            node run "\(targets)" "true" --accept-new
            node run "\(targets)" "echo again"
            """)
        XCTAssertEqual(result.status, 0, result.err)
        for sshd in servers { XCTAssertEqual(logins(sshd), 1, sshd.log) }
    }

    func testClosingTheRunClosesItsConnections() throws {
        try trustAll()
        let result = run(#"node run "\#(targets)" "true""#) { context in
            // The context is still alive here (a connection freed with it says goodbye too):
            // only closing its services can end the connections.
            context.closeServices()
            for sshd in servers {
                let deadline = Date().addingTimeInterval(3)
                while !sshd.log.contains("Received disconnect"), Date() < deadline { usleep(50_000) }
                XCTAssertTrue(sshd.log.contains("hlsh closing the connection"), sshd.log)
            }
        }
        XCTAssertEqual(result.status, 0, result.err)
    }

    func testAnUnknownHostIsRefusedUnlessAcceptNewAndThenRecorded() throws {
        let target = "\(servers[0].user)@127.0.0.1:\(servers[0].port)"
        let refused = run(#"node run "\#(target)" "true""#)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.out.contains("is not known"), refused.out)
        let accepted = run(#"node run "\#(target)" "true" --accept-new"#)
        XCTAssertEqual(accepted.status, 0, accepted.out + accepted.err)
        let known = try String(contentsOfFile: home.file(".ssh/known_hosts"), encoding: .utf8)
        XCTAssertTrue(known.contains("[127.0.0.1]:\(servers[0].port)"), known)
    }

    func testDryRunRunsNothing() throws {
        try trustAll()
        let result = run(#"node run "\#(targets)" 'touch "$HOME/ran"'"#, dryRun: true)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("planned"), result.out)
        for sshd in servers {
            XCTAssertFalse(FileManager.default.fileExists(atPath: sshd.remoteHome + "/ran"))
            XCTAssertEqual(logins(sshd), 0)
        }
    }

    func testAnUnknownNodeNameIsAnErrorWithASuggestion() {
        let result = run(#"node run "k3s-cp-1" "true""#)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("k3s-cp-1 is not a node"), result.err)
    }

    func testASecretInTheCommandReachesTheNodeAsItsTextAndOnNoCommandLine() throws {
        try trustAll()
        let token = "tok-\(UInt32.random(in: 1_000_000...9_999_999))"
        let target = "\(servers[0].user)@127.0.0.1:\(servers[0].port)"
        // The node prints the secret, then every command line on the machine.
        let code = #"let t = (secret env TOK); node run "\#(target)" "echo $t; ps -eo args""#
        let result = run(code, environment: ["TOK": token])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out.components(separatedBy: token).count - 1, 1, result.out)
        XCTAssertTrue(result.out.contains("\"stdout\": \"\(token)\\n"), result.out)
        XCTAssertFalse(result.err.contains(token), result.err)

        // Where people read (the plan of a dry run), the secret is `***`, the rest as written.
        let planned = run(code, dryRun: true, environment: ["TOK": token])
        XCTAssertEqual(planned.status, 0, planned.err)
        XCTAssertTrue(planned.out.contains("echo ***; ps -eo args"), planned.out)
        XCTAssertFalse((planned.out + planned.err).contains(token), planned.out + planned.err)
    }

    func testCtrlCDuringNodeRunIsAnInterruptThatNoTryOrRetryCatches() throws {
        try trustAll()
        let target = "\(servers[0].user)@127.0.0.1:\(servers[0].port)"
        for code in [
            #"node run "\#(target)" "sleep 20""#,
            #"try { node run "\#(target)" "sleep 20" } catch { echo "caught" }"#,
            #"retry 3 { node run "\#(target)" "sleep 20" }"#,
        ] {
            let cancellation = Cancellation()
            DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancellation.cancel() }
            let result = run(code, cancellation: cancellation)
            XCTAssertEqual(result.status, 130, code + "\n" + result.out + result.err)
            XCTAssertFalse(result.out.contains("caught"), result.out)
            XCTAssertFalse(result.err.contains("retry 2/3"), result.err)
            XCTAssertFalse(result.err.contains("unreachable"), result.err)
        }
    }

    func testAFailedRunNamesEachFailureOnceThenOneShortSummary() throws {
        try trustAll()
        try FileManager.default.createDirectory(atPath: servers[1].remoteHome, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: servers[1].remoteHome + "/fail", contents: nil))
        // The targets in a variable, so the error's source excerpt does not name them.
        let result = run(
            #"let nodes = "\#(targets)"\#nnode run $nodes 'test -e "$HOME/fail" && exit 3; echo up'"#, stderrTTY: true)
        XCTAssertEqual(result.status, 1, result.err)
        let everything = result.out + result.err
        XCTAssertEqual(everything.components(separatedBy: ":\(servers[1].port)").count - 1, 1, everything)
        XCTAssertTrue(result.err.contains("node run: 1 of 3 nodes failed"), result.err)
    }
}
