#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The VM configuration schema of qemu-server (`PVE::QemuServer` confdesc, drive, network,
/// cloud-init and agent formats) for the keys a homelab touches, with PVE's types, ranges,
/// enums and formats, plus the privilege each key needs when changed.
enum PVEQemuSchema {
    static let ideCount = 4, sataCount = 6, scsiCount = 31, virtioCount = 16, netCount = 32, serialCount = 4

    /// `valid_drive_names`, in PVE's order (also the order of the `disk` enum of resize).
    static let driveNames: [String] =
        (0..<ideCount).map { "ide\($0)" } + (0..<sataCount).map { "sata\($0)" } + (0..<scsiCount).map { "scsi\($0)" }
        + (0..<virtioCount).map { "virtio\($0)" } + ["efidisk0", "tpmstate0"]

    static func isDrive(_ key: String) -> Bool { driveNames.contains(key) }

    static let netModels = [
        "e1000", "e1000-82540em", "e1000-82544gc", "e1000-82545em", "e1000e", "i82551", "i82557b", "i82559er",
        "ne2k_isa", "ne2k_pci", "pcnet", "rtl8139", "virtio", "vmxnet3",
    ]

    static let driveFormat = PVEPropertyFormat(
        properties: [
            "file": .string(optional: false, format: PVEFormats.volumeIDOrQemuPath, defaultKey: true),
            "media": .string(enumValues: ["cdrom", "disk"]),
            "cache": .string(enumValues: ["none", "writethrough", "writeback", "unsafe", "directsync"]),
            "format": .string(enumValues: ["raw", "cow", "qcow", "qed", "qcow2", "vmdk", "cloop"]),
            "size": .string(format: PVEFormats.diskSize),
            "backup": .boolean(), "iothread": .boolean(), "ssd": .boolean(), "replicate": .boolean(),
            "ro": .boolean(), "snapshot": .boolean(), "detect_zeroes": .boolean(),
            "discard": .string(enumValues: ["ignore", "on"]),
            "aio": .string(enumValues: ["native", "threads", "io_uring"]),
            "serial": .string(format: PVEFormats.urlencoded, maxLength: 60),
            "import-from": .string(format: PVEFormats.volumeIDOrQemuPath),
        ],
        aliases: ["volume": "file"])

    static let ipconfigFormat = PVEPropertyFormat(properties: [
        "ip": .string(format: PVEFormats.ipv4Config), "gw": .string(format: PVEFormats.ipv4),
        "ip6": .string(format: PVEFormats.ipv6Config), "gw6": .string(format: PVEFormats.ipv6),
    ])

    static let memoryFormat = PVEPropertyFormat(properties: [
        "current": .integer(minimum: 16, maximum: 4_178_944, defaultKey: true)
    ])

    static let agentFormat = PVEPropertyFormat(properties: [
        "enabled": .boolean(defaultKey: true), "fstrim_cloned_disks": .boolean(), "freeze-fs-on-backup": .boolean(),
        "freeze-fs": .boolean(), "type": .string(enumValues: ["virtio", "isa"]),
    ])

    static let vgaFormat = PVEPropertyFormat(properties: [
        "type": .string(
            enumValues: [
                "cirrus", "qxl", "qxl2", "qxl3", "qxl4", "none", "serial0", "serial1", "serial2", "serial3", "std",
                "virtio", "virtio-gl", "vmware",
            ], defaultKey: true),
        "memory": .integer(minimum: 4, maximum: 512), "clipboard": .string(enumValues: ["vnc"]),
    ])

