/// What a booted guest of the simulated cluster looks like from inside: the name, address, user
/// and keys its cloud-init drive gave it. The node fleet reads these to run an SSH server per
/// booted VM.
public struct SimulatedGuest: Sendable, Hashable {
    public var vmid: Int
    public var name: String
    /// The Proxmox node it runs on.
    public var node: String
    /// Started and past the boot delay (cloud-init has run, sshd is up).
    public var booted: Bool
    /// The static IPv4 address from `ipconfig0` (without the prefix), nil for DHCP.
    public var address: String?
    /// `ciuser`, the login cloud-init creates.
    public var user: String?
    /// The `sshkeys` cloud-init installs for `user`, one OpenSSH public key a line.
    public var authorizedKeys: [String]
    /// Changes whenever the VM is created anew (clone or restore), as its SMBIOS UUID does: a
    /// recreated VM gets a fresh disk, host key and root tree.
    public var instance: String
    /// vCPUs and bytes of RAM, as configured.
    public var cpus = 1
    public var memory: Int64 = 512 << 20
    /// Sizes in bytes of its disks (not CD-ROMs), in the guest's order (`sda`, `sdb`, …).
    public var diskSizes: [Int64] = []
    /// The PVE slot of each of those disks (`scsi0`, `scsi1`), in the same order.
    public var diskSlots: [String] = []
    /// The prefix length of `address` (`/24`).
    public var prefixLength = 24

    public init(
        vmid: Int, name: String, node: String, booted: Bool, address: String?, user: String?,
        authorizedKeys: [String], instance: String
    ) {
        self.vmid = vmid
        self.name = name
        self.node = node
        self.booted = booted
        self.address = address
        self.user = user
        self.authorizedKeys = authorizedKeys
        self.instance = instance
    }
}

extension PVESimulator {
    /// The guests that are not templates, in VMID order (empty while stopped). What a VM's
    /// config says of it is read again only when the config changes (`guestViews`): the lab's
    /// nodes, kubelets and control plane ask on each of their passes.
    public var guests: [SimulatedGuest] {
        guard let api = running.withLock({ $0?.api }) else { return [] }
        let now = PVEAPI.now()
        let bootDelay = api.config.timings.bootDelay
        let vms = api.state.withLock { state in
            state.advance(to: now)
            return state.vms.values.filter { !$0.isTemplate }.sorted { $0.vmid < $1.vmid }
        }
        return guestViews.withLock { views in
            var kept: [Int: GuestView] = [:]
            let guests = vms.map { vm in
                let known = views[vm.vmid].flatMap { $0.node == vm.node && $0.config == vm.config ? $0.guest : nil }
                var guest = known ?? Self.guest(of: vm)
                kept[vm.vmid] = GuestView(node: vm.node, config: vm.config, guest: guest)
                guest.booted = vm.running && (vm.startedAt.map { now - $0 >= bootDelay } ?? false)
                return guest
            }
            views = kept
            return guests
        }
    }

    /// What `vm`'s node and config say of it (not yet whether it has booted).
    private static func guest(of vm: PVEVM) -> SimulatedGuest {
        let conf = vm.config
        let ip = conf["ipconfig0"].map { PVEDrive.parse($0, defaultKey: "ip")["ip"] ?? "" } ?? ""
        let slash = ip.firstIndex(of: "/")
        let address = slash.map { String(ip[..<$0]) }
        let keys = conf["sshkeys"].map { FormDecoding.percentDecode($0) } ?? ""
        let smbios = conf["smbios1"].map { PVEDrive.parse($0, defaultKey: "uuid")["uuid"] ?? $0 }
        var guest = SimulatedGuest(
            vmid: vm.vmid, name: vm.name ?? "VM\(vm.vmid)", node: vm.node, booted: false, address: address,
            user: conf["ciuser"],
            authorizedKeys: keys.split(whereSeparator: \.isNewline).map(String.init).filter {
                $0.contains(where: { !$0.isWhitespace })
            },
            instance: "\(vm.vmid)-\(smbios ?? "")")
        guest.cpus = vm.cpus
        guest.memory = Int64(vm.maxmem)
        guest.prefixLength = slash.flatMap { Int(ip[ip.index(after: $0)...]) } ?? 24
        let disks = vm.disks.filter {
            !PVEDrive.isCDROM(conf[$0.key] ?? "") && !PVEDrive.isCloudInit(conf[$0.key] ?? "")
        }
        .compactMap { disk in
            disk.drive["size"].flatMap(PVEQemuSchema.parseSize).map { (disk.key, Int64($0)) }
        }
        guest.diskSizes = disks.map(\.1)
        guest.diskSlots = disks.map(\.0)
        return guest
    }
}

/// A VM's guest as its node and config last said it (`PVESimulator.guests`).
struct GuestView: Sendable {
    var node: String
    var config: [String: String]
    var guest: SimulatedGuest
}
