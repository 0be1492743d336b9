import HLSCore

/// Clone, resize and destroy (qemu-server `clone_vm`, `resize_vm`, `destroy_vm`): pre-checks
/// answer at once (HTTP 500/400/403); the work runs as a task whose exit status carries any
/// later failure.
extension PVEHandlers {
    /// `VM.Clone` on the source, and `VM.Allocate` on the new VMID or on the pool.
    static let clonePermission: @Sendable (PVECall) throws(PVEError) -> Void = { call throws(PVEError) in
        try call.check("/vms/\(call.vmid)", ["VM.Clone"])
        let auth = call.api.auth
        if auth.has(call.authid, "/vms/\(call.int("newid") ?? 0)", "VM.Allocate") { return }
        if let pool = call.string("pool"), auth.has(call.authid, "/pool/\(pool)", "VM.Allocate") { return }
        throw PVEError.permission(nil)
    }

    static func clone(_ call: PVECall) throws(PVEError) -> PVEResult {
        let vmid = call.vmid
        let newid = call.int("newid") ?? 0
        let node = call.node
        let storage = call.string("storage")
        let pool = call.string("pool")
        let requested = call.string("target")
        let target = requested == node || requested == "localhost" ? nil : requested
        let api = call.api
        let lockTimeout = api.faults.cloneLockTimeout(path: call.rel)

        let upid = try call.withState { (s: inout PVEState) throws(PVEError) -> String in
            _ = try requireNode(s, node)
            if let pool, s.pools[pool] == nil { throw PVEError.permission("pool '\(pool)' does not exist") }
            if let target, s.node(target) == nil { throw PVEError.failed("no such cluster node '\(target)'") }
            if let storage {
                guard let st = s.storage(storage) else { throw PVEError.failed("storage '\(storage)' does not exist") }
                guard s.storageAvailable(storage, on: node) else {
                    throw PVEError.failed("storage '\(storage)' is not available on node '\(node)'")
                }
                if !st.content.contains("images") {
                    throw PVEError.parameter("storage", "storage '\(storage)' does not support vm images")
                }
                if let target {
                    guard s.storageAvailable(storage, on: target) else {
                        throw PVEError.failed("storage '\(storage)' is not available on node '\(target)'")
                    }
                    if !st.shared { throw PVEError.failed("can't clone to non-shared storage '\(storage)'") }
                }
            }
            let source = try requireVM(s, vmid, on: node)
            if let lock = source.lock { throw PVEError.failed("VM is locked (\(lock))") }
            if let snap = call.string("snapname") { throw PVEError.failed("snapshot '\(snap)' does not exist") }
            let full = call.bool("full") ?? !source.isTemplate
            if storage != nil && !full { throw PVEError.failed("parameter 'storage' not allowed for linked clones") }
            if call.string("format") != nil && !full {
                throw PVEError.failed("parameter 'format' not allowed for linked clones")
            }

            var shared = true
            for (key, drive) in source.disks {
                let value = source.config[key]!
                guard let file = drive["file"], let (storeID, volname) = PVEState.splitVolid(file),
                    !(PVEDrive.isCDROM(value) && !PVEDrive.isCloudInit(value))
                else { continue }
                try call.check("/storage/\(storage ?? storeID)", ["Datastore.AllocateSpace"])
                if s.storage(storeID)?.shared != true { shared = false }
                if !full && !PVEDrive.isCloudInit(value) {
                    let cloneable = ["lvmthin", "zfspool", "rbd", "dir", "nfs"].contains(s.storage(storeID)?.type ?? "")
                    if !cloneable || !volname.contains("base-") {
                        throw PVEError.failed("Linked clone feature is not supported for '\(file)' (\(key))")
                    }
                }
            }
            if let target, !shared {
                throw PVEError.failed("can't clone VM to node '\(target)' (VM uses local storage)")
            }
            if s.vms[newid] != nil { throw PVEError.failed("unable to create VM \(newid): config file already exists") }

            let duration = api.config.timings.cloneDuration + api.faults.extraTaskDelay(type: "qmclone")
            if lockTimeout {
                // The worker waits for the template's config lock, then gives up.
                return s.startTask(
                    node: node, type: "qmclone", id: String(vmid), user: call.authid, now: call.now, duration: duration
                ) { _, _ in .failed("can't lock file '/var/lock/qemu-server/lock-\(vmid).conf' - got timeout") }
            }
            // "# qmclone temporary file\nlock: clone" — the new VM exists, locked, from the start.
            s.vms[newid] = PVEVM(vmid: newid, node: node, config: ["lock": "clone"])
            let name = call.string("name")
            let description = call.string("description")
            return s.startTask(
                node: node, type: "qmclone", id: String(vmid), user: call.authid, now: call.now, duration: duration
            ) { s, _ in
                finishClone(
                    &s, vmid: vmid, newid: newid, node: node, target: target, full: full, storage: storage, name: name,
                    description: description, pool: pool)
            }
        }
        return PVEResult(.string(upid))
    }

