import Foundation
import HLSCore
import LabSim
import Synchronization
import TestSupport
import XCTest

/// The simulated VMs are reachable with a real OpenSSH client through the ssh_config the
/// simulator writes, and their SSH servers follow the guests' power state.
final class SimulatedNodesTests: XCTestCase {
    private final class Guests: Sendable {
        let list: Mutex<[SimulatedGuest]>
        init(_ guests: [SimulatedGuest]) { list = Mutex(guests) }
        func update(_ body: (inout [SimulatedGuest]) -> Void) { list.withLock { body(&$0) } }
    }

    private func makeKey(_ dir: TemporaryDirectory) throws -> (path: String, publicKey: String) {
        let path = dir.file("id_ed25519")
        let made = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])
        XCTAssertEqual(made.status, 0, made.stderr)
        return (
            path,
            try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    private func ssh(_ nodes: SimulatedNodes, key: String, _ host: String, _ command: String) throws -> ProcessResult {
        try spawnAndWait(
            "/usr/bin/ssh",
            [
                "-F", nodes.sshConfigPath, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=10", host, command,
            ])
    }

    private func guest(booted: Bool, key: String, instance: String = "a") -> SimulatedGuest {
        SimulatedGuest(
            vmid: 201, name: "k3s-cp-01", node: "pve1", booted: booted, address: "192.168.10.21", user: "ubuntu",
            authorizedKeys: [key], instance: instance)
    }

    /// One booted guest (k3s-cp-01 at 192.168.10.21) whose cloud-init key is `key`.
    private func startOneNode() throws -> (
        TemporaryDirectory, (path: String, publicKey: String), Guests, SimulatedNodes
    ) {
        let dir = try TemporaryDirectory("hlsh-simnodes")
        let key = try makeKey(dir)
        let guests = Guests([guest(booted: true, key: key.publicKey)])
        let nodes = SimulatedNodes(directory: dir.file("lab")) { guests.list.withLock { $0 } }
        try nodes.reconcile()
        return (dir, key, guests, nodes)
    }

    func testABootedGuestIsReachableByNameAndAddressWithItsTreeAsRoot() throws {
        let (dir, key, _, nodes) = try startOneNode()
        defer { withExtendedLifetime(dir) { nodes.stop() } }
        XCTAssertEqual(nodes.failures, [:])

        let byName = try ssh(nodes, key: key.path, "k3s-cp-01", "hostname; touch /marker; echo \"${HLSH_ROOT-unset}\"")
        XCTAssertEqual(byName.status, 0, byName.stderr)
        XCTAssertEqual(byName.stdout, "k3s-cp-01\nunset\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: nodes.root(of: "k3s-cp-01") + "/marker"))
        let byAddress = try ssh(nodes, key: key.path, "192.168.10.21", "true")
        XCTAssertEqual(byAddress.status, 0, byAddress.stderr)
        let known = try String(contentsOfFile: nodes.knownHostsPath, encoding: .utf8)
        XCTAssertTrue(known.contains("ssh-ed25519"), "first contact records the host key: \(known)")
    }

    func testStoppingAGuestStopsItsServerAndRecreatingItGivesAFreshRoot() throws {
        let (dir, key, guests, nodes) = try startOneNode()
        defer { withExtendedLifetime(dir) { nodes.stop() } }
        let root = nodes.root(of: "k3s-cp-01")
        XCTAssertEqual(try ssh(nodes, key: key.path, "k3s-cp-01", "touch /marker").status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/marker"))

        guests.update { $0[0].booted = false }
        try nodes.reconcile()
        XCTAssertNil(nodes.port(of: "k3s-cp-01"))
        let config = try String(contentsOfFile: nodes.sshConfigPath, encoding: .utf8)
        XCTAssertFalse(config.contains("Host k3s-cp-01"), config)

        guests.update { $0[0].booted = true }
        try nodes.reconcile()
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/marker"), "a reboot keeps the disk")

        guests.update { $0[0].instance = "b" }
        try nodes.reconcile()
        XCTAssertNotNil(nodes.port(of: "k3s-cp-01"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/marker"), "a new VM has a new disk")
    }

    func testOnlyTheKeysCloudInitInstalledAreAccepted() throws {
        let (dir, _, _, nodes) = try startOneNode()
        defer { withExtendedLifetime(dir) { nodes.stop() } }
        let other = try TemporaryDirectory("hlsh-simnodes-other")
        let stranger = try makeKey(other)
        let refused = try ssh(nodes, key: stranger.path, "k3s-cp-01", "true")
        XCTAssertEqual(refused.status, 255)
        XCTAssertTrue(refused.stderr.contains("Permission denied"), refused.stderr)
    }
}
