import HLSCore
import Inventory
import Proxmox

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a VM of the inventory should look like in Proxmox VE: the config keys hlsh manages,
/// with the values PVE stores, and how to compare them with what PVE reports.
struct VMDesiredConfig {
    let vm: VMSpec
    let lab: Lab
    /// Public keys read from the inventory's files (or given inline).
    let sshKeys: [String]

    /// The managed keys in the order a plan shows them.
    var settings: [(key: String, value: String)] {
        var s: [(String, String)] = [
            ("cores", String(vm.cores)),
            ("memory", String(vm.memory >> 20)),
            ("scsihw", "virtio-scsi-single"),
            ("agent", "1"),
            ("onboot", "1"),
            ("ciuser", lab.ssh.user),
            ("ciupgrade", "0"),
            ("ipconfig0", "ip=\(vm.ip),gw=\(IPv4Interface.format(lab.network.gateway))"),
        ]
        if !lab.network.dns.isEmpty { s.append(("nameserver", lab.network.dns.joined(separator: " "))) }
        if let domain = lab.network.searchDomain { s.append(("searchdomain", domain)) }
        if !vm.tags.isEmpty { s.append(("tags", VMDesiredConfig.normalizedTags(vm.tags.joined(separator: ";")))) }
        s.append(("sshkeys", sshKeys.joined(separator: "\n")))
        return s
    }

    /// The new data disk, as the `scsi1` value that makes PVE allocate it (size in GiB).
    var dataDiskAllocation: String? {
        vm.dataDisk.map { "\(lab.storage):\(max(1, $0 >> 30)),iothread=1,discard=on" }
    }

    /// Whether PVE's `actual` value means the same as `desired` for `key`.
    static func same(_ key: String, actual: String?, desired: String) -> Bool {
        guard let actual else { return false }
        switch key {
        case "agent":
            // `1`, `enabled=1`, `1,fstrim_cloned_disks=1` all mean on.
            let first = actual.split(separator: ",").first.map(String.init) ?? actual
            return (first == "1" || first == "enabled=1") == (desired == "1")
        case "tags":
            return normalizedTags(actual) == desired
        case "sshkeys":
            return Set(PVESSHKeys.decode(actual).map(keyBody))
                == Set(desired.split(separator: "\n").map { keyBody(String($0)) })
        case "nameserver":
            return actual.split(separator: " ") == desired.split(separator: " ")
        default:
            return actual == desired
        }
    }

    /// A key's type and base64, without its comment (PVE may keep or drop comments).
    static func keyBody(_ key: String) -> String {
        key.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Tags as PVE stores them: lowercase, sorted, unique, `;`-separated.
    static func normalizedTags(_ text: String) -> String {
        Array(Set(text.lowercased().split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(String.init)))
            .sorted().joined(separator: ";")
    }

    /// The keys of `ssh.public_keys`: a file's lines (`~` is the home directory, relative paths
    /// are taken from the inventory's folder), or a key written inline.
    static func readKeys(_ lab: Lab, environment: [String: String]) throws -> [String] {
        var keys: [String] = []
        for entry in lab.ssh.publicKeys {
            if entry.hasPrefix("ssh-") || entry.hasPrefix("ecdsa-") || entry.hasPrefix("sk-") {
                keys.append(entry)
                continue
            }
            var path = entry
            path = FilePaths.expandingHome(path, environment: environment)
            if !path.hasPrefix("/") { path = FilePaths.directory(of: lab.file) + "/" + path }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw HLSError(
                    .failed, "cannot read the public key \(entry) (ssh.public_keys in \(lab.file))",
                    hint: "create one with ssh-keygen -t ed25519, or list an existing .pub file",
                    cause: HLSError.describe(error))
            }
            keys += text.split(separator: "\n").map { String($0).trimmingWhitespace() }.filter {
                !$0.isEmpty && !$0.hasPrefix("#")
            }
        }
        return keys
    }
}
