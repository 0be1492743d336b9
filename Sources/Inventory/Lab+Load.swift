import Foundation
public import HLSCore
import HLSFormats
import HLSTransport

extension Lab {
    /// Reads and validates an inventory file. Every problem is reported at once, each naming
    /// the file, line, column and field; the first is thrown with the rest as its `others`.
    public static func load(path: String) throws(HLSError) -> Lab {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HLSError(.usage, "cannot read the inventory \(path)", hint: "create it from scripts/homelab.yaml")
        }
        return try parse(text, file: path)
    }

    /// All the problems of an inventory text; empty when it is valid.
    public static func problems(_ text: String, file: String) -> [HLSError] {
        do {
            let root = try LocatedYAML.parse(text, file: file)
            var problems: [HLSError] = []
            _ = decode(root, file: file, problems: &problems)
            return problems
        } catch {
            return [error]
        }
    }

    public static func parse(_ text: String, file: String) throws(HLSError) -> Lab {
        let root = try LocatedYAML.parse(text, file: file)
        var problems: [HLSError] = []
        let lab = decode(root, file: file, problems: &problems)
        guard problems.isEmpty, let lab else {
            var first = problems.first ?? HLSError(.syntax, "invalid inventory", at: .source(root.location))
            first.others = Array(problems.dropFirst())
            throw first
        }
        return lab
    }

    static func decode(_ root: LocatedYAML, file: String, problems: inout [HLSError]) -> Lab? {
        let reader = InventoryReader()
        let top = InventoryReader.Fields(reader, root, path: "")
        let name = top.string("name", required: false) ?? "homelab"

        var proxmox = ProxmoxSettings(
            endpoint: nil, nodes: [], caFile: nil, fingerprint: nil, insecure: false, tokenEnv: "PROXMOX_VE_API_TOKEN")
        if let p = top.fields("proxmox") {
            proxmox.endpoint = p.string("endpoint", required: false, "a URL such as https://pve1.lan:8006/")
            proxmox.endpointAt = p.node("endpoint")?.location
            proxmox.nodes = p.strings("nodes")
            if proxmox.nodes.isEmpty { p.missing("nodes", "the Proxmox node names, e.g. [pve1, pve2]") }
            proxmox.caFile = p.string("ca_file", required: false, "a path")
            if let text = p.string("fingerprint", required: false, "a SHA-256 certificate fingerprint") {
                do {
                    proxmox.fingerprint = try CertificateFingerprint(parsing: text, setting: "proxmox.fingerprint")
                } catch {
                    reader.problem(
                        p.sub("fingerprint"), "expected a SHA-256 certificate fingerprint, 32 hex pairs (AA:BB:…:FF)",
                        at: p.node("fingerprint")?.location ?? p.at, hint: error.hint)
                }
            }
            proxmox.insecure = p.bool("insecure", default: false)
            proxmox.allowHTTP = p.bool("allow_http", default: false)
            proxmox.tokenEnv =
                p.string("token_env", required: false, "an environment variable name") ?? "PROXMOX_VE_API_TOKEN"
            if let endpoint = proxmox.endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) {
                reader.problem("proxmox.endpoint", "expected an http(s):// URL, got '\(endpoint)'", at: p.at)
            }
            p.finish()
        }

        var template = TemplateSpec(name: "", vmid: nil)
        if let t = top.fields("template") {
            template.name = t.string("name", "the template VM's name") ?? ""
            template.vmid = t.int("vmid", required: false, range: 100...999_999_999)
            t.finish()
        }
        let storage = top.string("storage", "a PVE storage id such as local-lvm") ?? ""
        let bridge = top.string("bridge", required: false) ?? "vmbr0"

        var network = NetworkSpec(gateway: 0, dns: [], searchDomain: nil)
        var gatewayAt: SourceLocation? = nil
        if let n = top.fields("network") {
            if let g = n.string("gateway", "an IPv4 address") {
                if let a = IPv4Interface.parseAddress(g) {
                    network.gateway = a
                    gatewayAt = n.node("gateway")?.location
                } else {
                    reader.problem(
                        "network.gateway", "expected an IPv4 address, got '\(g)'",
                        at: n.node("gateway")?.location ?? n.at)
                }
            }
            network.dns = n.strings("dns")
            for (i, d) in network.dns.enumerated() where IPv4Interface.parseAddress(d) == nil {
                reader.problem(
                    "network.dns[\(i)]", "expected an IPv4 address, got '\(d)'", at: n.node("dns")?.location ?? n.at)
            }
            network.searchDomain = n.string("search_domain", required: false)
            n.finish()
        }

        var ssh = SSHSettings(user: "ubuntu", publicKeys: [], acceptNewHostKeys: false)
        if let s = top.fields("ssh") {
            ssh.user = s.string("user", "a login name") ?? "ubuntu"
            ssh.publicKeys = s.strings("public_keys")
            if ssh.publicKeys.isEmpty { s.missing("public_keys", "paths of public keys, e.g. [~/.ssh/id_ed25519.pub]") }
            ssh.acceptNewHostKeys = s.bool("accept_new_host_keys", default: false)
            s.finish()
        }

        var vms: [VMSpec] = []
        for (f, path) in top.list("vms") {
            let vmName = f.string("name", "a DNS name such as k3s-cp-01")
            if let vmName, !Lab.isDNSName(vmName) {
                reader.problem(
                    "\(path).name", "'\(vmName)' is not a valid DNS name (letters, digits and '-', at most 63, no '_')",
                    at: f.node("name")!.location)
            }
            let host = f.string("host", "a Proxmox node name")
            if let host, !proxmox.nodes.isEmpty, !proxmox.nodes.contains(host) {
                reader.problem(
                    "\(path).host", "'\(host)' is not one of proxmox.nodes (\(proxmox.nodes.joined(separator: ", ")))",
                    at: f.node("host")!.location)
            }
            let vmid = f.int("vmid", required: false, range: 100...999_999_999)
            var role = VMSpec.Role.agent
            if let r = f.string("role", "server or agent") {
                if let parsed = VMSpec.Role(rawValue: r) {
                    role = parsed
                } else {
                    reader.problem("\(path).role", "expected server or agent, got '\(r)'", at: f.node("role")!.location)
                }
            }
            let cores = f.int("cores", range: 1...512)
            let memory = f.size("memory", minimum: 512 << 20)
            let osDisk = f.size("os_disk", minimum: 4 << 30)
            let dataDisk = f.size("data_disk", required: false, minimum: 1 << 30)
            var ip: IPv4Interface? = nil
            if let text = f.string("ip", "an address with its prefix, e.g. 192.168.10.11/24") {
                ip = IPv4Interface(text)
                if ip == nil {
                    reader.problem(
                        "\(path).ip", "expected an address with its prefix such as 192.168.10.11/24, got '\(text)'",
                        at: f.node("ip")!.location)
                }
                if let ip, let gatewayAt, network.gateway != 0, !ip.contains(network.gateway) {
                    reader.problem(
                        "\(path).ip",
                        "\(ip) is not in the same network as the gateway \(IPv4Interface.format(network.gateway)) (\(gatewayAt))",
                        at: f.node("ip")!.location)
                }
            }
            let sshPort = f.int("ssh_port", required: false, range: 1...65535) ?? 22
            let tags = f.strings("tags")
            f.finish()
            if let vmName, let host, let cores, let memory, let osDisk, let ip {
                vms.append(
                    VMSpec(
                        name: vmName, host: host, vmid: vmid, role: role, cores: cores, memory: memory, osDisk: osDisk,
                        dataDisk: dataDisk, ip: ip, sshPort: sshPort, tags: tags, declaredAt: f.at))
            }
        }
        // Across VMs: names, VMIDs and addresses are unique; one server at least.
        for (i, vm) in vms.enumerated() {
            if let first = vms[..<i].first(where: { $0.name == vm.name }) {
                reader.problem(
                    "vms[\(i)].name", "'\(vm.name)' is declared twice (first at \(first.declaredAt))", at: vm.declaredAt
                )
            }
            if let id = vm.vmid, let first = vms[..<i].first(where: { $0.vmid == id }) {
                reader.problem("vms[\(i)].vmid", "\(id) is already used by \(first.name)", at: vm.declaredAt)
            }
            if let first = vms[..<i].first(where: { $0.ip.address == vm.ip.address }) {
                reader.problem(
                    "vms[\(i)].ip", "\(vm.ip.addressText) is already used by \(first.name)", at: vm.declaredAt)
            }
        }
        if !vms.isEmpty && !vms.contains(where: { $0.role == .server }) {
            reader.problem("vms", "no VM has role: server (k3s needs a control plane)", at: top.at)
        }

        var k3s = K3sSettings(version: "", clusterCIDR: "10.42.0.0/16", serviceCIDR: "10.43.0.0/16")
        if let k = top.fields("k3s") {
            k3s.version = k.string("version", "a k3s release such as v1.31.4+k3s1") ?? ""
            if !k3s.version.isEmpty, !k3s.version.hasPrefix("v") || !k3s.version.contains("+k3s") {
                reader.problem(
                    "k3s.version", "expected a k3s release such as v1.31.4+k3s1, got '\(k3s.version)'",
                    at: k.node("version")!.location)
            }
            k3s.clusterCIDR = k.string("cluster_cidr", required: false) ?? k3s.clusterCIDR
            k3s.serviceCIDR = k.string("service_cidr", required: false) ?? k3s.serviceCIDR
            k.finish()
        }
        var gitops: GitOpsSettings? = nil
        if let g = top.fields("gitops", required: false) {
            gitops = GitOpsSettings(
                url: g.string("url", "a git URL") ?? "", branch: g.string("branch", required: false) ?? "main",
                path: g.string("path", required: false) ?? "kubernetes/clusters/\(name)")
            g.finish()
        }
        let domain = top.string("domain", required: false)
        top.finish()
        problems = reader.problems
        return Lab(
            name: name, file: file, proxmox: proxmox, template: template, storage: storage, bridge: bridge,
            network: network,
            ssh: ssh, vms: vms, k3s: k3s, gitops: gitops, domain: domain)
    }

    /// RFC 1123 label: what PVE accepts as a VM name and what a hostname needs.
    public static func isDNSName(_ s: String) -> Bool {
        guard (1...63).contains(s.count), s.first != "-", s.last != "-" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
