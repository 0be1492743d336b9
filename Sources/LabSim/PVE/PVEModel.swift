/// The simulated cluster's state: nodes, storages, volumes, VMs and tasks. It is a plain value;
/// `PVEAPI` keeps it in a lock and every request works on it under that lock, so it needs no
/// synchronisation of its own.
struct PVEState: Sendable {
    var nodes: [PVENodeState]
    var storages: [PVESimulatorConfig.Storage]
    var vms: [Int: PVEVM] = [:]
    /// Keyed by `PVEState.volumeKey`: a local storage's volumes are per node.
    var volumes: [String: PVEVolume] = [:]
    var tasks: [String: PVETask] = [:]
    var taskOrder: [String] = []
    var pools: [String: Set<Int>]
    var nextPid = Int.random(in: 100_000...900_000)
    /// Set when a task took a VM down (stop, shutdown, destroy) and cleared by
    /// `PVEAPI.settleGuests`, which has the lab's nodes follow before the next answer.
    var guestsWentDown = false

    init(config: PVESimulatorConfig, now: Double, fingerprints: [String: String]) {
        nodes = config.nodes.enumerated().map { index, node in
            PVENodeState(
                config: node, bootTime: now - Double(86_400 * (3 + index)) - 1234,
                sslFingerprint: fingerprints[node.name] ?? "")
        }
        storages = config.storages
        pools = Dictionary(uniqueKeysWithValues: config.pools.map { ($0, Set<Int>()) })
        for template in config.templates { seed(template) }
    }

    /// Lays down a cloud-image template as `qm importdisk` + `qm set` + `qm template` leave it.
    private mutating func seed(_ t: PVESimulatorConfig.Template) {
        let base = "base-\(t.vmid)-disk-0"
        let cloudinit = "vm-\(t.vmid)-cloudinit"
        addVolume(storage: t.storage, node: t.node, volname: base, owner: t.vmid, size: t.diskSize, format: "raw")
        addVolume(storage: t.storage, node: t.node, volname: cloudinit, owner: t.vmid, size: 4 << 20, format: "raw")
        var config: [String: String] = [
            "agent": t.agent ? "1" : "0",
            "boot": "order=scsi0",
            "cores": String(t.cores),
            "ide2": "\(t.storage):\(cloudinit),media=cdrom",
            "memory": String(t.memory),
            "meta": "creation-qemu=9.0.2,ctime=1720000000",
            "name": t.name,
            "net0": "virtio=\(PVEVM.randomMAC()),bridge=vmbr0",
            "ostype": "l26",
            "scsi0": "\(t.storage):\(base),size=\(PVEQemuSchema.formatSize(t.diskSize))",
            "scsihw": "virtio-scsi-pci",
            "serial0": "socket",
            "smbios1": "uuid=\(PVEVM.randomUUID())",
            "template": "1",
            "vga": "serial0",
            "vmgenid": PVEVM.randomUUID(),
        ]
        config["ipconfig0"] = "ip=dhcp"
        vms[t.vmid] = PVEVM(vmid: t.vmid, node: t.node, config: config)
    }

    func node(_ name: String) -> PVENodeState? { nodes.first { $0.config.name == name } }

    func storage(_ id: String) -> PVESimulatorConfig.Storage? { storages.first { $0.id == id } }

    func storageAvailable(_ id: String, on node: String) -> Bool {
        guard let s = storage(id) else { return false }
        return s.nodes?.contains(node) ?? true
    }

    static func volumeKey(storage: PVESimulatorConfig.Storage, node: String, volname: String) -> String {
        storage.shared ? "\(storage.id):\(volname)" : "\(node)/\(storage.id):\(volname)"
    }

    func volume(_ volid: String, on node: String) -> PVEVolume? {
        guard let (storeID, volname) = PVEState.splitVolid(volid), let s = storage(storeID) else { return nil }
        return volumes[PVEState.volumeKey(storage: s, node: node, volname: volname)]
    }

    static func splitVolid(_ volid: String) -> (String, String)? {
        guard let colon = volid.firstIndex(of: ":") else { return nil }
        return (String(volid[..<colon]), String(volid[volid.index(after: colon)...]))
    }

    mutating func addVolume(storage id: String, node: String, volname: String, owner: Int, size: Int, format: String) {
        guard let s = storage(id) else { return }
        volumes[PVEState.volumeKey(storage: s, node: node, volname: volname)] = PVEVolume(
            volid: "\(id):\(volname)", storage: id, node: s.shared ? nil : node, owner: owner, size: size,
            format: format)
    }

    mutating func setVolumeSize(_ volid: String, on node: String, size: Int) {
        guard let (storeID, volname) = PVEState.splitVolid(volid), let s = storage(storeID) else { return }
        volumes[PVEState.volumeKey(storage: s, node: node, volname: volname)]?.size = size
    }

    @discardableResult
    mutating func removeVolume(_ volid: String, on node: String) -> PVEVolume? {
        guard let (storeID, volname) = PVEState.splitVolid(volid), let s = storage(storeID) else { return nil }
        return volumes.removeValue(forKey: PVEState.volumeKey(storage: s, node: node, volname: volname))
    }

    /// `vdisk_alloc`: the next free `vm-VMID-disk-N` on the storage, in the storage's format.
    /// Returns the volume ID and the log line the storage plugin prints.
    mutating func allocateDisk(storage id: String, node: String, vmid: Int, size: Int, cloudinit: Bool = false)
        -> (volid: String, log: String)
    {
        let s = storage(id)!
        let fileBased = ["dir", "nfs", "cifs", "glusterfs"].contains(s.type)
        var volname: String
        if cloudinit {
            volname = fileBased ? "\(vmid)/vm-\(vmid)-cloudinit.qcow2" : "vm-\(vmid)-cloudinit"
        } else {
            var n = 0
            while true {
                volname = fileBased ? "\(vmid)/vm-\(vmid)-disk-\(n).qcow2" : "vm-\(vmid)-disk-\(n)"
                if volumes[PVEState.volumeKey(storage: s, node: node, volname: volname)] == nil { break }
                n += 1
            }
        }
        addVolume(
            storage: id, node: node, volname: volname, owner: vmid, size: size, format: fileBased ? "qcow2" : "raw")
        let log: String
        switch s.type {
        case "lvmthin", "lvm":
            log = "  Logical volume \"\(volname)\" created."
        case "zfspool":
            log = "zfs create -V \(size / 1024)k rpool/data/\(volname)"
        default:
            log =
                "Formatting '/var/lib/vz/images/\(volname)', fmt=qcow2 cluster_size=65536 extended_l2=off preallocation=metadata compression_type=zlib size=\(size) lazy_refcounts=off refcount_bits=16"
        }
        return ("\(id):\(volname)", log)
    }

    /// Bytes used on a storage as seen from `node`.
    func used(storage s: PVESimulatorConfig.Storage, node: String) -> Int {
        volumes.values.filter { $0.storage == s.id && (s.shared || $0.node == node) }.reduce(0) { $0 + $1.size }
    }

    func poolOf(_ vmid: Int) -> String? { pools.first { $0.value.contains(vmid) }?.key }
}

struct PVENodeState: Sendable {
    var config: PVESimulatorConfig.Node
    /// Wall-clock time the node booted (its uptime is now − bootTime).
    var bootTime: Double
    var sslFingerprint: String
}

struct PVEVolume: Sendable {
    var volid: String
    var storage: String
    /// nil on shared storage.
    var node: String?
    var owner: Int
    var size: Int
    var format: String
}
