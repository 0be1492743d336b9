import HLSCore

/// `GET/PUT/POST …/config` and `…/pending` (qemu-server `update_vm_api`): the same checks in
/// the same order — parameter schema, ssh keys, delete/revert consistency, per-key privileges,
/// storage access, then (under the config lock) digest and lock — and PVE's pending semantics
/// for a running VM.
extension PVEHandlers {
    static func getConfig(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let vm = try requireVM(s, call.vmid, on: call.node)
            if let snap = call.string("snapshot"), snap != "current" {
                throw PVEError.failed("snapshot '\(snap)' does not exist")
            }
            let conf = call.bool("current") == true ? vm.config : vm.effectiveConfig
            var pairs: [(key: String, value: Document)] = conf.keys.sorted().map { key in
                (key, typed(key, key == "cipassword" ? "**********" : conf[key]!))
            }
            pairs.append(("digest", .string(vm.digest)))
            return PVEResult(.object(pairs))
        }
    }

    static func getPending(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let vm = try requireVM(s, call.vmid, on: call.node)
            let keys = Set(vm.config.keys).union(vm.pending.keys).union(vm.pendingDelete).sorted()
            return PVEResult(
                .array(
                    keys.map { key in
                        obj([
                            ("key", .string(key)), ("value", vm.config[key].map { typed(key, $0) }),
                            ("pending", vm.pending[key].map { typed(key, $0) }),
                            ("delete", vm.pendingDelete.contains(key) ? .int(1) : nil),
                        ])
                    }))
        }
    }

    /// Integer and boolean keys as JSON numbers, the rest as strings — what PVE's JSON shows.
    static func typed(_ key: String, _ value: String) -> Document {
        if PVEQemuSchema.isNumeric(key) {
            if let i = Int(value) { return .int(i) }
            if let d = Double(value) { return perlNumber(d) }
        }
        return .string(value)
    }

    /// The parts of a config update that survive until the worker runs.
    struct ConfigUpdate: Sendable {
        var vmid: Int
        var node: String
        var authid: String
        var values: [String: String]
        var deletes: [String]
        var reverts: [String]
        var digest: String?
        var skiplock: Bool
        var logLine: String
    }

    static func updateConfig(_ call: PVECall, sync: Bool) throws(PVEError) -> PVEResult {
        var params = call.params
        for key in ["node", "vmid", "background_delay", "skip_cloud_init", "import-working-storage"] {
            params[key] = nil
        }
        let digest = params.removeValue(forKey: "digest")?.string
        var logLine = "update VM \(call.vmid):"
        for key in params.keys.sorted() {
            logLine += " -\(key) \(key == "cipassword" ? "<hidden>" : (params[key]?.string ?? ""))"
        }
        let skiplock = params.removeValue(forKey: "skiplock")?.string == "1"
        if skiplock && call.authid != "root@pam" {
            throw PVEError.parameter("skiplock", "Only root may use this option.")
        }
        let deleteText = params.removeValue(forKey: "delete")?.string
        let revertText = params.removeValue(forKey: "revert")?.string
        params["force"] = nil
        var values = params.compactMapValues(\.string)

        if let keys = values["sshkeys"] {
            for line in FormDecoding.percentDecode(keys).split(separator: "\n")
            where !line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                if !PVEQemuSchema.isValidSSHPublicKey(String(line)) {
                    throw PVEError.failed("SSH public key validation error")
                }
            }
        }
        if deleteText == nil && revertText == nil && values.isEmpty { throw PVEError.failed("no options specified") }

        var reverts: [String] = []
        for opt in PVESchema.splitList(revertText ?? "") {
            if !PVEQemuSchema.optionExists(opt) { throw PVEError.parameter("revert", "unknown option '\(opt)'") }
            if values[opt] != nil {
                throw PVEError.parameter("delete", "you can't use '-\(opt)' and -revert \(opt)' at the same time")
            }
            reverts.append(opt)
        }
        var deletes: [String] = []
        for var opt in PVESchema.splitList(deleteText ?? "") {
            if opt == "cdrom" { opt = "ide2" }
            if values[opt] != nil {
                throw PVEError.parameter("delete", "you can't use '-\(opt)' and -delete \(opt)' at the same time")
            }
            if reverts.contains(opt) {
                throw PVEError.parameter(
                    "revert", "you can't use '-delete \(opt)' and -revert \(opt)' at the same time")
            }
            if !PVEQemuSchema.optionExists(opt) { throw PVEError.parameter("delete", "unknown option '\(opt)'") }
            deletes.append(opt)
        }

        for (key, value) in values where key.hasPrefix("net") && !key.hasPrefix("net_") {
            values[key] = normalizeNet(value)
        }
        if call.authid != "root@pam" {
            for key in deletes + values.keys.sorted() {
                guard let (privs, any) = PVEQemuSchema.privileges(for: key) else {
                    throw PVEError.failed("only root can set '\(key)' config")
                }
                if !privs.isEmpty { try call.check("/vms/\(call.vmid)", privs, any: any) }
            }
        }

        let update = ConfigUpdate(
            vmid: call.vmid, node: call.node, authid: call.authid, values: values, deletes: deletes, reverts: reverts,
            digest: digest, skiplock: skiplock, logLine: logLine)
        let api = call.api
        let upid = try call.withState { (s: inout PVEState) throws(PVEError) -> String? in
            // check_storage_access, before anything is locked
            for (key, value) in values.sorted(by: { $0.key < $1.key }) where PVEQemuSchema.isDrive(key) {
                let drive = PVEDrive.parse(value)
                guard !PVEDrive.isCDROM(value), let file = drive["file"], let newDisk = parseNewDisk(file) else {
                    continue
                }
                guard let storage = newDisk.storage else {
                    throw PVEError.failed("no storage ID specified (and no default storage)")
                }
                try api.auth.check(update.authid, "/storage/\(storage)", ["Datastore.AllocateSpace"])
                guard let st = s.storage(storage) else { throw PVEError.failed("storage '\(storage)' does not exist") }
                if !st.content.contains("images") {
                    throw PVEError.parameter("storage", "storage '\(storage)' does not support vm images")
                }
            }
            try loadAndCheck(s, update)
            if sync {
                _ = try apply(update, to: &s, api: api)
                return nil
            }
            return s.startTask(
                node: update.node, type: "qmconfig", id: String(update.vmid), user: update.authid, now: call.now,
                duration: api.config.timings.taskDuration + api.faults.extraTaskDelay(type: "qmconfig")
            ) { s, _ in
                do throws(PVEError) {
                    try loadAndCheck(s, update)
                    return try apply(update, to: &s, api: api)
                } catch {
                    return .failed(error.message)
                }
            }
        }
        return PVEResult(upid.map(Document.string) ?? .null)
    }

    /// `$load_and_check_config`: the VM exists here, the digest matches, it is not locked.
    static func loadAndCheck(_ s: PVEState, _ u: ConfigUpdate) throws(PVEError) {
        let vm = try requireVM(s, u.vmid, on: u.node)
        if let digest = u.digest, digest != vm.digest {
            throw PVEError.failed("checksum mismatch (file change by other user?)")
        }
        if !u.skiplock, let lock = vm.lock { throw PVEError.failed("VM is locked (\(lock))") }
    }

    /// `$updatefn`: applies deletes and new values; on a running VM what cannot be hot-plugged
    /// waits in `[PENDING]`. New disks (`STORAGE:SIZE`) are allocated here.
    static func apply(_ u: ConfigUpdate, to s: inout PVEState, api: PVEAPI) throws(PVEError) -> PVETaskOutcome {
        guard var vm = s.vms[u.vmid] else { throw PVEError.failed("VM \(u.vmid) does not exist") }
        var log = [u.logLine]
        var warnings = 0
        let isProtected = vm.config["protection"] == "1"

        func drivePermission(_ value: String) throws(PVEError) {
            if PVEDrive.isCloudInit(value) {
                try api.auth.check(u.authid, "/vms/\(u.vmid)", ["VM.Config.Cloudinit", "VM.Config.CDROM"])
            } else if PVEDrive.isCDROM(value) {
                try api.auth.check(u.authid, "/vms/\(u.vmid)", ["VM.Config.CDROM"])
            } else {
                try api.auth.check(u.authid, "/vms/\(u.vmid)", ["VM.Config.Disk"])
            }
        }

        for opt in u.reverts {
            vm.pending[opt] = nil
            vm.pendingDelete.removeAll { $0 == opt }
        }

        for opt in u.deletes {
            guard let value = vm.config[opt] ?? vm.pending[opt] else {
                log.append("cannot delete '\(opt)' - not set in current configuration!")
                warnings += 1
                continue
            }
            vm.pending[opt] = nil
            if opt.hasPrefix("unused") {
                if isProtected {
                    throw PVEError.failed("can't remove unused disk '\(value)' - protection mode enabled")
                }
                try api.auth.check(u.authid, "/vms/\(u.vmid)", ["VM.Config.Disk"])
                if let removed = s.removeVolume(value, on: vm.node) { log.append(removedLine(removed)) }
                vm.config[opt] = nil
            } else if PVEQemuSchema.isDrive(opt) {
                if isProtected { throw PVEError.failed("can't remove drive '\(opt)' - protection mode enabled") }
                try drivePermission(value)
                detach(opt, from: &vm, state: &s, log: &log)
            } else if vm.running && !PVEQemuSchema.hotpluggable(opt) {
                if !vm.pendingDelete.contains(opt) { vm.pendingDelete.append(opt) }
            } else {
                vm.config[opt] = nil
            }
        }

        for key in u.values.keys.sorted() {
            var value = u.values[key]!
            if PVEQemuSchema.isDrive(key) {
                if let old = vm.config[key] { try drivePermission(old) }
                try drivePermission(value)
                var drive = PVEDrive.parse(value)
                let file = drive["file"] ?? ""
                if let newDisk = parseNewDisk(file), !PVEDrive.isCDROM(value) {
                    let storage = newDisk.storage ?? ""
                    guard s.storage(storage) != nil else {
                        throw PVEError.failed("storage '\(storage)' does not exist")
                    }
                    guard s.storageAvailable(storage, on: vm.node) else {
                        throw PVEError.failed("storage '\(storage)' is not available on node '\(vm.node)'")
                    }
                    let bytes = Int(newDisk.gib * Double(1 << 30))
                    let (volid, line) = s.allocateDisk(storage: storage, node: vm.node, vmid: u.vmid, size: bytes)
                    log.append(line)
                    drive["file"] = volid
                    drive["size"] = PVEQemuSchema.formatSize(bytes)
                } else if let (storage, volname) = PVEState.splitVolid(file), volname == "cloudinit" {
                    guard s.storage(storage) != nil else {
                        throw PVEError.failed("storage '\(storage)' does not exist")
                    }
                    let (volid, line) = s.allocateDisk(
                        storage: storage, node: vm.node, vmid: u.vmid, size: 4 << 20, cloudinit: true)
                    log.append(line)
                    drive["file"] = volid
                    drive["media"] = "cdrom"
                } else if file != "none" && file != "cdrom" && !file.hasPrefix("/") && !PVEDrive.isCDROM(value) {
                    guard let volume = s.volume(file, on: vm.node) else {
                        throw PVEError.failed("volume '\(file)' does not exist")
                    }
                    if drive["size"] == nil { drive["size"] = PVEQemuSchema.formatSize(volume.size) }
                    if let unused = vm.config.first(where: { $0.key.hasPrefix("unused") && $0.value == file })?.key {
                        vm.config[unused] = nil
                    }
                }
                value = PVEDrive.print(drive)
                if let old = vm.config[key], PVEDrive.parse(old)["file"] != drive["file"] {
                    detach(key, from: &vm, state: &s, log: &log)
                }
                vm.config[key] = value
            } else if key == "tags" {
                // `get_unique_tags` with the default tag style: lowercased, sorted, unique.
                let tags = Set(PVESchema.splitList(value).map { $0.lowercased() }).sorted()
                vm.config[key] = tags.joined(separator: ";")
                vm.pending[key] = nil
            } else if vm.running && !PVEQemuSchema.hotpluggable(key) {
                vm.pending[key] = value
                vm.pendingDelete.removeAll { $0 == key }
            } else {
                vm.config[key] = value
                vm.pending[key] = nil
                vm.pendingDelete.removeAll { $0 == key }
            }
        }
        for (key, value) in vm.pending where vm.config[key] == value { vm.pending[key] = nil }
        s.vms[u.vmid] = vm
        return PVETaskOutcome(log: log, warnings: warnings)
    }

    /// Takes a drive out of the config: a disk becomes `unusedN`, a cloud-init drive is freed,
    /// a CD-ROM simply goes.
    static func detach(_ key: String, from vm: inout PVEVM, state s: inout PVEState, log: inout [String]) {
        guard let value = vm.config[key] else { return }
        vm.config[key] = nil
        if PVEDrive.isCloudInit(value) {
            if let file = PVEDrive.parse(value)["file"], let removed = s.removeVolume(file, on: vm.node) {
                log.append(removedLine(removed))
            }
        } else if !PVEDrive.isCDROM(value), let file = PVEDrive.parse(value)["file"], s.volume(file, on: vm.node) != nil
        {
            var i = 0
            while vm.config["unused\(i)"] != nil { i += 1 }
            vm.config["unused\(i)"] = file
        }
    }

    static func removedLine(_ volume: PVEVolume) -> String {
        let name = PVEState.splitVolid(volume.volid)?.1 ?? volume.volid
        return volume.format == "raw"
            ? "  Logical volume \"\(name)\" successfully removed." : "removed '\(volume.volid)'"
    }

    /// `$NEW_DISK_RE`: `[STORAGE:]SIZE_IN_GiB`.
    static func parseNewDisk(_ file: String) -> (storage: String?, gib: Double)? {
        guard PVESchema.matches(#"(([^/:\s]+):)?(\d+(\.\d+)?)"#, file) else { return nil }
        if let (storage, size) = PVEState.splitVolid(file) { return Double(size).map { (storage, $0) } }
        return Double(file).map { (nil, $0) }
    }

    /// `print_net` after `parse_net`: `MODEL=MAC` first (a MAC is generated when missing), then
    /// the other options sorted.
    static func normalizeNet(_ value: String) -> String {
        var parsed = PVEDrive.parse(PVEQemuSchema.normalizedNet(value), defaultKey: "model")
        let model = parsed.removeValue(forKey: "model") ?? "virtio"
        let mac = parsed.removeValue(forKey: "macaddr") ?? PVEVM.randomMAC()
        return (["\(model)=\(mac)"] + parsed.keys.sorted().map { "\($0)=\(parsed[$0]!)" }).joined(separator: ",")
    }
}