    private static func finishClone(
        _ s: inout PVEState, vmid: Int, newid: Int, node: String, target: String?, full: Bool, storage: String?,
        name: String?, description: String?, pool: String?
    ) -> PVETaskOutcome {
        guard let source = s.vms[vmid] else {
            s.vms[newid] = nil
            return .failed("clone failed: Configuration file 'nodes/\(node)/qemu-server/\(vmid).conf' does not exist")
        }
        var log: [String] = []
        var conf: [String: String] = [:]
        let skipped: Set<String> = [
            "template", "lock", "parent", "snaptime", "vmstate", "runningcpu", "runningmachine",
        ]
        for key in source.config.keys.sorted() where !skipped.contains(key) && !key.hasPrefix("unused") {
            let value = source.config[key]!
            if key.hasPrefix("net"), PVEQemuSchema.configProperties[key] != nil {
                var net = PVEDrive.parse(PVEQemuSchema.normalizedNet(value), defaultKey: "model")
                net["macaddr"] = PVEVM.randomMAC()
                conf[key] = normalizeNet(PVEDrive.print(net, defaultKey: "model"))
            } else if PVEQemuSchema.isDrive(key) {
                var drive = PVEDrive.parse(value)
                guard let file = drive["file"], let (storeID, volname) = PVEState.splitVolid(file),
                    !(PVEDrive.isCDROM(value) && !PVEDrive.isCloudInit(value))
                else {
                    conf[key] = value
                    continue
                }
                let size = s.volume(file, on: source.node)?.size ?? 0
                let destStorage = storage ?? storeID
                if PVEDrive.isCloudInit(value) {
                    log.append("create full clone of drive \(key) (\(file))")
                    let (volid, line) = s.allocateDisk(
                        storage: destStorage, node: node, vmid: newid, size: 4 << 20, cloudinit: true)
                    log.append(line)
                    drive["file"] = volid
                } else if full {
                    log.append("create full clone of drive \(key) (\(file))")
                    let (volid, line) = s.allocateDisk(storage: destStorage, node: node, vmid: newid, size: size)
                    log.append(line)
                    let human = humanSize(size)
                    log.append("transferred 0.0 B of \(human) (0.00%)")
                    log.append("transferred \(human) of \(human) (100.00%)")
                    drive["file"] = volid
                } else {
                    log.append("create linked clone of drive \(key) (\(file))")
                    var n = 0
                    while s.volume("\(storeID):\(volname)/vm-\(newid)-disk-\(n)", on: node) != nil { n += 1 }
                    let linked = "\(volname)/vm-\(newid)-disk-\(n)"
                    s.addVolume(storage: storeID, node: node, volname: linked, owner: newid, size: size, format: "raw")
                    log.append("  Logical volume \"vm-\(newid)-disk-\(n)\" created.")
                    drive["file"] = "\(storeID):\(linked)"
                }
                conf[key] = PVEDrive.print(drive)
            } else {
                conf[key] = value
            }
        }
        if let smbios = conf["smbios1"] {
            var parsed = PVEDrive.parse(smbios, defaultKey: "uuid")
            parsed["uuid"] = PVEVM.randomUUID()
            conf["smbios1"] = parsed.keys.sorted().map { "\($0)=\(parsed[$0]!)" }.joined(separator: ",")
        }
        if conf["vmgenid"] != nil { conf["vmgenid"] = PVEVM.randomUUID() }
        conf["name"] = name ?? "Copy-of-VM-\(source.name ?? String(vmid))"
        if let description { conf["description"] = description }
        s.vms[newid] = PVEVM(vmid: newid, node: target ?? node, config: conf)
        if let pool { s.pools[pool, default: []].insert(newid) }
        return PVETaskOutcome(log: log)
    }

