import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import LabSim

/// The stand-in commands inside a simulated node's namespaces: they act on `/` only where the
/// simulator handed the node its proof, and the simulated systemd never starts a host program.
final class NodeNamespaceTests: XCTestCase {
    /// A fresh Ubuntu tree in a temporary directory and the namespace that makes it `/`.
    private func makeNode() throws -> (TemporaryDirectory, SimulatedNodeRoot, NodeNamespace) {
        guard FileManager.default.isExecutableFile(atPath: NodeNamespace.bwrap) else {
            throw XCTSkip("bubblewrap is not installed")
        }
        let dir = try TemporaryDirectory("hlsh-namespace")
        let root = try SimulatedNodeRoot.install(at: dir.file("root"))
        let namespace = NodeNamespace(root: root.path, handedDirectory: dir.file("handed"), hostname: "k3s-cp-01")
        try FileManager.default.createDirectory(atPath: dir.file("handed"), withIntermediateDirectories: true)
        return (dir, root, namespace)
    }

    /// Runs a shell command on the node.
    private func run(_ namespace: NodeNamespace, _ command: String) throws -> ProcessResult {
        let path = "PATH=\(SimulatedNodeRoot.nodeBinDirectory):/usr/bin:/bin"
        return try runProcess(
            NodeNamespace.bwrap, try namespace.arguments(running: ["/usr/bin/env", path, "/bin/sh", "-c", command]))
    }

    func testAStubAtTheNodesOwnPathRunsOnlyOnANodeTheSimulatorHandedItsProof() throws {
        let (dir, _, namespace) = try makeNode()
        defer { withExtendedLifetime(dir) {} }

        let unproven = try run(namespace, "systemctl is-active ssh.service")
        XCTAssertEqual(unproven.status, 99, unproven.stdout + unproven.stderr)
        XCTAssertTrue(unproven.stderr.contains("is not inside a simulated node root; refusing to run"), unproven.stderr)

        try namespace.handOver([])
        let proven = try run(namespace, "systemctl is-active ssh.service")
        XCTAssertEqual(proven.status, 0, proven.stderr)
        XCTAssertEqual(proven.stdout, "active\n")
    }

    func testSystemdRunsTheNodesOwnProgramsButNeverOneOfTheHosts() throws {
        let (dir, root, namespace) = try makeNode()
        defer { withExtendedLifetime(dir) {} }
        try namespace.handOver([])
        try root.write("usr/local/bin/own", Array("#!/bin/sh\ntouch /own-ran\n".utf8), mode: 0o755)
        try root.write(
            "etc/systemd/system/own.service", Array(NodeImage.unit("own", "/usr/local/bin/own").utf8), mode: 0o644)
        try root.write(
            "etc/systemd/system/host.service", Array(NodeImage.unit("host", "/usr/bin/touch /host-ran").utf8),
            mode: 0o644)

        let started = try run(namespace, "systemctl start own.service host.service && systemctl is-active own host")
        XCTAssertEqual(started.status, 0, started.stderr)
        XCTAssertEqual(started.stdout, "active\nactive\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.path + "/own-ran"), "the node's own program ran")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/host-ran"), "the host's touch did not")
    }

    /// `systemctl status`, which `lab doctor` tells people to run: systemd's layout, and its exit
    /// codes (0 running, 3 not, 4 no such unit).
    func testSystemctlStatusSaysWhatSystemdSays() throws {
        let (dir, root, namespace) = try makeNode()
        defer { withExtendedLifetime(dir) {} }
        try namespace.handOver([])
        try root.write("usr/local/bin/own", Array("#!/bin/sh\necho own started\n".utf8), mode: 0o755)
        try root.write(
            "etc/systemd/system/own.service", Array(NodeImage.unit("own", "/usr/local/bin/own").utf8), mode: 0o644)
        let stopped = try run(namespace, "systemctl status own")
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        XCTAssertTrue(stopped.stdout.hasPrefix("○ own.service - "), stopped.stdout)
        XCTAssertTrue(stopped.stdout.contains("\n     Active: inactive (dead)\n"), stopped.stdout)
        let running = try run(namespace, "systemctl enable --now own && systemctl status own.service")
        XCTAssertEqual(running.status, 0, running.stderr)
        XCTAssertTrue(
            running.stdout.contains(
                "     Loaded: loaded (/etc/systemd/system/own.service; enabled; preset: enabled)\n"),
            running.stdout)
        XCTAssertTrue(running.stdout.contains("     Active: active (running)\n\nown started\n"), running.stdout)
        let unknown = try run(namespace, "systemctl status nosuch")
        XCTAssertEqual(unknown.status, 4)
        XCTAssertEqual(unknown.stderr, "Unit nosuch.service could not be found.\n")
    }
}
