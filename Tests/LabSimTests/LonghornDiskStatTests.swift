import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import LabSim

/// What Longhorn's disk monitor reads at /var/lib/longhorn: the OS disk's root file system until
/// the data disk is mounted there, then the data disk.
final class LonghornDiskStatTests: XCTestCase {
    /// The disk `probe` finds at `path` (nil for a device gone or nothing there).
    private static func disk(_ root: String, _ path: String) -> LonghornDiskStat? {
        if case .disk(let found) = LonghornDiskStat.probe(root: root, path: path) { return found }
        return nil
    }

    func testTheDataDiskOnceMountedReplacesTheOSDisk() throws {
        let directory = try TemporaryDirectory("hlsh-diskstat")
        let root = try SimulatedNodeRoot.install(at: directory.path + "/root")
        let onOS = try XCTUnwrap(Self.disk(root.path, "/var/lib/longhorn/"))
        XCTAssertEqual(onOS.source, "/dev/sda1")
        let os: Int64 = (50 << 30) - (1 << 30)
        XCTAssertEqual(onOS.storageMaximum, (os - os / 64) / 4096 * 4096)
        let mounts = try XCTUnwrap(String(contentsOfFile: root.path + "/proc/mounts", encoding: .utf8))
        try root.write(
            "proc/mounts", Array((mounts + "/dev/sdb /var/lib/longhorn ext4 rw,relatime 0 0\n").utf8), mode: 0o644)
        let onData = try XCTUnwrap(Self.disk(root.path, "/var/lib/longhorn/"))
        XCTAssertEqual(onData.source, "/dev/sdb")
        let data: Int64 = 100 << 30
        XCTAssertEqual(onData.storageMaximum, (data - data / 64) / 4096 * 4096)
        XCTAssertEqual(onData.storageAvailable, (data - data / 64) / 4096 * 19 / 20 * 4096)
        XCTAssertEqual(onData.filesystemType, "ext2/ext3")
    }

    /// Proxmox taking the data disk from the running VM: its devices go, its file system stays
    /// mounted at /var/lib/longhorn, dead, and statfs there no longer gives a disk.
    func testADiskUnpluggedUnderItsMountIsGone() throws {
        let directory = try TemporaryDirectory("hlsh-diskstat")
        let root = try SimulatedNodeRoot.install(at: directory.path + "/root")
        let mounts = try XCTUnwrap(String(contentsOfFile: root.path + "/proc/mounts", encoding: .utf8))
        try root.write(
            "proc/mounts", Array((mounts + "/dev/sdb /var/lib/longhorn ext4 rw,relatime 0 0\n").utf8), mode: 0o644)
        XCTAssertEqual(Self.disk(root.path, "/var/lib/longhorn/")?.source, "/dev/sdb")
        NodeHotplug.unplug(slots: ["scsi1"], root: root.path)
        XCTAssertEqual(LonghornDiskStat.probe(root: root.path, path: "/var/lib/longhorn/"), .deviceGone)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/dev/sdb"))
        XCTAssertNotNil(Self.disk(root.path, "/var/lib/rancher/"), "the OS disk stays")
    }
}
