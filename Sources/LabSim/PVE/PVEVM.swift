import HLSCore
import HLSCrypto

/// One QEMU guest: its config as PVE stores it (every value a string, as in
/// `/etc/pve/nodes/NODE/qemu-server/VMID.conf`), pending changes, and its run state.
struct PVEVM: Sendable {
    var vmid: Int
    var node: String
    var config: [String: String]
    /// Changes that wait for the next start (the config file's `[PENDING]` section).
    var pending: [String: String] = [:]
    var pendingDelete: [String] = []
    var running = false
    /// When the VM last started; drives uptime and when the guest agent answers.
    var startedAt: Double? = nil
    var pid: Int? = nil

    var lock: String? { config["lock"] }
    var isTemplate: Bool { config["template"] == "1" }
    var name: String? { config["name"] }

    /// The config with pending changes applied, as `GET …/config` shows it by default.
    var effectiveConfig: [String: String] {
        var c = config
        for (k, v) in pending { c[k] = v }
        for k in pendingDelete { c[k] = nil }
        return c
    }

    /// The config file's text, in PVE's layout: the description as `#` comment lines, keys in
    /// sorted order, then a `[PENDING]` section.
    var configText: String {
        var text = ""
        if let description = config["description"] {
            for line in description.split(separator: "\n", omittingEmptySubsequences: false) {
                text += "#\(line)\n"
            }
        }
        for key in config.keys.sorted() where key != "description" { text += "\(key): \(config[key]!)\n" }
        if !pending.isEmpty || !pendingDelete.isEmpty {
            text += "\n[PENDING]\n"
            for key in pending.keys.sorted() { text += "\(key): \(pending[key]!)\n" }
            if !pendingDelete.isEmpty { text += "delete: \(pendingDelete.joined(separator: ","))\n" }
        }
        return text
    }

    /// SHA-1 of the config file, as `digest` in `GET …/config`.
    var digest: String { Hex.encode(SHA.sha1(Array(configText.utf8))) }

    /// vCPUs: `vcpus` if set, else sockets × cores.
    var cpus: Int {
        let c = effective("cores").flatMap(Int.init) ?? 1
        let s = effective("sockets").flatMap(Int.init) ?? 1
        return config["vcpus"].flatMap(Int.init) ?? c * s
    }

    /// Bytes of RAM (`memory` is MiB, default 512; `current=` form allowed).
    var maxmem: Int {
        guard let raw = config["memory"] else { return 512 << 20 }
        let current = PVEDrive.parse(raw, defaultKey: "current")["current"] ?? raw
        return (Int(current) ?? 512) << 20
    }

    private func effective(_ key: String) -> String? { config[key] }

    /// The boot disk: first disk of `boot: order=…`, else the first of scsi0/virtio0/sata0/ide0.
    var bootDisk: String? {
        if let boot = config["boot"], let order = PVEDrive.parse(boot, defaultKey: "legacy")["order"] {
            for dev in order.split(separator: ";").map(String.init) where PVEQemuSchema.isDrive(dev) {
                if let value = config[dev], !PVEDrive.isCDROM(value) { return dev }
            }
        }
        return ["scsi0", "virtio0", "sata0", "ide0"].first { config[$0] != nil }
    }

    /// Bytes of the boot disk, from its `size=`.
    var maxdisk: Int {
        guard let disk = bootDisk, let value = config[disk],
            let size = PVEDrive.parse(value)["size"].flatMap(PVEQemuSchema.parseSize)
        else { return 0 }
        return size
    }

    var agentEnabled: Bool {
        guard let raw = config["agent"] else { return false }
        let enabled = PVEDrive.parse(raw, defaultKey: "enabled")["enabled"] ?? "0"
        return PVESchema.parseBoolean(enabled) == "1"
    }

    /// Disks (not CD-ROMs, not cloud-init) as (key, parsed drive).
    var disks: [(key: String, drive: [String: String])] {
        PVEQemuSchema.driveNames.compactMap { key in
            guard let value = config[key] else { return nil }
            let drive = PVEDrive.parse(value)
            return (key, drive)
        }
    }

    static func randomMAC() -> String {
        "BC:24:11:"
            + (0..<3).map { _ in Hex.encode([UInt8.random(in: 0...255)], uppercase: true) }.joined(separator: ":")
    }

    static func randomUUID() -> String {
        var b = (0..<16).map { _ in UInt8.random(in: 0...255) }
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let h = Hex.encode(b)
        let c = Array(h)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }
}

/// Drive and other property strings as stored: parse without validation, print in PVE's order
/// (the default key's bare value first, then the other keys sorted).
enum PVEDrive {
    static func parse(_ value: String, defaultKey: String = "file") -> [String: String] {
        var out: [String: String] = [:]
        for part in value.split(separator: ",") {
            if let eq = part.firstIndex(of: "=") {
                out[String(part[..<eq])] = String(part[part.index(after: eq)...])
            } else {
                out[defaultKey] = String(part)
            }
        }
        return out
    }

    static func print(_ drive: [String: String], defaultKey: String = "file") -> String {
        var parts: [String] = []
        if let file = drive[defaultKey] { parts.append(file) }
        for key in drive.keys.sorted() where key != defaultKey { parts.append("\(key)=\(drive[key]!)") }
        return parts.joined(separator: ",")
    }

    static func isCDROM(_ value: String) -> Bool {
        let d = parse(value)
        return d["media"] == "cdrom" || d["file"] == "cdrom"
    }

    static func isCloudInit(_ value: String) -> Bool {
        guard let file = parse(value)["file"] else { return false }
        return file.hasSuffix(":cloudinit") || file.contains("-cloudinit")
    }
}