    static func humanSize(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes)
        var i = 0
        while v >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        let rounded = (v * 10).rounded() / 10
        return "\(rounded == rounded.rounded() ? String(format1: rounded) : String(rounded)) \(units[i])"
    }

    static func resize(_ call: PVECall) throws(PVEError) -> PVEResult {
        let skiplock = call.bool("skiplock") == true
        if skiplock && call.authid != "root@pam" {
            throw PVEError.parameter("skiplock", "Only root may use this option.")
        }
        let (vmid, node, disk, sizeText, digest, authid) = (
            call.vmid, call.node, call.string("disk")!, call.string("size")!, call.string("digest"), call.authid
        )
        let api = call.api
        let upid = try call.withState { (s: inout PVEState) throws(PVEError) -> String in
            _ = try requireNode(s, node)
            return s.startTask(
                node: node, type: "resize", id: String(vmid), user: authid, now: call.now,
                duration: api.config.timings.taskDuration + api.faults.extraTaskDelay(type: "resize")
            ) { s, _ in
                do throws(PVEError) {
                    return try finishResize(
                        &s, api: api, vmid: vmid, node: node, disk: disk, sizeText: sizeText,
                        digest: digest, skiplock: skiplock, authid: authid)
                } catch {
                    return .failed(error.message)
                }
            }
        }
        return PVEResult(.string(upid))
    }

    private static func finishResize(
        _ s: inout PVEState, api: PVEAPI, vmid: Int, node: String, disk: String, sizeText: String, digest: String?,
        skiplock: Bool, authid: String
    ) throws(PVEError) -> PVETaskOutcome {
        var vm = try requireVM(s, vmid, on: node)
        if let digest, digest != vm.digest { throw PVEError.failed("checksum mismatch (file change by other user?)") }
        if !skiplock, let lock = vm.lock { throw PVEError.failed("VM is locked (\(lock))") }
        guard let value = vm.config[disk] else { throw PVEError.failed("disk '\(disk)' does not exist") }
        var drive = PVEDrive.parse(value)
        guard let volid = drive["file"] else { throw PVEError.failed("disk '\(disk)' has no associated volume") }
        if PVEDrive.isCDROM(value) { throw PVEError.failed("you can't resize a cdrom") }
        let storeID = PVEState.splitVolid(volid)?.0 ?? ""
        try api.auth.check(authid, "/storage/\(storeID)", ["Datastore.AllocateSpace"])
        guard let size = s.volume(volid, on: node)?.size ?? drive["size"].flatMap(PVEQemuSchema.parseSize) else {
            throw PVEError.failed("Could not determine current size of volume '\(volid)'")
        }
        var text = sizeText
        let grow = text.hasPrefix("+")
        if grow { text.removeFirst() }
        guard var newSize = PVEQemuSchema.parseSize(text) else { throw PVEError.failed("internal error") }
        if grow { newSize += size }
        if newSize < size { throw PVEError.failed("shrinking disks is not supported") }
        if newSize == size { return PVETaskOutcome() }
        s.setVolumeSize(volid, on: node, size: newSize)
        drive["size"] = PVEQemuSchema.formatSize(newSize)
        vm.config[disk] = PVEDrive.print(drive)
        s.vms[vmid] = vm
        let name = PVEState.splitVolid(volid)?.1 ?? volid
        return PVETaskOutcome(log: [
            "  Size of logical volume pve/\(name) changed from \(humanSize(size)) to \(humanSize(newSize)).",
            "  Logical volume pve/\(name) successfully resized.",
        ])
    }

    static func destroy(_ call: PVECall) throws(PVEError) -> PVEResult {
        let skiplock = call.bool("skiplock") == true
        if skiplock && call.authid != "root@pam" {
            throw PVEError.parameter("skiplock", "Only root may use this option.")
        }
        let (vmid, node) = (call.vmid, call.node)
        let purge = call.bool("purge") == true
        let unreferenced = call.bool("destroy-unreferenced-disks") == true
        let api = call.api
        let upid = try call.withState { (s: inout PVEState) throws(PVEError) -> String in
            try destroyChecks(s, vmid: vmid, node: node)
            return s.startTask(
                node: node, type: "qmdestroy", id: String(vmid), user: call.authid, now: call.now,
                duration: api.config.timings.taskDuration + api.faults.extraTaskDelay(type: "qmdestroy")
            ) { s, _ in
                do throws(PVEError) {
                    try destroyChecks(s, vmid: vmid, node: node)
                } catch {
                    return .failed(error.message)
                }
                let vm = s.vms[vmid]!
                if !skiplock, let lock = vm.lock { return .failed("VM is locked (\(lock))") }
                var log: [String] = []
                var volids = vm.config.filter { PVEQemuSchema.isDrive($0.key) || $0.key.hasPrefix("unused") }
                    .compactMap { key, value -> String? in
                        if PVEDrive.isCDROM(value) && !PVEDrive.isCloudInit(value) { return nil }
                        return key.hasPrefix("unused") ? value : PVEDrive.parse(value)["file"]
                    }
                if unreferenced {
                    volids += s.volumes.values.filter { $0.owner == vmid && ($0.node == nil || $0.node == node) }.map(
                        \.volid)
                }
                for volid in Set(volids).sorted() {
                    if let removed = s.removeVolume(volid, on: node) { log.append(removedLine(removed)) }
                }
                for pool in s.pools.keys { s.pools[pool]?.remove(vmid) }
                if purge { log.append("purging VM \(vmid) from related configurations..") }
                s.vms[vmid] = nil
                return PVETaskOutcome(log: log)
            }
        }
        return PVEResult(.string(upid))
    }

    private static func destroyChecks(_ s: PVEState, vmid: Int, node: String) throws(PVEError) {
        let vm = try requireVM(s, vmid, on: node)
        if vm.config["protection"] == "1" { throw PVEError.failed("can't remove VM \(vmid) - protection mode enabled") }
        if vm.running { throw PVEError.failed("VM \(vmid) is running - destroy failed") }
    }
}

extension String {
    /// `3.0` → "3.0" (one decimal, as PVE's `render_bytes`).
    fileprivate init(format1 v: Double) { self = "\(Int(v)).0" }

}
