import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What longhorn-manager's disk monitor reads with statfs(2) on a node's disk path
/// (go-common-libs `GetDiskStat`: storageMaximum = f_blocks × f_bsize, storageAvailable =
/// f_bavail × f_bsize), from the simulated node's tree: the file system mounted at the path (the
/// longest mount point above it in `proc/mounts`), sized from its disk in `sys/block`. ext4's
/// statfs leaves out its inode tables (256 bytes per 16 KiB, 1/64), and f_bavail the 5% reserved
/// for root; the cloud image's root partition is its disk less the 1 GiB of /boot and the ESP.
struct LonghornDiskStat: Sendable, Equatable {
    var storageMaximum: Int64
    var storageAvailable: Int64
    /// As Longhorn names statfs's magic: `ext2/ext3` for ext4's 0xEF53.
    var filesystemType: String
    /// The device mounted there (`/dev/sdb`).
    var source: String

    /// What the disk monitor finds at a path.
    enum Probe: Equatable {
        case disk(LonghornDiskStat)
        /// The file system holding the path is still mounted from a disk that is gone
        /// (`NodeHotplug`): every call on it fails with EIO.
        case deviceGone
        /// Nothing there says what it is.
        case none
    }

    /// The disk at `path` on the node whose tree is `root`, from one read of its `proc/mounts`.
    static func probe(root: String, path: String) -> Probe {
        guard let mount = mount(root: root, path: path) else { return .none }
        let device = String(mount[0].dropFirst(5))
        let disk = String(device.prefix { !$0.isNumber })
        guard FileManager.default.fileExists(atPath: "\(root)/sys/block/\(disk)") else { return .deviceGone }
        return LonghornDiskStat(mount: mount, device: device, disk: disk, root: root).map(Probe.disk) ?? .none
    }

    private init?(mount: [String], device: String, disk: String, root: String) {
        guard
            let text = try? String(contentsOfFile: "\(root)/sys/block/\(disk)/size", encoding: .utf8),
            let sectors = Int64(text.filter { !$0.isWhitespace })
        else { return nil }
        let bytes = sectors * 512 - (device == disk ? 0 : 1 << 30)
        let blocks = (bytes - bytes / 64) / 4096
        storageMaximum = blocks * 4096
        storageAvailable = (blocks - blocks / 20) * 4096
        filesystemType = mount[2].hasPrefix("ext") ? "ext2/ext3" : mount[2]
        source = mount[0]
    }

    /// The `/proc/mounts` line (split in fields) of the device file system holding `path`.
    private static func mount(root: String, path: String) -> [String]? {
        guard let mounts = try? String(contentsOfFile: root + "/proc/mounts", encoding: .utf8) else { return nil }
        let wanted = path.hasSuffix("/") ? path : path + "/"
        let mount = mounts.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 3 && wanted.hasPrefix($0[1] == "/" ? "/" : $0[1] + "/") }
            .max { $0[1].count < $1[1].count }
        guard let mount, mount[0].hasPrefix("/dev/") else { return nil }
        return mount
    }

}
