public import HLSCore
import HLSTransport

extension PVEClient {
    /// Grows a disk (`PUT /nodes/{node}/qemu/{vmid}/resize`): `size` absolute (`50G`) or
    /// relative (`+10G`), with PVE's units K, M, G, T.
    ///
    /// Never sends a shrink: an absolute size is first compared with the disk's current size
    /// (from the config, whose digest then guards the resize). Smaller is refused with a clear
    /// error, the same size does nothing (nil), larger returns the `resize` task's UPID (nil from
    /// PVE versions that resize synchronously). A relative size must be positive.
    @discardableResult
    public func resize(
        node: String, vmid: Int, disk: String, size: String, cancellation: Cancellation = .never
    ) throws(HLSError) -> UPID? {
        let path = Self.vmPath(node: node, vmid: vmid) + "/resize"
        let place = Place.request(method: "PUT", url: path)
        let wanted = size.trimmingWhitespace()
        let relative = wanted.hasPrefix("+")
        guard let bytes = PVEDiskSize.bytes(relative ? String(wanted.dropFirst()) : wanted), bytes > 0 else {
            throw HLSError(
                .usage, "'\(size)' is not a disk size for \(disk) of VM \(vmid)", at: place,
                hint: "write an absolute size like 50G or a growth like +10G (units K, M, G, T)")
        }
        var form: [(String, String)] = [("disk", disk), ("size", wanted)]
        if !relative {
            let current = try config(node: node, vmid: vmid, cancellation: cancellation)
            guard current[disk] != nil else {
                throw HLSError(
                    .failed, "VM \(vmid) has no disk \(disk)", at: place,
                    hint: "its disks: " + current.keys.filter(Self.isDiskKey).joined(separator: ", "))
            }
            if let have = current.diskSize(disk) {
                if bytes < have {
                    throw HLSError(
                        .failed,
                        "refusing to shrink \(disk) of VM \(vmid) from \(PVEDiskSize.format(have)) to \(PVEDiskSize.format(bytes)): "
                            + "Proxmox VE cannot shrink disks",
                        at: place, hint: "give a size of at least \(PVEDiskSize.format(have))")
                }
                if bytes == have { return nil }
            }
            if let digest = current.digest { form.append(("digest", digest)) }
        }
        // A relative growth applied twice grows twice: never repeat it.
        let data = try call("PUT", path, form: form, idempotent: !relative, cancellation: cancellation).get()
        if case .null = data { return nil }
        return try Self.upid(from: data, method: "PUT", path: path)
    }

    /// `scsi0`, `virtio1`, `sata2`, `ide0`, `efidisk0`, `tpmstate0`…
    static func isDiskKey(_ key: String) -> Bool {
        for prefix in ["scsi", "virtio", "sata", "ide", "efidisk", "tpmstate"] where key.hasPrefix(prefix) {
            return key.dropFirst(prefix.count).allSatisfy(\.isNumber) && key.count > prefix.count
        }
        return false
    }
}
