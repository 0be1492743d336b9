import HLSCore
import HLSTransport

extension Lab {
    /// `vms:`: each VM's fields checked on their own and against `proxmox.nodes` and the
    /// gateway's network, then across VMs.
    static func decodeVMs(
        _ top: InventoryReader.Fields, _ reader: InventoryReader, proxmox: ProxmoxSettings, network: NetworkSpec,
        gatewayAt: SourceLocation?
    ) -> [VMSpec] {
        let entries = top.list("vms")
        let vms = entries.compactMap { f, path in
            decodeVM(f, path: path, reader, proxmox: proxmox, network: network, gatewayAt: gatewayAt)
        }
        checkAcross(vms, reader, top, complete: vms.count == entries.count)
        return vms
    }

    /// One entry of `vms:`; nil when a field it cannot do without is missing or wrong (the
    /// reader has the problem).
    static func decodeVM(
        _ f: InventoryReader.Fields, path: String, _ reader: InventoryReader, proxmox: ProxmoxSettings,
        network: NetworkSpec, gatewayAt: SourceLocation?
    ) -> VMSpec? {
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
        let dataMount = f.string("data_mount", required: false, "an absolute path such as /var/lib/longhorn")
        if let dataMount, let at = f.node("data_mount")?.location {
            if !dataMount.hasPrefix("/") || dataMount == "/" || dataMount.contains(where: \.isWhitespace) {
                reader.problem(
                    "\(path).data_mount",
                    "expected an absolute directory such as /var/lib/longhorn, got '\(dataMount)'",
                    at: at)
            } else if dataDisk == nil {
                reader.problem(
                    "\(path).data_mount", "data_mount needs a data_disk to mount (e.g. data_disk: 100G)", at: at)
            }
        }
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
        guard let vmName, let host, let cores, let memory, let osDisk, let ip else { return nil }
        return VMSpec(
            name: vmName, host: host, vmid: vmid, role: role, cores: cores, memory: memory, osDisk: osDisk,
            dataDisk: dataDisk, dataMount: dataMount, ip: ip, sshPort: sshPort, tags: tags, declaredAt: f.at)
    }

    /// Across VMs: names, VMIDs and addresses are unique; one server at least, checked only when
    /// every entry could be read (`complete`): a server whose `cores: four` is wrong is still a
    /// server, and "no VM has role: server" came first, at the top of the file, before the
    /// real problem.
    static func checkAcross(
        _ vms: [VMSpec], _ reader: InventoryReader, _ top: InventoryReader.Fields, complete: Bool
    ) {
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
        if complete && !vms.isEmpty && !vms.contains(where: { $0.role == .server }) {
            reader.problem("vms", "no VM has role: server (k3s needs a control plane)", at: top.at)
        }
    }
}