    static let netFormat = PVEPropertyFormat(properties: [
        "model": .string(optional: false, enumValues: netModels, defaultKey: true),
        "macaddr": .string(pattern: #"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}"#),
        "bridge": .string(pattern: #"[-_.\w\d]+"#), "tag": .integer(minimum: 1, maximum: 4094),
        "trunks": .string(pattern: #"\d+(?:-\d+)?(?:;\d+(?:-\d+)?)*"#), "rate": .number(minimum: 0),
        "queues": .integer(minimum: 0, maximum: 64), "firewall": .boolean(), "link_down": .boolean(),
        "mtu": .integer(minimum: 1, maximum: 65520),
    ])

    /// `net0` values write the model as the key of the MAC (`virtio=BC:24:11:…`): turn that into
    /// `model=virtio,macaddr=…` before checking, as PVE's key aliases do.
    static let netVerifier = PVEFormat.verifier { value in
        netFailure(value, path: "net")
    }

    static func netFailure(_ value: String, path: String) -> String? {
        switch PVESchema.parsePropertyString(normalizedNet(value), netFormat, path: path) {
        case .success: return nil
        case .failure(let failure): return failure.text
        }
    }

    static func normalizedNet(_ value: String) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
            let pieces = part.split(separator: "=", maxSplits: 1)
            if pieces.count == 2, netModels.contains(String(pieces[0])) {
                return "model=\(pieces[0]),macaddr=\(pieces[1])"
            }
            return String(part)
        }.joined(separator: ",")
    }

    /// Every key `PUT/POST …/config` accepts (confdesc with disk allocation, minus the
    /// snapshot-only keys), without the API's own parameters.
    static let configProperties: [String: PVEProp] = {
        var p: [String: PVEProp] = [
            "onboot": .boolean(), "autostart": .boolean(), "reboot": .boolean(), "protection": .boolean(),
            "template": .boolean(), "numa": .boolean(), "acpi": .boolean(), "kvm": .boolean(), "tablet": .boolean(),
            "localtime": .boolean(), "freeze": .boolean(), "ciupgrade": .boolean(), "tdf": .boolean(),
            "cores": .integer(minimum: 1), "sockets": .integer(minimum: 1), "vcpus": .integer(minimum: 1),
            "balloon": .integer(minimum: 0), "shares": .integer(minimum: 0, maximum: 50000),
            "cpuunits": .integer(minimum: 1, maximum: 262_144), "migrate_speed": .integer(minimum: 0),
            "cpulimit": .number(minimum: 0, maximum: 128), "migrate_downtime": .number(minimum: 0),
            "memory": .string(format: .properties(memoryFormat)),
            "agent": .string(format: .properties(agentFormat)),
            "vga": .string(format: .properties(vgaFormat)),
            "name": .string(format: PVEFormats.dnsName),
            "description": .string(maxLength: 8192),
            "scsihw": .string(enumValues: [
                "lsi", "lsi53c810", "virtio-scsi-pci", "virtio-scsi-single", "megasas", "pvscsi",
            ]),
            "ostype": .string(enumValues: [
                "other", "wxp", "w2k", "w2k3", "w2k8", "wvista", "win7", "win8", "win10", "win11", "l24", "l26",
                "solaris",
            ]),
            "bios": .string(enumValues: ["seabios", "ovmf"]),
            "lock": .string(enumValues: [
                "backup", "clone", "create", "migrate", "rollback", "snapshot", "snapshot-delete", "suspending",
                "suspended",
            ]),
            "citype": .string(enumValues: ["configdrive2", "nocloud", "opennebula"]),
            "ciuser": .string(), "cipassword": .string(), "cicustom": .string(),
            "searchdomain": .string(), "nameserver": .string(format: PVEFormats.addressList),
            "sshkeys": .string(format: PVEFormats.urlencoded),
            "tags": .string(format: PVEFormats.tagList),
            "boot": .string(), "bootdisk": .string(pattern: #"(ide|sata|scsi|virtio)\d+"#),
            "cpu": .string(), "machine": .string(), "smbios1": .string(maxLength: 512), "hotplug": .string(),
            "startup": .string(), "args": .string(), "hookscript": .string(format: PVEFormats.volumeID),
            "vmgenid": .string(pattern: #"(?:[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}|[01])"#),
            "keyboard": .string(),
            "startdate": .string(pattern: #"(now|\d{4}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{1,2}:\d{1,2})?)"#),
            "vmstatestorage": .string(format: PVEFormats.storageID),
        ]
        for name in driveNames { p[name] = .string(format: .properties(driveFormat)) }
        for i in 0..<netCount {
            p["net\(i)"] = .string(format: .verifier { netFailure($0, path: "net\(i)") })
            p["ipconfig\(i)"] = .string(format: .properties(ipconfigFormat))
        }
        for i in 0..<serialCount { p["serial\(i)"] = .string(pattern: #"(/dev/[^,]+|socket)"#) }
        for i in 0..<256 { p["unused\(i)"] = .string(format: PVEFormats.volumeID) }
        return p
    }()

    /// Keys the config can hold but the API does not take (written by PVE itself).
    static let internalKeys: Set<String> = ["meta", "parent", "snaptime", "vmstate", "runningmachine", "runningcpu"]

    /// `option_exists`: a key `delete` may name.
    static func optionExists(_ key: String) -> Bool { configProperties[key] != nil || internalKeys.contains(key) }

    /// How `GET …/config` types a stored value: integer and boolean keys are JSON numbers,
    /// everything else (memory and agent included, since PVE 8.1 memory is a property string)
    /// is a string.
    static func isNumeric(_ key: String) -> Bool {
        guard let prop = configProperties[key] else { return false }
        return prop.kind != .string
    }

    /// Keys applied at once even while the VM runs (`$fast_plug_option` + cloud-init options,
    /// plus what the default hotplug set `network,disk,usb` covers).
    static func hotpluggable(_ key: String) -> Bool {
        let fast: Set<String> = [
            "description", "hookscript", "lock", "migrate_downtime", "migrate_speed", "name", "onboot", "protection",
            "shares", "startup", "tags", "vmstatestorage", "cicustom", "cipassword", "citype", "ciuser", "ciupgrade",
            "nameserver", "searchdomain", "sshkeys",
        ]
        if fast.contains(key) || key.hasPrefix("ipconfig") || key.hasPrefix("net") || key.hasPrefix("unused") {
            return true
        }
        return isDrive(key)
    }

    /// The privileges a key needs (`$check_vm_modify_config_perm`), with `any` when one of them
    /// is enough. Drives are checked per value elsewhere; nil means root only.
    static func privileges(for key: String) -> (privs: [String], any: Bool)? {
        let cpu: Set<String> = ["cores", "cpu", "cpulimit", "cpuunits", "numa", "smp", "sockets", "vcpus"]
        let memory: Set<String> = ["memory", "balloon", "shares", "allow-ksm"]
        let hwtype: Set<String> = [
            "acpi", "hotplug", "kvm", "machine", "scsihw", "smbios1", "tablet", "vga", "watchdog",
        ]
        let general: Set<String> = [
            "agent", "autostart", "bios", "description", "keyboard", "localtime", "migrate_downtime", "migrate_speed",
            "name", "onboot", "ostype", "protection", "reboot", "startdate", "startup", "tdf", "template",
        ]
        let disk: Set<String> = ["boot", "bootdisk", "vmstatestorage"]
        let cloudinit: Set<String> = [
            "cicustom", "cipassword", "citype", "ciuser", "ciupgrade", "nameserver", "searchdomain", "sshkeys",
        ]
        if isDrive(key) || key.hasPrefix("unused") || key.hasPrefix("serial") || key == "tags" { return ([], false) }
        if cpu.contains(key) { return (["VM.Config.CPU"], false) }
        if memory.contains(key) { return (["VM.Config.Memory"], false) }
        if hwtype.contains(key) { return (["VM.Config.HWType"], false) }
        if general.contains(key) { return (["VM.Config.Options"], false) }
        if key == "freeze" { return (["VM.PowerMgmt"], false) }
        if disk.contains(key) { return (["VM.Config.Disk"], false) }
        if key.hasPrefix("net") { return (["VM.Config.Network"], false) }
        if cloudinit.contains(key) || key.hasPrefix("ipconfig") {
            return (["VM.Config.Cloudinit", "VM.Config.Network"], true)
        }
        return nil
    }

    /// `PVE::JSONSchema::format_size`: bytes → `32G`, `3584M`, `4M`, …
    static func formatSize(_ bytes: Int) -> String {
        let kb = bytes / 1024
        if kb * 1024 != bytes { return String(bytes) }
        let mb = kb / 1024
        if mb * 1024 != kb { return "\(kb)K" }
        let gb = mb / 1024
        if gb * 1024 != mb { return "\(mb)M" }
        let tb = gb / 1024
        if tb * 1024 != gb { return "\(gb)G" }
        return "\(tb)T"
    }

    /// Whether `s` reads as a `disk-size` (`\d+(\.\d+)?[KMGT]?`), checked without compiling a
    /// Regex: the lab's nodes read every guest's disk sizes on each of their passes.
    static func isSize(_ s: String) -> Bool {
        var body = Substring(s)
        if let last = body.last, "KMGT".contains(last) { body = body.dropLast() }
        return body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit)
        }
    }

    /// `disk-size` → bytes (`32G`, `3584M`, `1.5T`, plain bytes).
    static func parseSize(_ s: String) -> Int? {
        guard isSize(s) else { return nil }
        var number = s
        var factor = 1.0
        if let last = s.last, "KMGT".contains(last) {
            number = String(s.dropLast())
            let power: Double
            switch last {
            case "K": power = 1
            case "M": power = 2
            case "G": power = 3
            default: power = 4
            }
            factor = pow(1024.0, power)
        }
        guard let v = Double(number) else { return nil }
        return Int(v * factor)
    }

    /// Checks an OpenSSH public key line the way `ssh-keygen -l` would accept it: a known key
    /// type followed by base64 whose first field names the same type.
    static func isValidSSHPublicKey(_ line: String) -> Bool {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let types: Set<String> = [
            "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        ]
        guard let typeIndex = fields.firstIndex(where: { types.contains($0) }), typeIndex + 1 < fields.count,
            let blob = Base64.decode(fields[typeIndex + 1]), blob.count > 4
        else { return false }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length > 0, 4 + length <= blob.count else { return false }
        return String(decoding: blob[4..<4 + length], as: UTF8.self) == fields[typeIndex]
    }
}
