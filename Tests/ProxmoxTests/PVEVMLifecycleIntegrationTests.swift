import Foundation
import HLSCore
import HLSTransport
import LabSim
import TestSupport
import XCTest

@testable import Proxmox

/// What `hlsh apply` does to one VM, end to end against the lab simulator: clone the template,
/// configure it, grow its disk, boot it, read its address, shut it down and destroy it.
final class PVEVMLifecycleIntegrationTests: XCTestCase {
    private let poll = Duration.milliseconds(100)

    /// A task that ends quickly is seen ending soon after, not a whole interval later: the
    /// polls start 50 ms apart and double up to the interval (a config task on PVE often ends
    /// in a tenth of `vm apply`'s 500 ms).
    func testAShortTaskIsSeenEndingLongBeforeThePollInterval() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let clone = try client.clone(node: "pve1", template: 9000, name: "quick", storage: "local-lvm")
        let cloned = try client.waitTask(clone.upid, timeout: .seconds(30), every: .seconds(5))
        XCTAssertEqual(cloned.exitStatus, "OK")
        XCTAssertLessThan(
            cloned.elapsed, .seconds(2), "a \(lab.config.timings.cloneDuration) s clone waited for with a 5 s interval")
    }

    func testCloneConfigureResizeBootAndDestroyAVM() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()

        // The template, found by id and by name.
        let template = try client.resolveVM("9000")
        XCTAssertEqual(template.node, "pve1")
        XCTAssertTrue(template.isTemplate)
        let ambiguous = assertHLSError(try client.resolveVM("ubuntu-2404-cloud"))
        XCTAssertTrue(ambiguous?.message.contains("ambiguous") ?? false)
        XCTAssertTrue(ambiguous?.hint?.contains("9000 on pve1") ?? false, "\(String(describing: ambiguous))")
        XCTAssertTrue(ambiguous?.hint?.contains("9001 on pve2") ?? false)

        // Clone.
        let free = try client.nextID()
        XCTAssertGreaterThanOrEqual(free, 100)
        let clone = try client.clone(
            node: "pve1", template: 9000, name: "k3s-server-1", storage: "local-lvm", pool: "homelab",
            description: "made by hlsh's tests")
        XCTAssertEqual(clone.vmid, free)
        XCTAssertEqual(clone.upid.type, "qmclone")
        XCTAssertEqual(clone.upid.node, "pve1")
        XCTAssertEqual(clone.upid.user, "root@pam!hlsh")
        var polls: [(Duration, String)] = []
        let cloned = try client.waitTask(clone.upid, timeout: .seconds(30), every: poll) { polls.append(($0, $1.text)) }
        XCTAssertEqual(cloned.exitStatus, "OK")
        XCTAssertEqual(cloned.warnings, 0)
        XCTAssertEqual(polls.last?.1, "OK")
        let vmid = clone.vmid

        // Configure: CPU, memory, a data disk, cloud-init network and user, agent, tags.
        let before = try client.config(node: "pve1", vmid: vmid)
        XCTAssertEqual(before["name"], "k3s-server-1")
        let digest = try XCTUnwrap(before.digest)
        let keys = [PVEFormEncodingTests.laptopKey, PVEFormEncodingTests.deskKey]
        let configured = try client.updateConfig(
            node: "pve1", vmid: vmid,
            set: [
                ("cores", "4"), ("memory", "4096"), ("scsihw", "virtio-scsi-single"),
                ("scsi1", "local-lvm:10,iothread=1,discard=on"), ("ipconfig0", "ip=10.0.0.10/24,gw=10.0.0.1"),
                ("nameserver", "10.0.0.1"), ("searchdomain", "home.arpa"), ("ciuser", "ubuntu"),
                ("sshkeys", keys.joined(separator: "\n")), ("ciupgrade", "0"), ("agent", "1"), ("onboot", "1"),
                ("tags", "k3s;server"),
            ],
            digest: digest, async: true)
        try client.waitTask(try XCTUnwrap(configured), timeout: .seconds(30), every: poll)
        let after = try client.config(node: "pve1", vmid: vmid)
        XCTAssertEqual(after["cores"], "4")
        XCTAssertEqual(after["memory"], "4096")
        XCTAssertEqual(after["ipconfig0"], "ip=10.0.0.10/24,gw=10.0.0.1")
        XCTAssertEqual(after["nameserver"], "10.0.0.1")
        XCTAssertEqual(after["ciuser"], "ubuntu")
        XCTAssertEqual(after["ciupgrade"], "0")
        XCTAssertEqual(after["agent"], "1")
        XCTAssertEqual(after["onboot"], "1")
        XCTAssertEqual(after.sshKeys, keys, "PVE stored exactly the keys sent")
        XCTAssertEqual(after.diskSize("scsi1"), 10 << 30, after["scsi1"] ?? "no scsi1")
        XCTAssertTrue(after["scsi1"]?.hasPrefix("local-lvm:vm-\(vmid)-disk-") ?? false, after["scsi1"] ?? "")
        XCTAssertNotEqual(after.digest, digest)

        // A synchronous change, and a deletion.
        XCTAssertNil(
            try client.updateConfig(
                node: "pve1", vmid: vmid, set: [("description", "k3s server #1")], delete: ["searchdomain"]))
        let synced = try client.config(node: "pve1", vmid: vmid)
        XCTAssertEqual(synced["description"], "k3s server #1")
        XCTAssertNil(synced["searchdomain"])

        // Grow the OS disk; the same size is a no-op, a smaller one is refused before sending.
        let resized = try client.resize(node: "pve1", vmid: vmid, disk: "scsi0", size: "50G")
        if let resized { try client.waitTask(resized, timeout: .seconds(30), every: poll) }
        XCTAssertEqual(try client.config(node: "pve1", vmid: vmid).diskSize("scsi0"), 50 << 30)
        XCTAssertNil(try client.resize(node: "pve1", vmid: vmid, disk: "scsi0", size: "50G"))
        let shrink = assertHLSError(try client.resize(node: "pve1", vmid: vmid, disk: "scsi0", size: "20G"))
        XCTAssertTrue(
            shrink?.message.hasPrefix("refusing to shrink scsi0 of VM \(vmid) from 50G to 20G") ?? false,
            "\(String(describing: shrink))")
        let grown = try client.resize(node: "pve1", vmid: vmid, disk: "scsi1", size: "+2G")
        if let grown { try client.waitTask(grown, timeout: .seconds(30), every: poll) }
        XCTAssertEqual(try client.config(node: "pve1", vmid: vmid).diskSize("scsi1"), 12 << 30)
        XCTAssertEqual(
            assertHLSError(try client.resize(node: "pve1", vmid: vmid, disk: "scsi7", size: "5G"))?.message,
            "VM \(vmid) has no disk scsi7")

        // The cluster view.
        let listed = try XCTUnwrap(try client.vmResources().first { $0.vmid == vmid })
        XCTAssertEqual(listed.name, "k3s-server-1")
        XCTAssertEqual(listed.node, "pve1")
        XCTAssertFalse(listed.isTemplate)
        XCTAssertEqual(listed.tags, ["k3s", "server"])
        XCTAssertEqual(try client.resolveVM("k3s-server-1").vmid, vmid)
        let unknown = assertHLSError(try client.resolveVM("k3s-server"))
        XCTAssertTrue(unknown?.hint?.contains("'k3s-server-1'") ?? false, "\(String(describing: unknown))")

        // Generated cloud-init.
        let network = try client.cloudInitDump(node: "pve1", vmid: vmid, type: .network)
        XCTAssertTrue(network.contains("10.0.0.10"), network)
        let user = try client.cloudInitDump(node: "pve1", vmid: vmid, type: .user)
        XCTAssertTrue(user.contains("ubuntu"), user)
        XCTAssertTrue(user.contains("AAAAC3NzaC1lZDI1NTE5AAAAIG+oNt+boyIraaK+nqU7dprUyuQ4Yye4lPkvEZwEKoLN"), user)

        // Boot; the agent answers after the boot delay with the ipconfig0 address.
        let started = try XCTUnwrap(try client.start(node: "pve1", vmid: vmid))
        XCTAssertEqual(started.type, "qmstart")
        try client.waitTask(started, timeout: .seconds(30), every: poll)
        let status = try client.currentStatus(node: "pve1", vmid: vmid)
        XCTAssertTrue(status.isRunning)
        XCTAssertEqual(status.name, "k3s-server-1")
        XCTAssertTrue(status.agent)
        let again = try client.start(node: "pve1", vmid: vmid)
        if let again { try client.waitTask(again, timeout: .seconds(30), every: poll) }
        var notReady: [String] = []
        let addresses = try eventually(timeout: 20) { () throws -> [PVEGuestAddress]? in
            switch try client.agentInterfaces(node: "pve1", vmid: vmid) {
            case .notReady(let why):
                notReady.append(why)
                return nil
            case .ready(let interfaces):
                XCTAssertFalse(interfaces.contains { $0.name == "lo" })
                let addresses = PVEGuestAgentAnswer.ready(interfaces).ipv4Addresses
                return addresses.isEmpty ? nil : addresses
            }
        }
        XCTAssertEqual(addresses?.map(\.description), ["10.0.0.10/24"], "not ready: \(notReady)")
        XCTAssertFalse(addresses?.contains { $0.address.hasPrefix("fe80") || $0.address.hasPrefix("127.") } ?? true)

        // A running VM cannot be destroyed: PVE's words, verbatim.
        let running = assertHLSError(try client.destroy(node: "pve1", vmid: vmid))
        XCTAssertEqual(running?.message, "VM \(vmid) is running - destroy failed")
        XCTAssertEqual(running?.place, .request(method: "DELETE", url: "/nodes/pve1/qemu/\(vmid)"))

        // Shut down (ACPI), start again, stop (hard), destroy.
        try client.waitTask(
            try client.shutdown(node: "pve1", vmid: vmid, timeout: 30), timeout: .seconds(60), every: poll)
        XCTAssertEqual(try client.currentStatus(node: "pve1", vmid: vmid).status, "stopped")
        if let start = try client.start(node: "pve1", vmid: vmid) {
            try client.waitTask(start, timeout: .seconds(30), every: poll)
        }
        try client.waitTask(
            try client.reboot(node: "pve1", vmid: vmid, timeout: 30), timeout: .seconds(60), every: poll)
        XCTAssertTrue(try client.currentStatus(node: "pve1", vmid: vmid).isRunning)
        let stopped = try client.stop(node: "pve1", vmid: vmid)
        XCTAssertEqual(stopped.type, "qmstop")
        try client.waitTask(stopped, timeout: .seconds(30), every: poll)
        XCTAssertFalse(try client.currentStatus(node: "pve1", vmid: vmid).isRunning)
        let destroyed = try client.destroy(node: "pve1", vmid: vmid)
        XCTAssertEqual(destroyed.type, "qmdestroy")
        try client.waitTask(destroyed, timeout: .seconds(30), every: poll)
        XCTAssertNil(try client.vmResources().first { $0.vmid == vmid })
        let gone = assertHLSError(try client.resolveVM(String(vmid)))
        XCTAssertEqual(gone?.message, "no VM with VMID \(vmid) in the cluster")
    }

    func testAFixedIDAndAnotherNode() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let clone = try client.clone(node: "pve2", template: 9001, newID: 4242, name: "k3s-agent-1")
        XCTAssertEqual(clone.vmid, 4242)
        XCTAssertEqual(clone.upid.node, "pve2")
        try client.waitTask(clone.upid, timeout: .seconds(30), every: poll)
        let ref = try client.resolveVM("k3s-agent-1")
        XCTAssertEqual(ref.node, "pve2")
        XCTAssertEqual(ref.vmid, 4242)
        XCTAssertEqual(ref.status, "stopped")

        // The id is taken now: a fixed id is never changed.
        let taken = assertHLSError(try client.clone(node: "pve2", template: 9001, newID: 4242, name: "k3s-agent-2"))
        XCTAssertTrue(taken?.message.contains("already exists") ?? false, "\(String(describing: taken))")
        XCTAssertEqual(taken?.place, .request(method: "POST", url: "/nodes/pve2/qemu/9001/clone"))
        // nextid?vmid= of a taken id is a 400 on vmid.
        let nextTaken = assertHLSError(try client.nextID(preferred: 4242))
        XCTAssertTrue(nextTaken?.message.contains("vmid:") ?? false, "\(String(describing: nextTaken))")

        let underscore = assertHLSError(try client.clone(node: "pve2", template: 9001, name: "k3s_agent"))
        XCTAssertEqual(underscore?.kind, .usage)
    }

    func testRawSSHKeysAreRefusedByPVEAndTheErrorNamesTheField() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let clone = try client.clone(node: "pve1", template: 9000, name: "raw-keys")
        try client.waitTask(clone.upid, timeout: .seconds(30), every: poll)
        // Sent once-encoded only (as a naive client would), through the plain PUT.
        let error = assertHLSError(
            try client.put("/nodes/pve1/qemu/\(clone.vmid)/config", form: [("sshkeys", PVEFormEncodingTests.laptopKey)])
        )
        XCTAssertTrue(
            error?.message.hasPrefix("Parameter verification failed.") ?? false, "\(String(describing: error))")
        XCTAssertTrue(
            error?.message.contains("sshkeys: invalid format - invalid urlencoded string") ?? false,
            "\(String(describing: error))")
        // A value that breaks a range check.
        let memory = assertHLSError(try client.updateConfig(node: "pve1", vmid: clone.vmid, set: [("memory", "8")]))
        XCTAssertTrue(memory?.message.contains("memory: ") ?? false, "\(String(describing: memory))")
    }
}
