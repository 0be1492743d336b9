import Foundation
import HLSCore
import HLSLanguage
import LabSim
import Remote
import TestSupport
import XCTest

/// Phase 2 on the simulated lab, over SSH to each VM's own sshd: the shipped scripts harden and
/// install k3s for real under the VM's root, a rerun changes nothing, and the join token never
/// shows on a command line or in an environment.
final class NodePhaseTests: XCTestCase {
    func testHardenAndK3sConvergeAndTheTokenStaysOffCommandLines() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let wait = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)

        let first = lab.run("node harden all | where status == \"changed\" | count")
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertGreaterThan(Int(first.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 0, first.out)
        let again = lab.run("node harden all")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("node harden: no change"), again.err)

        let k3s = lab.run("node k3s all")
        XCTAssertEqual(k3s.status, 0, k3s.err)
        let rerun = lab.run("node k3s all")
        XCTAssertTrue(rerun.err.contains("node k3s: no change"), rerun.err)

        let nodes = try XCTUnwrap(lab.nodes)
        let server = SimulatedNodeRoot(path: nodes.root(of: "k3s-cp-01"))
        let agent = SimulatedNodeRoot(path: nodes.root(of: "k3s-wk-01"))
        let token = try String(contentsOfFile: server.path + "/var/lib/rancher/k3s/server/token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(token.isEmpty)
        let agentConfig = try String(contentsOfFile: agent.path + "/etc/rancher/k3s/config.yaml", encoding: .utf8)
        XCTAssertTrue(agentConfig.contains(token), "the agent joined with the server's token")
        XCTAssertTrue(agentConfig.contains("https://192.168.10.21:6443"), agentConfig)
        for root in [server, agent] {
            let argv = root.commandLog().joined(separator: "\n")
            XCTAssertFalse(argv.contains(token), "the token is on no command line")
            let environment = (try? String(contentsOfFile: root.environmentLogPath, encoding: .utf8)) ?? ""
            XCTAssertFalse(environment.contains(token), "the token is in no environment")
        }
        XCTAssertFalse(lab.run("node facts all | to json").out.contains(token))

        let kubeconfig = lab.run("node kubeconfig | get context")
        XCTAssertEqual(kubeconfig.status, 0, kubeconfig.err)
        let config = try String(contentsOfFile: lab.lab.userKubeconfigPath, encoding: .utf8)
        XCTAssertTrue(config.contains("server: https://192.168.10.21:6443"), config)
        XCTAssertTrue(config.contains("current-context: homelab"), config)
        XCTAssertTrue(lab.run("node kubeconfig").err.contains("no change"))
        // --to writes another file, and leaves -o to mean the output format as on every verb.
        let own = lab.home.file("lab.yaml")
        let elsewhere = lab.run("node kubeconfig --to \(own) -o json")
        XCTAssertEqual(elsewhere.status, 0, elsewhere.err)
        XCTAssertTrue(elsewhere.out.contains(#""file": "\#(own)""#), elsewhere.out)
        XCTAssertTrue(try String(contentsOfFile: own, encoding: .utf8).contains("current-context: homelab"))
    }

    /// `node ports` reads each node's loaded firewall (`nft -j list ruleset`): after harden, every
    /// port the stack needs between the nodes passes from the other node; a rule set that drops
    /// node-exporter's 9100 is named, with the address it drops and the rule.
    func testPortsTheStackNeedsPassAfterHardenAndADroppedOneIsNamed() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        XCTAssertEqual(lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms").status, 0)
        let harden = lab.run("node harden all")
        XCTAssertEqual(harden.status, 0, harden.err)

        var json = RunOptions()
        json.output = .json
        let all = lab.run("node ports all", options: json)
        XCTAssertEqual(all.status, 0, all.err)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(all.out.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 2 * NodePorts.needed.count, all.out)
        let closed = rows.filter { $0["status"] as? String != "open" }
        XCTAssertTrue(closed.isEmpty, "dropped after harden: \(closed)")
        XCTAssertTrue(rows.contains { $0["node"] as? String == "k3s-wk-01" && $0["port"] as? String == "9100/tcp" })

        let nodes = try XCTUnwrap(lab.nodes)
        let server = SimulatedNodeRoot(path: nodes.root(of: "k3s-cp-01"))
        let dropping = """
            table inet hlsh {
            \tset nodes { type ipv4_addr; flags interval; elements = { 192.168.10.21, 192.168.10.22 } }
            \tchain input {
            \t\ttype filter hook input priority filter; policy drop;
            \t\tct state established,related accept
            \t\tip saddr @nodes tcp dport 9100 drop
            \t\tip saddr @nodes accept
            \t}
            }

            """
        try server.write("var/lib/hlsh-sim/nft/inet-hlsh", Array(dropping.utf8), mode: 0o644)
        let dropped = lab.run(#"node ports k3s-cp-01 | where status == "dropped" | to json"#)
        XCTAssertEqual(dropped.status, 0, dropped.err)
        let named = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dropped.out.utf8)) as? [[String: Any]])
        XCTAssertEqual(named.map { $0["port"] as? String }, ["9100/tcp"], dropped.out)
        XCTAssertEqual(named.first?["from"] as? [String], ["192.168.10.22"], dropped.out)
        XCTAssertEqual(named.first?["by"] as? [String], ["rule 5 of inet hlsh input"], dropped.out)
    }

    /// Ctrl-C in hlsh while a node script runs over SSH (issue 17's new-user trial left the k3s
    /// token in /tmp/hlsh.XXXXXX/config.yaml): the script, cut off from hlsh, removes its staging
    /// directory when it next reports; one that an earlier run could not remove (killed, holding a
    /// token) is swept by the next run.
    func testAnInterruptedNodeScriptLeavesNoStagingDirectoryAndTheNextRunSweepsAStaleOne() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let wait = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)
        let agent = SimulatedNodeRoot(path: try XCTUnwrap(lab.nodes).root(of: "k3s-wk-01"))
        let tmp = agent.path + "/tmp"
        func staging() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix("hlsh.") }
                .sorted()
        }
        // An apt-daily run holds the lists lock for 3 s: harden waits in its apt loop, then
        // reports the packages (to hlsh, gone by then).
        try agent.injectFault("apt-lists-lock", detail: "3")
        let cancellation = Cancellation()
        let watcher = Thread {
            let deadline = Date(timeIntervalSinceNow: 60)
            while Date() < deadline, !agent.commandLog().contains(where: { $0.hasPrefix("apt-get ") }) {
                Thread.sleep(forTimeInterval: 0.05)
            }
            cancellation.cancel()
        }
        watcher.start()
        let harden = runInProcess(
            "let lab_in_use = (lab use \"\(lab.inventory)\")\nnode harden k3s-wk-01", environment: lab.environment,
            cancellation: cancellation)
        XCTAssertEqual(harden.status, ExitStatus.interrupted.rawValue, harden.err)
        let deadline = Date(timeIntervalSinceNow: 30)
        while !staging().isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(staging(), [], "the interrupted script left its staging directory")

        // A run killed outright (its shell's PID gone) and an old-style one, each with a token.
        let token = "K10c0ffee::server:stale-secret"
        for name in ["hlsh.3999999.StAlE1", "hlsh.Xy12Z9"] {
            try FileManager.default.createDirectory(atPath: "\(tmp)/\(name)", withIntermediateDirectories: false)
            try Data("token: '\(token)'\n".utf8).write(to: URL(fileURLWithPath: "\(tmp)/\(name)/config.yaml"))
        }
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: tmp + "/hlsh.Xy12Z9")
        let again = lab.run("node harden k3s-wk-01")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(staging(), [], "the next run did not sweep what earlier runs left")
    }

    func testDestroyingAVMForgetsItsHostKeySoTheRebuiltOneIsAccepted() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        XCTAssertEqual(lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms").status, 0)
        let nodes = try XCTUnwrap(lab.nodes)
        let port = try XCTUnwrap(nodes.port(of: "k3s-wk-01"))
        let before = try String(contentsOfFile: nodes.knownHostsPath, encoding: .utf8)
        XCTAssertTrue(before.contains("[127.0.0.1]:\(port) "), before)

        let destroyed = lab.run("vm destroy k3s-wk-01 --yes")
        XCTAssertEqual(destroyed.status, 0, destroyed.err)
        XCTAssertTrue(destroyed.err.contains("forgot the host key of k3s-wk-01"), destroyed.err)
        let after = try String(contentsOfFile: nodes.knownHostsPath, encoding: .utf8)
        XCTAssertFalse(after.contains("[127.0.0.1]:\(port) "), after)

        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let rebuilt = lab.run("node wait k3s-wk-01 --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(rebuilt.status, 0, rebuilt.err)
    }
}
