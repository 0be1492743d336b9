import Foundation
import HLSCore
import LabSim
import TestSupport
import XCTest

/// What node verbs say on the simulated lab when something stands in the way: a new VM's host
/// key, a missing key file, a first server whose token cannot be read, and what a check would
/// change.
final class NodeContactTests: XCTestCase {
    /// Runs `code` until its output mentions `awaited` (the VMs boot a moment after `vm apply`).
    private func runUntil(_ lab: LabHarness, _ code: String, mentions awaited: String) -> (
        status: Int32, out: String, err: String
    ) {
        var result = lab.run(code)
        for _ in 0..<100 where !(result.out + result.err).contains(awaited) {
            Thread.sleep(forTimeInterval: 0.2)
            result = lab.run(code)
        }
        return result
    }

    /// `node list`'s ssh column says why a node's SSH target cannot be worked out, instead of
    /// a bare `?`: here the VMs have not booted, so their names lead to the inventory's
    /// addresses, which the simulated lab never connects to.
    func testNodeListSaysWhyAnSSHTargetCannotBeResolved() throws {
        let lab = try LabHarness()
        let result = lab.run("node list | where name == \"k3s-cp-01\" | get ssh | to json --compact")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.hasPrefix(#"["? k3s-cp-01 is not reachable in the simulated lab"#), result.out)
        XCTAssertTrue(result.out.contains("192.168.10.21"), result.out)
    }

    func testFirstContactNamesTheNodeShowsTheFingerprintAndSaysHowToAcceptIt() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let nodes = try XCTUnwrap(lab.nodes)
        let result = runUntil(lab, #"node run k3s-cp-01 "uname -a""#, mentions: "host key")
        XCTAssertEqual(result.status, 1, result.err)
        let port = try XCTUnwrap(nodes.port(of: "k3s-cp-01"))
        XCTAssertTrue(result.out.contains("k3s-cp-01: host key of [127.0.0.1]:\(port) is not known"), result.out)
        XCTAssertTrue(result.out.contains("SHA256:"), result.out)
        XCTAssertTrue(result.err.contains("--accept-new"), result.err)
        XCTAssertTrue(result.err.contains(nodes.knownHostsPath), result.err)
    }

    func testAMissingKeyFileSaysWhichKeysWereTriedAndThatNoAgentWasAsked() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        try FileManager.default.removeItem(atPath: lab.home.file(".ssh/id_ed25519"))
        let result = runUntil(lab, #"node run k3s-cp-01 "true" --accept-new"#, mentions: "authentication")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.out.contains("k3s-cp-01: authentication failed"), result.out)
        XCTAssertTrue(result.err.contains(lab.home.file(".ssh/id_ed25519") + " (no such file)"), result.err)
        XCTAssertTrue(result.err.contains("no ssh-agent"), result.err)
    }

    func testAFirstServerWhoseTokenCannotBeReadFailsTheJoinWithTheCause() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let wait = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)
        let nodes = try XCTUnwrap(lab.nodes)
        let server = nodes.root(of: "k3s-cp-01") + "/var/lib/rancher/k3s/server"
        try FileManager.default.createDirectory(atPath: server, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: server + "/token", contents: nil))
        let join = lab.run("node k3s k3s-wk-01")
        XCTAssertEqual(join.status, 1, join.err)
        XCTAssertTrue(join.err.contains("token is empty"), join.err)
    }

    func testAnUnknownHostKeyEndsTheWaitAtOnceWithExitOneNotUsage() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        // The VM boots a moment after the apply: until it answers, the wait keeps trying; then
        // the host key nobody accepted ends it, as a refusal (1), not a usage error (2).
        let clock = ContinuousClock()
        let start = clock.now
        let wait = lab.run("node wait k3s-cp-01 --for ssh --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 1, wait.err)
        XCTAssertLessThan(clock.now - start, .seconds(50), "waited for a refusal: \(wait.err)")
        XCTAssertTrue(wait.err.contains("--accept-new"), wait.err)
    }

    /// `node wait --for ssh` logs in to every node at once, so a node that is not up holds up
    /// none of the others. Only k3s-wk-01 runs here: the wait times out naming k3s-cp-01 alone,
    /// and k3s-wk-01 was let in meanwhile (--accept-new recorded its key), which a wait for one
    /// node after the other never reaches.
    func testWaitForSSHTriesEveryNodeAtOnceAndTheTimeoutNamesOnlyTheLateOnes() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply k3s-wk-01").status, 0)
        let nodes = try XCTUnwrap(lab.nodes)
        // Its sshd answers (with a key nobody accepted yet).
        let contact = runUntil(lab, #"node run k3s-wk-01 "true""#, mentions: "host key")
        XCTAssertTrue(contact.out.contains("host key"), contact.out + contact.err)
        let wait = lab.run("node wait all --for ssh --accept-new --timeout 3s --every 200ms")
        XCTAssertEqual(wait.status, 1, wait.err)
        XCTAssertTrue(wait.err.contains("node wait: k3s-cp-01 is not ready (ssh)"), wait.err)
        XCTAssertFalse(wait.err.contains("k3s-wk-01 is not ready"), wait.err)
        let port = try XCTUnwrap(nodes.port(of: "k3s-wk-01"))
        let known = try String(contentsOfFile: nodes.knownHostsPath, encoding: .utf8)
        XCTAssertTrue(known.contains("[127.0.0.1]:\(port)"), known)
    }

    func testACheckSaysWouldChangeNotChanged() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let wait = lab.run("node wait k3s-cp-01 --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)
        let check = lab.run(#"node harden k3s-cp-01 --check | get status | to json"#)
        XCTAssertEqual(check.status, 0, check.err)
        XCTAssertTrue(check.out.contains("\"would change\""), check.out)
        XCTAssertFalse(check.out.contains("\"changed\""), check.out)
    }
}
