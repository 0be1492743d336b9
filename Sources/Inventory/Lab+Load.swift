public import HLSCore
import HLSFormats
import HLSTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Lab {
    /// Reads and validates an inventory file. Every problem is reported at once, each naming
    /// the file, line, column and field; the first is thrown with the rest as its `others`.
    public static func load(path: String) throws(HLSError) -> Lab {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HLSError.unreadable(
                path, "the inventory", kind: .configuration, hint: "create it from scripts/homelab.yaml")
        }
        return try parse(text, file: path)
    }

    /// All the problems of an inventory text; empty when it is valid.
    public static func problems(_ text: String, file: String) -> [HLSError] {
        do {
            let root = try yaml(text, file: file)
            var problems: [HLSError] = []
            _ = decode(root, file: file, problems: &problems)
            return problems
        } catch {
            return [error]
        }
    }

    public static func parse(_ text: String, file: String) throws(HLSError) -> Lab {
        let root = try yaml(text, file: file)
        var problems: [HLSError] = []
        let lab = decode(root, file: file, problems: &problems)
        guard problems.isEmpty, let lab else {
            var first = problems.first ?? HLSError(.configuration, "invalid inventory", at: .source(root.location))
            first.others = Array(problems.dropFirst())
            throw first
        }
        return lab
    }

    static func decode(_ root: LocatedYAML, file: String, problems: inout [HLSError]) -> Lab? {
        let reader = InventoryReader()
        let top = InventoryReader.Fields(reader, root, path: "")
        let name = top.string("name", required: false) ?? "homelab"
        let proxmox = decodeProxmox(top, reader)
        let template = decodeTemplate(top)
        let storage = top.string("storage", "a PVE storage id such as local-lvm") ?? ""
        let bridge = top.string("bridge", required: false) ?? "vmbr0"
        let (network, gatewayAt) = decodeNetwork(top, reader)
        let ssh = decodeSSH(top)
        let vms = decodeVMs(top, reader, proxmox: proxmox, network: network, gatewayAt: gatewayAt)
        let k3s = decodeK3s(top, reader)
        let gitops = decodeGitOps(top, labName: name)
        let domain = top.string("domain", required: false)
        top.finish()
        problems = reader.problems
        return Lab(
            name: name, file: file, proxmox: proxmox, template: template, storage: storage, bridge: bridge,
            network: network,
            ssh: ssh, vms: vms, k3s: k3s, gitops: gitops, domain: domain)
    }

    /// `proxmox:`: the API endpoint, node names and how to trust the certificate.
    static func decodeProxmox(_ top: InventoryReader.Fields, _ reader: InventoryReader) -> ProxmoxSettings {
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
        return proxmox
    }

    /// `template:`: the cloud-init template VM that new VMs are cloned from.
    static func decodeTemplate(_ top: InventoryReader.Fields) -> TemplateSpec {
        var template = TemplateSpec(name: "", vmid: nil)
        if let t = top.fields("template") {
            template.name = t.string("name", "the template VM's name") ?? ""
            template.vmid = t.int("vmid", required: false, range: 100...999_999_999)
            t.finish()
        }
        return template
    }

    /// `network:`: gateway, DNS and search domain; also where the gateway was written, for messages.
    static func decodeNetwork(_ top: InventoryReader.Fields, _ reader: InventoryReader) -> (
        NetworkSpec, SourceLocation?
    ) {
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
        return (network, gatewayAt)
    }

    /// `ssh:`: the login user, its public keys, and whether new host keys are accepted.
    static func decodeSSH(_ top: InventoryReader.Fields) -> SSHSettings {
        var ssh = SSHSettings(user: "ubuntu", publicKeys: [], acceptNewHostKeys: false)
        if let s = top.fields("ssh") {
            ssh.user = s.string("user", "a login name") ?? "ubuntu"
            ssh.publicKeys = s.strings("public_keys")
            if ssh.publicKeys.isEmpty { s.missing("public_keys", "paths of public keys, e.g. [~/.ssh/id_ed25519.pub]") }
            ssh.acceptNewHostKeys = s.bool("accept_new_host_keys", default: false)
            s.finish()
        }
        return ssh
    }

    /// `k3s:`: the pinned release and the cluster and service CIDRs.
    static func decodeK3s(_ top: InventoryReader.Fields, _ reader: InventoryReader) -> K3sSettings {
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
        return k3s
    }

    /// `gitops:` (optional): the Flux repository, branch and path.
    static func decodeGitOps(_ top: InventoryReader.Fields, labName name: String) -> GitOpsSettings? {
        var gitops: GitOpsSettings? = nil
        if let g = top.fields("gitops", required: false) {
            gitops = GitOpsSettings(
                url: g.string("url", "a git URL") ?? "", branch: g.string("branch", required: false) ?? "main",
                path: g.string("path", required: false) ?? "kubernetes/clusters/\(name)")
            gitops?.fluxVersion = g.string("flux_version", required: false, "a Flux release such as v2.9.4") ?? "v2.9.4"
            gitops?.installSHA256 = g.string("install_sha256", required: false, "the SHA-256 of install.yaml, 64 hex")
            gitops?.ageKeyFile = g.string("age_key_file", required: false, "a path to an age key file")
            g.finish()
        }
        return gitops
    }

    /// RFC 1123 label: what PVE accepts as a VM name and what a hostname needs.
    public static func isDNSName(_ s: String) -> Bool {
        guard (1...63).contains(s.count), s.first != "-", s.last != "-" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// The inventory's YAML: text that does not parse is the inventory's problem, a
    /// configuration error like every other (exit 1, ADR 0043).
    private static func yaml(_ text: String, file: String) throws(HLSError) -> LocatedYAML {
        do {
            return try LocatedYAML.parse(text, file: file)
        } catch {
            throw error.asKind(.configuration)
        }
    }
}
