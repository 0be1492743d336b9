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

    /// Only `zero` timings shorten the passes that follow the guests (and the kubelets): every
    /// other preset keeps a real machine's pace; `zero`'s are shortened as its requeues, to a floor.
    func testOnlyZeroTimingsShortenTheNodesPasses() {
        for timings in [PVESimulatorConfig.Timings.proxmox, .demo, .fastTest] {
            XCTAssertEqual(SimulatedNodes.passInterval(requeueScale: timings.requeueScale), .milliseconds(200))
        }
        XCTAssertEqual(
            SimulatedNodes.passInterval(requeueScale: PVESimulatorConfig.Timings.zero.requeueScale), .milliseconds(20))
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

    /// A new boot id only when the machine boots: not when its sshd starts again, and a reboot
    /// asked for just before the VM was stopped does not reboot it again after its next start.
    func testOnlyABootGivesANewBootIDAndALeftoverRebootRequestDiesWithTheStop() throws {
        let (dir, key, guests, nodes) = try startOneNode()
        defer { withExtendedLifetime(dir) { nodes.stop() } }
        let root = nodes.root(of: "k3s-cp-01")
        func bootID() -> String? {
            try? String(contentsOfFile: root + "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        }
        let first = try XCTUnwrap(bootID())
        // The node's sshd (pid 2 in its namespace, under bubblewrap) dies; the next pass starts it again.
        let killed = try ssh(nodes, key: key.path, "k3s-cp-01", "kill 2; sleep 5")
        XCTAssertEqual(killed.status, 255, "the session went down with its sshd: \(killed.stderr)")
        let deadline = Date().addingTimeInterval(10)
        while try ssh(nodes, key: key.path, "k3s-cp-01", "true").status != 0, Date() < deadline {
            try nodes.reconcile()
            usleep(100_000)
        }
        XCTAssertEqual(try ssh(nodes, key: key.path, "k3s-cp-01", "true").status, 0, "sshd is back")
        XCTAssertEqual(bootID(), first, "sshd starting again is no reboot")

        guests.update { $0[0].booted = false }
        try nodes.reconcile()
        let request = root + "/var/lib/hlsh-sim/reboot-requested"
        try FileManager.default.createDirectory(
            atPath: root + "/var/lib/hlsh-sim", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: request, contents: nil))
        guests.update { $0[0].booted = true }
        try nodes.reconcile()
        let second = try XCTUnwrap(bootID())
        XCTAssertNotEqual(second, first, "a VM start is a boot")
        XCTAssertFalse(FileManager.default.fileExists(atPath: request), "the request went with the old boot")
        try nodes.reconcile()
        XCTAssertEqual(try ssh(nodes, key: key.path, "k3s-cp-01", "true").status, 0)
        XCTAssertEqual(bootID(), second, "no reboot after the start")
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
