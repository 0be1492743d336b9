import Foundation
import HLSCore
import LabSim
import Remote
import TestSupport
import XCTest

/// `k3s.sh` run for real by dash on simulated nodes, with the simulated get.k3s.io installer.
final class K3sScriptTests: XCTestCase {
    static let server = K3sParameters(
        role: .server, version: "v1.31.4+k3s1", nodeIP: "192.168.10.21", tlsSANs: ["k3s-cp-01", "192.168.10.21"])

    func testServerInstallsOnceAndARerunRestartsNothing() throws {
        let node = try SimulatedNode()
        let first = try node.run(.k3s(Self.server))
        XCTAssertRun(first.status == 0, first, "install failed")
        XCTAssertEqual(first.report.changes.map(\.control), ["k3s.config", "k3s.binary", "k3s.service"])
        let config = try XCTUnwrap(node.read("/etc/rancher/k3s/config.yaml"))
        for line in [
            "node-ip: '192.168.10.21'", "tls-san:\n  - 'k3s-cp-01'\n  - '192.168.10.21'",
            "disable:\n  - traefik", "write-kubeconfig-mode: '0600'", "cluster-cidr: '10.42.0.0/16'",
        ] {
            XCTAssertTrue(config.contains(line + "\n"), "config.yaml lacks \(line):\n\(config)")
        }
        // servicelb gives Traefik's LoadBalancer Service its address: nothing else in the seed does.
        XCTAssertFalse(config.contains("servicelb"), config)
        // A single server keeps SQLite (docs/adr: single server on SQLite).
        XCTAssertFalse(config.contains("cluster-init"), config)
        XCTAssertFalse(config.contains("token:"))
        XCTAssertEqual(try node.mode("/etc/rancher/k3s/config.yaml"), 0o600)
        XCTAssertTrue(node.root.isActive("k3s.service"))
        XCTAssertEqual(try node.mode("/etc/rancher/k3s/k3s.yaml"), 0o600)
        let installs = node.commands().filter { $0.hasPrefix("curl ") }
        XCTAssertEqual(installs.count, 1)
        // The installer of the same release as the binary, not get.k3s.io's newest.
        XCTAssertTrue(
            installs.first?.contains(" https://raw.githubusercontent.com/k3s-io/k3s/v1.31.4+k3s1/install.sh ") == true,
            "\(installs)")

        let mark = node.commands().count
        let second = try node.run(.k3s(Self.server))
        XCTAssertRun(second.status == 0 && second.report.allOK, second, "rerun not all ok")
        XCTAssertEqual(SimulatedNode.mutating(node.commands(since: mark)), ["k3s --version"])

        // The token, read back as a secret.
        let token = try node.run(.k3sToken())
        XCTAssertRun(token.status == 0, token, "token read failed")
        let value = try XCTUnwrap(token.report.k3sToken?.value)
        XCTAssertTrue(value.hasPrefix("K10") && value.contains("::server:"), value)
        XCTAssertFalse(token.report.description.contains(value), "the report prints the token")
    }

    func testNewVersionInstallsAndRestartsOnce() throws {
        let node = try SimulatedNode()
        _ = try node.run(.k3s(Self.server))
        var upgraded = Self.server
        upgraded.version = "v1.32.1+k3s1"
        let mark = node.commands().count
        let run = try node.run(.k3s(upgraded))
        XCTAssertRun(run.status == 0, run, "upgrade failed")
        XCTAssertEqual(run.report.changes.map(\.control), ["k3s.binary", "k3s.service"])
        let commands = node.commands(since: mark)
        XCTAssertEqual(commands.filter { $0.hasPrefix("curl ") }.count, 1)
        XCTAssertEqual(commands.filter { $0 == "systemctl restart --no-block k3s.service" }.count, 1)
        XCTAssertTrue(run.report.controls.contains { $0.detail == "restarted k3s.service (binary changed)" })
        let facts = try node.run(.facts())
        XCTAssertEqual(facts.report.fact("k3s.version"), "v1.32.1+k3s1")
    }

    func testCheckModeChangesNothing() throws {
        let node = try SimulatedNode()
        let before = try node.snapshot()
        let check = try node.run(.k3s(Self.server, checkMode: true))
        XCTAssertRun(check.status == 0, check, "check failed")
        XCTAssertEqual(check.report.changes.count, 3)
        XCTAssertSameTree(try node.snapshot(), before, "the run changed the tree")
        XCTAssertEqual(SimulatedNode.mutating(node.commands()), [])
    }

