import Foundation
import LabSim
import Remote
import TestSupport
import XCTest

/// `disks.sh` run for real by dash on a simulated Ubuntu 24.04 node whose second disk sits in
/// `scsi1`, as `vm apply` allocates it.
final class DisksScriptTests: XCTestCase {
    static let parameters = DataDiskParameters(
        node: "k3s-cp-01", device: DataDiskParameters.device, mount: "/var/lib/longhorn")

    func testFirstRunFormatsMountsAndWritesOneFstabLineThenNothingChanges() throws {
        let node = try SimulatedNode()
        let fstabBefore = try XCTUnwrap(node.read("/etc/fstab"))
        let first = try node.run(.disks(Self.parameters))
        XCTAssertRun(first.status == 0 && first.report.otherOutput.isEmpty, first, "first run failed")
        XCTAssertEqual(Set(first.report.changes.map(\.control)), ["data-disk", "fstab", "mount"])
        XCTAssertTrue(node.commands().contains("mkfs.ext4 -q -L hlsh-data \(node.root.path)/dev/sdb"))
        let probe = try runProcess(
            node.root.binDirectory + "/blkid", ["-p", "-o", "export", node.root.path + "/dev/sdb"],
            environment: node.environment)
        XCTAssertTrue(
            probe.stdout.contains("\nLABEL=hlsh-data\n") && probe.stdout.contains("\nTYPE=ext4\n"), probe.stdout)
        let uuid = try XCTUnwrap(probe.stdout.split(separator: "\n").first { $0.hasPrefix("UUID=") })
        let fstab = try XCTUnwrap(node.read("/etc/fstab"))
        XCTAssertEqual(fstab, fstabBefore + "\(uuid) /var/lib/longhorn ext4 defaults,nofail 0 2\n")
        XCTAssertTrue(
            try XCTUnwrap(node.read("/proc/mounts")).contains("\n/dev/sdb /var/lib/longhorn ext4 rw,relatime 0 0\n"))
        XCTAssertTrue(node.commands().contains("systemctl daemon-reload"))

        let mark = node.commands().count
        let before = try node.snapshot()
        let second = try node.run(.disks(Self.parameters))
        XCTAssertRun(second.status == 0 && second.report.allOK, second, "rerun not all ok")
        XCTAssertEqual(SimulatedNode.mutating(node.commands(since: mark)), [], "rerun changed the machine")
        XCTAssertSameTree(try node.snapshot(), before, "rerun changed the tree")
    }

    func testCheckModeWritesNothing() throws {
        let node = try SimulatedNode()
        let before = try node.snapshot()
        let check = try node.run(.disks(Self.parameters, checkMode: true))
        XCTAssertRun(check.status == 0, check, "check failed")
        XCTAssertEqual(check.report.changes.map(\.control), ["data-disk", "fstab", "mount"])
        XCTAssertRun(check.report.changes.allSatisfy { $0.detail.hasPrefix("would ") }, check, "not 'would'")
        XCTAssertSameTree(try node.snapshot(), before, "check mode changed the tree")
        XCTAssertEqual(SimulatedNode.mutating(node.commands()), [], "check mode ran a changing command")
    }

    func testADiskHoldingAFileSystemIsRefusedAndLeftAlone() throws {
        let node = try SimulatedNode()
        try node.root.injectDiskContents(
            "sdb", ["UUID=0d5e3c1a-58b4-4bb1-9a4c-3b1f0e2d7c6a", "BLOCK_SIZE=512", "TYPE=xfs", "USAGE=filesystem"])
        let before = try node.snapshot()
        let run = try node.run(.disks(Self.parameters))
        XCTAssertRun(run.status == 1, run, "a disk with a file system was not refused")
        let failure = try XCTUnwrap(run.report.failures.first)
        XCTAssertEqual(failure.control, "data-disk")
        for part in ["k3s-cp-01", "/dev/sdb", DataDiskParameters.device, "TYPE=xfs", "wipefs"] {
            XCTAssertRun(failure.detail.contains(part), run, "the refusal does not name \(part)")
        }
        XCTAssertSameTree(try node.snapshot(), before, "the refused disk's node changed")
        XCTAssertFalse(node.commands().contains { $0.hasPrefix("mkfs") || $0.hasPrefix("mount") })
    }

    func testADiskWithAPartitionTableIsRefused() throws {
        let node = try SimulatedNode()
        try node.root.injectDiskContents("sdb", ["PTUUID=2b9f6c1e-0a4d-4e57-8d3c-5f1a2b3c4d5e", "PTTYPE=gpt"])
        let run = try node.run(.disks(Self.parameters))
        XCTAssertRun(run.status == 1 && run.report.failures.first?.detail.contains("PTTYPE=gpt") == true, run, "")
        XCTAssertEqual(node.read("/dev/sdb"), "PTUUID=2b9f6c1e-0a4d-4e57-8d3c-5f1a2b3c4d5e\nPTTYPE=gpt\n")
    }

    /// The inventory promises Longhorn a disk the VM lacks: an error naming it, not a silent skip
    /// that would leave Longhorn's replicas on the OS disk.
    func testAVMWithoutTheDataDiskFailsNamingIt() throws {
        var machine = SimulatedNodeRoot.Machine()
        machine.disks = [("sda", 50 << 30, "scsi0")]
        let node = try SimulatedNode(machine: machine)
        let before = try node.snapshot()
        let run = try node.run(.disks(Self.parameters))
        XCTAssertRun(run.status == 1, run, "a missing data disk did not fail")
        let detail = try XCTUnwrap(run.report.failures.first?.detail)
        XCTAssertTrue(
            detail.contains("k3s-cp-01 has no \(DataDiskParameters.device)") && detail.contains("vm apply"), detail)
        XCTAssertSameTree(try node.snapshot(), before, "the node changed")
    }

    func testANodeWithoutADeclaredDataDiskIsOK() throws {
        let node = try SimulatedNode()
        let run = try node.run(.disks(DataDiskParameters(node: "k3s-cp-01", device: nil, mount: nil)))
        XCTAssertRun(run.status == 0 && run.report.allOK, run, "")
        XCTAssertEqual(node.commands().filter { !$0.hasPrefix("sudo ") }, [], "it looked at a disk")
    }

    func testAnotherFstabLineForTheMountPointIsNotDuplicated() throws {
        let node = try SimulatedNode()
        let fstab = try XCTUnwrap(node.read("/etc/fstab")) + "/dev/sdc /var/lib/longhorn xfs defaults 0 2\n"
        try node.root.write("etc/fstab", Array(fstab.utf8), mode: 0o644)
        let run = try node.run(.disks(Self.parameters))
        XCTAssertRun(run.status == 1 && run.report.failures.first?.control == "fstab", run, "")
        XCTAssertEqual(node.read("/etc/fstab"), fstab)
    }
}
