import HLSCore
import HLSCrypto

/// What qemu-server writes onto a VM's cloud-init drive (nocloud for Linux guests), generated
/// from the config the way `PVE::QemuServer::Cloudinit` does: user-data, network-config
/// (version 1) and meta-data (an instance-id hashed from the other two).
enum PVECloudInit {
    static func userData(_ conf: [String: String], vmid: Int) -> String {
        let (hostname, fqdn) = hostnames(conf, vmid: vmid)
        var out = "#cloud-config\nhostname: \(hostname)\nmanage_etc_hosts: true\nfqdn: \(fqdn)\n"
        let user = conf["ciuser"]
        if let user { out += "user: \(user)\n" }
        if user == "root" { out += "disable_root: False\n" }
        if let password = conf["cipassword"] { out += "password: \(password)\n" }
        if let keys = conf["sshkeys"] {
            out += "ssh_authorized_keys:\n"
            for key in FormDecoding.percentDecode(keys).split(separator: "\n")
            where key.contains(where: { !$0.isWhitespace }) {
                out += "  - \(key.hasSuffix("\r") ? String(key.dropLast()) : String(key))\n"
            }
        }
        out += "chpasswd:\n  expire: False\n"
        if user != "root" { out += "users:\n  - default\n" }
        if conf["ciupgrade"] != "0" { out += "package_upgrade: true\n" }
        return out
    }

    static func networkConfig(_ conf: [String: String], node: PVESimulatorConfig.Node) -> String {
        if conf["citype"] == "configdrive2" { return configDrive2Network(conf, node: node) }
        var out = "version: 1\nconfig:\n"
        for iface in netKeys(conf) {
            let id = iface.dropFirst(3)
            guard let ipconfig = conf["ipconfig\(id)"] else { continue }
            let ip = PVEDrive.parse(ipconfig, defaultKey: "ip")
            let mac = (PVEDrive.parse(PVEQemuSchema.normalizedNet(conf[iface]!), defaultKey: "model")["macaddr"] ?? "")
                .lowercased()
            out += "    - type: physical\n      name: eth\(id)\n      mac_address: '\(mac)'\n      subnets:\n"
            let i = "      "
            if let v4 = ip["ip"] {
                if v4 == "dhcp" {
                    out += "\(i)- type: dhcp4\n"
                } else if let (addr, prefix) = splitCIDR(v4) {
                    out += "\(i)- type: static\n\(i)  address: '\(addr)'\n\(i)  netmask: '\(netmask(prefix))'\n"
                    if let gw = ip["gw"] { out += "\(i)  gateway: '\(gw)'\n" }
                }
            }
            if let v6 = ip["ip6"] {
                if v6 == "dhcp" {
                    out += "\(i)- type: dhcp6\n"
                } else if v6 == "auto" {
                    out += "\(i)- type: ipv6_slaac\n"
                } else {
                    out += "\(i)- type: static6\n\(i)  address: '\(v6)'\n"
                    if let gw = ip["gw6"] { out += "\(i)  gateway: '\(gw)'\n" }
                }
            }
        }
        let (search, servers) = dns(conf, node: node)
        out += "    - type: nameserver\n"
        if !servers.isEmpty {
            out += "      address:\n"
            for s in servers { out += "      - '\(s)'\n" }
        }
        if !search.isEmpty {
            out += "      search:\n"
            for s in search { out += "      - '\(s)'\n" }
        }
        return out
    }

    static func metaData(_ conf: [String: String], vmid: Int, node: PVESimulatorConfig.Node) -> String {
        let seed = userData(conf, vmid: vmid) + networkConfig(conf, node: node)
        return "instance-id: \(Hex.encode(SHA.sha1(Array(seed.utf8))))\n"
    }

    private static func configDrive2Network(_ conf: [String: String], node: PVESimulatorConfig.Node) -> String {
        var out = "auto lo\niface lo inet loopback\n\n"
        let (search, servers) = dns(conf, node: node)
        if !servers.isEmpty { out += "        dns_nameservers \(servers.joined(separator: " "))\n" }
        if !search.isEmpty { out += "        dns_search \(search.joined(separator: " "))\n" }
        for iface in netKeys(conf) {
            let id = iface.dropFirst(3)
            guard let ipconfig = conf["ipconfig\(id)"] else { continue }
            let ip = PVEDrive.parse(ipconfig, defaultKey: "ip")
            out += "auto eth\(id)\n"
            if let v4 = ip["ip"] {
                if v4 == "dhcp" {
                    out += "iface eth\(id) inet dhcp\n"
                } else if let (addr, prefix) = splitCIDR(v4) {
                    out += "iface eth\(id) inet static\n        address \(addr)\n        netmask \(netmask(prefix))\n"
                    if let gw = ip["gw"] { out += "        gateway \(gw)\n" }
                }
            }
        }
        return out
    }

    /// `get_hostname_fqdn`: the name (or `VM<id>`), qualified by `searchdomain` if it has no dot.
    static func hostnames(_ conf: [String: String], vmid: Int) -> (String, String) {
        let name = conf["name"] ?? "VM\(vmid)"
        if let dot = name.firstIndex(of: ".") { return (String(name[..<dot]), name) }
        if let search = conf["searchdomain"], !search.isEmpty { return (name, "\(name).\(search)") }
        return (name, name)
    }

    /// `get_dns_conf`: the VM's settings, else the node's resolv.conf.
    static func dns(_ conf: [String: String], node: PVESimulatorConfig.Node) -> ([String], [String]) {
        let search = (conf["searchdomain"] ?? node.searchDomain).split(whereSeparator: \.isWhitespace).map(String.init)
        let servers =
            conf["nameserver"].map { $0.split(whereSeparator: \.isWhitespace).map(String.init) } ?? node.dnsServers
        return (search, servers)
    }

    static func netKeys(_ conf: [String: String]) -> [String] {
        conf.keys.filter { $0.hasPrefix("net") && Int($0.dropFirst(3)) != nil }.sorted()
    }

    static func splitCIDR(_ s: String) -> (String, Int)? {
        let parts = s.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]) else { return nil }
        return (String(parts[0]), prefix)
    }

    static func netmask(_ prefix: Int) -> String {
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        return [24, 16, 8, 0].map { String((mask >> UInt32($0)) & 0xFF) }.joined(separator: ".")
    }
}