    /// An agent (and a joining server) gets the token through stdin into config.yaml only: never
    /// in any process's argv or environment, checked on every execve when strace is available.
    func testTheTokenTravelsOnStdinOnly() throws {
        let server = try SimulatedNode()
        _ = try server.run(.k3s(Self.server))
        let token = try XCTUnwrap(try server.run(.k3sToken()).report.k3sToken)

        let agent = try SimulatedNode(machine: Self.agentMachine)
        let parameters = K3sParameters(
            role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22", serverURL: "https://192.168.10.21:6443",
            token: token)
        let script = NodeScript.k3s(parameters)
        XCTAssertFalse(NodeScript.remoteCommand.contains(token.value))
        XCTAssertEqual(script.secrets, [token.value])
        let trace = agent.directory.file("execve.trace")
        let useStrace = FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")
        let run = try agent.run(script, traceTo: useStrace ? trace : nil)
        XCTAssertRun(run.status == 0, run, "agent install failed")
        let config = try XCTUnwrap(agent.read("/etc/rancher/k3s/config.yaml"))
        XCTAssertTrue(config.contains("token: '\(token.value)'\n"))
        XCTAssertTrue(config.contains("server: 'https://192.168.10.21:6443'\n"))
        XCTAssertFalse(config.contains("cluster-init"))
        XCTAssertTrue(agent.root.isActive("k3s-agent.service"))

        let argv = try String(contentsOfFile: agent.root.commandLogPath, encoding: .utf8)
        let environment = try String(contentsOfFile: agent.root.environmentLogPath, encoding: .utf8)
        XCTAssertTrue(argv.contains("k3s-install.sh"), "the installer did not run")
        XCTAssertFalse(argv.contains(token.value), "the token is in a stub's argv")
        XCTAssertFalse(environment.contains(token.value), "the token is in a stub's environment")
        XCTAssertEqual(agent.read("/etc/systemd/system/k3s-agent.service.env"), "")
        if useStrace {
            let traced = try String(contentsOfFile: trace, encoding: .utf8)
            XCTAssertTrue(
                traced.contains("execve(\"/usr/bin/curl\"") || traced.contains("/curl\""), "strace saw nothing")
            XCTAssertFalse(traced.contains(token.value), "the token is in the argv or environment of a process")
        }

        // A rerun restarts nothing.
        let mark = agent.commands().count
        let again = try agent.run(script)
        XCTAssertRun(again.report.allOK, again, "agent rerun not all ok")
        XCTAssertFalse(agent.commands(since: mark).contains { $0.contains("restart") })
    }

    /// An agent whose token the server rejects never reports ready, and systemd would block a
    /// `systemctl start` of its Type=notify unit for ever (TimeoutStartSec=0): the start must not
    /// block, and the failure must come at the deadline with the unit's journal.
    func testAnAgentThatNeverBecomesReadyFailsAtTheDeadlineWithItsJournal() throws {
        let node = try SimulatedNode(machine: Self.agentMachine)
        try node.root.injectFault("k3s-token")
        let parameters = K3sParameters(
            role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22", serverURL: "https://192.168.10.21:6443",
            token: K3sToken("K10wrong::server:wrong"), startTimeout: .seconds(2))
        let clock = ContinuousClock()
        let start = clock.now
        let run = try node.run(.k3s(parameters))
        let elapsed = clock.now - start
        XCTAssertRun(run.status == 1, run, "an agent that never became ready did not fail")
        XCTAssertLessThan(elapsed, .seconds(20), "the start blocked")
        let failure = try XCTUnwrap(run.report.failures.first)
        XCTAssertEqual(failure.control, "k3s.service")
        XCTAssertTrue(failure.detail.contains("activating"), failure.detail)
        XCTAssertTrue(failure.detail.contains("401 Unauthorized"), "no journal lines: \(failure.detail)")
        XCTAssertTrue(run.stderr.contains("serving-kubelet.crt: 401 Unauthorized"), run.stderr)
        XCTAssertThrowsError(try run.report.check(exitStatus: run.status, node: "k3s-wk-01", script: .k3s)) {
            XCTAssertTrue(($0 as? HLSError)?.message.contains("401 Unauthorized") == true, "\($0)")
            XCTAssertFalse("\($0)".contains("server:wrong"), "the refused token is in the error: \($0)")
        }
        XCTAssertFalse(run.stderr.contains("server:wrong") || run.stdout.contains("server:wrong"), run.stderr)
    }

    /// The token lands in config.yaml, and the file that carries it is never readable by others:
    /// not even its temp file between the copy and the chmod.
    func testTheTokenFileIsNeverWiderThan0600() throws {
        let node = try SimulatedNode(machine: Self.agentMachine)
        // A cp that records the mode of what it just wrote, before anything can chmod it.
        let log = node.directory.file("cp-modes.log")
        let spy = "#!/bin/sh\n/bin/cp \"$@\" || exit $?\nfor last; do :; done\nstat -c '%a %n' \"$last\" >>'\(log)'\n"
        try node.root.write("usr/lib/hlsh-sim/bin/cp", Array(spy.utf8), mode: 0o755)
        let parameters = K3sParameters(
            role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22", serverURL: "https://192.168.10.21:6443",
            token: K3sToken("K10secret::server:secret"))
        let run = try node.run(.k3s(parameters))
        XCTAssertRun(run.status == 0, run, "agent install failed")
        let copies = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let config = copies.filter { $0.hasSuffix("/etc/rancher/k3s/.config.yaml.hlsh-new") }
        XCTAssertEqual(config.count, 1, "\(copies)")
        XCTAssertTrue(config.allSatisfy { $0.hasPrefix("600 ") }, "the token file was created as \(config)")
    }

    func testAJoiningNodeNeedsAToken() throws {
        let node = try SimulatedNode(machine: Self.agentMachine)
        let parameters = K3sParameters(
            role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22", serverURL: "https://192.168.10.21:6443")
        let run = try node.run(.k3s(parameters))
        XCTAssertRun(run.status == 2, run, "an agent without a token is not a usage error")
        XCTAssertThrowsError(try run.report.check(exitStatus: run.status, node: "k3s-wk-01", script: .k3s)) {
            XCTAssertEqual(($0 as? HLSError)?.kind, .usage)
        }
    }

    func testUnreachableInstallerFails() throws {
        let node = try SimulatedNode()
        try node.root.injectFault("curl")
        let run = try node.run(.k3s(Self.server))
        XCTAssertRun(run.status == 1, run, "a failed download did not fail")
        XCTAssertTrue(run.report.failures.map(\.control) == ["k3s.binary"], "\(run.report.failures)")
        XCTAssertFalse(node.root.isActive("k3s.service"))
    }

    static var agentMachine: SimulatedNodeRoot.Machine {
        var machine = SimulatedNodeRoot.Machine()
        machine.hostname = "k3s-wk-01"
        machine.address = "192.168.10.22/24"
        return machine
    }
}
