public import Inventory

/// What `disks.sh` prepares on one node: the inventory's data disk (`data_disk` with
/// `data_mount`), found by the name its bus and slot give it, never by kernel name (`sdb` may
/// change between boots).
public struct DataDiskParameters: Sendable, Equatable {
    /// The node's name, for the script's messages.
    public var node: String
    /// `/dev/disk/by-id/…` of the disk; nil: the inventory declares none to prepare.
    public var device: String?
    /// Where it is mounted (`/var/lib/longhorn`).
    public var mount: String?
    /// The ext4 label that marks the file system as made by hlsh.
    public var label: String

    /// The slot `vm apply` allocates the data disk in (`scsi1` on the `virtio-scsi-single`
    /// controller), and the name udev gives a QEMU SCSI disk in it.
    public static let slot = "scsi1"
    public static let device = "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-" + slot
    /// At most 16 bytes (an ext4 label's limit).
    public static let label = "hlsh-data"

    public init(node: String, device: String?, mount: String?, label: String = DataDiskParameters.label) {
        self.node = node
        self.device = device
        self.mount = mount
        self.label = label
    }

    /// The data disk of `vm`, when it has one with a `data_mount`.
    public init(vm: VMSpec) {
        let declared = vm.dataDisk != nil && vm.dataMount != nil
        self.init(node: vm.name, device: declared ? Self.device : nil, mount: declared ? vm.dataMount : nil)
    }

    var assignments: [(name: String, value: String)] {
        [
            ("HLSH_NODE", node), ("HLSH_DATA_DEVICE", device ?? ""), ("HLSH_DATA_MOUNT", mount ?? ""),
            ("HLSH_DATA_LABEL", label),
        ]
    }
}
