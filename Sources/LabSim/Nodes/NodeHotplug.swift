#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a running VM's kernel does when Proxmox takes a disk away (a drive deleted from the
/// config of a running VM is hot-unplugged: `hotplug` includes `disk` by default): the SCSI
/// device goes — its `/sys/block` entry, its `/dev` node and udev's `/dev/disk/by-id` link — while
/// a file system mounted from it stays in `/proc/mounts`, dead: since Linux 6.6 a removed device
/// shuts its ext4 down, and every call on it fails with EIO (`LonghornDiskStat.deviceGone`).
enum NodeHotplug {
    /// Removes the devices of the disks in `slots` (`scsi1`) from the tree at `root`.
    static func unplug(slots: [String], root: String) {
        let fm = FileManager.default
        for slot in slots {
            let link = "\(root)/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-\(slot)"
            guard let target = try? fm.destinationOfSymbolicLink(atPath: link) else { continue }
            let name = String(target.split(separator: "/").last ?? "")
            try? fm.removeItem(atPath: link)
            guard !name.isEmpty else { continue }
            try? fm.removeItem(atPath: "\(root)/sys/block/\(name)")
            try? fm.removeItem(atPath: "\(root)/dev/\(name)")
        }
    }
}
