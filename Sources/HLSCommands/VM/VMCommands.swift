import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Proxmox

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `vm` object: Proxmox VE virtual machines, read and converged to the inventory.
enum VMCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("vm", summary: "Proxmox VE virtual machines, planned and applied from the inventory")
        for spec in [list, show, plan, apply] + power + [destroy, wait] { registry.register(spec) }
        registry.registerProvider(names)
    }

    static let target = Parameter("name", .name("vm"), "a VM name or VMID")
    static let selection = [
        Parameter("names", .name("vm"), "VMs of the inventory (default: with --all, every one)", variadic: true)
    ]
    static let allFlag = Flag("all", "every VM of the inventory")

    static let list = CommandSpec(
        ["vm", "list"], summary: "Every VM of the Proxmox cluster, with its node, state, size and address",
        flags: [Flag("templates", "include templates")],
        columns: ["name", "vmid", "node", "status", "template", "cores", "memory", "ip"],
        examples: [
            Example(
                #"vm list | where status == "running" | select name ip"#, "running VMs and their addresses",
                needsLab: true)
        ],
        implementation: .query { inv in
            let client = try ProxmoxService.client(inv)
            let lab = LabState.of(inv.context).lab
            let vms = try client.vmResources(cancellation: inv.context.cancellation)
                .filter { inv.flag("templates") || !$0.isTemplate }.sorted { $0.vmid < $1.vmid }
            return .list(
                try vms.map { vm in
                    var ip = lab?.vm(named: vm.name).map { $0.ip.description }
                    var cores = vm.maxCPU
                    if !vm.isTemplate {
                        let config = try client.config(
                            node: vm.node, vmid: vm.vmid, cancellation: inv.context.cancellation)
                        ip = ip ?? config["ipconfig0"].flatMap(address(fromIPConfig:))
                        cores = config["cores"].flatMap(Int.init) ?? cores
                    }
                    return .record(
                        Record([
                            ("name", .string(vm.name)), ("vmid", .int(vm.vmid)), ("node", .string(vm.node)),
                            ("status", .string(vm.status)), ("template", .bool(vm.isTemplate)),
                            ("cores", cores.map(Value.int) ?? .null),
                            ("memory", vm.maxMemory.map { .size(Int64($0)) } ?? .null),
                            ("ip", ip.map(Value.string) ?? .null),
                        ]))
                })
        })

    static let show = CommandSpec(
        ["vm", "show"], summary: "One VM in detail: state, config, disks, addresses from the guest agent",
        positionals: [target],
        examples: [Example("vm show k3s-cp-01 | get status", "is it running?", needsLab: true)],
        implementation: .query(showVM))

    /// `vm show`: one VM's state, config, disks and (from a running guest agent) addresses.
    static func showVM(_ inv: Invocation) throws -> Value {
        let client = try ProxmoxService.client(inv)
        let ref = try resolve(inv.string("name")!, inv, client: client)
        let status = try client.currentStatus(
            node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation)
        let config = try client.config(node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation)
        var record = Record([
            ("name", .string(ref.name)), ("vmid", .int(ref.vmid)), ("node", .string(ref.node)),
            ("status", .string(status.status)), ("template", .bool(ref.isTemplate)),
            ("cores", config["cores"].flatMap(Int.init).map(Value.int) ?? .null),
            ("memory", config["memory"].flatMap(Int64.init).map { .size($0 << 20) } ?? .null),
            ("ip", config["ipconfig0"].flatMap(address(fromIPConfig:)).map(Value.string) ?? .null),
            ("uptime", status.uptime.map { .duration(.seconds($0)) } ?? .null),
            ("lock", status.lock.map(Value.string) ?? .null),
            (
                "tags",
                .list(
                    VMDesiredConfig.normalizedTags(config["tags"] ?? "").split(separator: ";").map {
                        .string(String($0))
                    })
            ),
        ])
        var disks = Record()
        for key in config.keys where isDisk(key) && !(config[key] ?? "").contains("media=cdrom") {
            disks[key] = config.diskSize(key).map(Value.size) ?? .string(config[key] ?? "")
        }
        record["disks"] = .record(disks)
        if status.status == "running",
            config["agent"].map({ $0.hasPrefix("1") || $0.contains("enabled=1") }) == true,
            case .ready(let interfaces) = try client.agentInterfaces(
                node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation)
        {
            record["addresses"] = .list(interfaces.flatMap { i in i.addresses.map { .string("\(i.name) \($0)") } })
        }
        return .record(record)
    }

    static let plan = CommandSpec(
        ["vm", "plan"], summary: "What `vm apply` would change: the inventory against Proxmox, field by field",
        positionals: selection, flags: [allFlag],
        columns: ["vm", "field", "actual", "desired", "change"],
        examples: [Example(#"vm plan --all | where change != """#, "only the fields that differ", needsLab: true)],
        implementation: .query { inv in
            let (lab, vms) = try selected(inv)
            let planner = try VMPlanner(client: try ProxmoxService.client(inv), lab: lab, context: inv.context)
            return .list(try planner.plan(vms).rows.map(\.value))
        })

    static let apply = CommandSpec(
        ["vm", "apply"], summary: "Make the VMs what the inventory says: clone, configure, grow disks, start",
        discussion: """
            Each VM that is missing is cloned from the template on its host (a full clone), configured \
            (CPU, memory, data disk, cloud-init network, user and keys, guest agent, start at boot, tags), \
            its OS disk grown, and started, each step waiting for its Proxmox task. An existing VM gets only \
            what differs. Disks are grown, never shrunk or moved: such a plan is refused before anything is \
            written. A second run reports no change.
            """,
        positionals: selection, flags: [allFlag],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [Example("vm apply --all", "converge every VM of the inventory", needsLab: true)],
        implementation: .mutation { inv in
            let (lab, vms) = try selected(inv)
            let planner = try VMPlanner(client: try ProxmoxService.client(inv), lab: lab, context: inv.context)
            return ChangePlan(try planner.plan(vms).changes)
        })

    static let destroy = CommandSpec(
        ["vm", "destroy"], summary: "Stop a VM and delete it with its disks (asks for --yes)",
        positionals: [target], flags: [Flag("yes", short: "y", "really delete it")],
        examples: [Example("vm destroy k3s-wk-01 --yes", "delete the worker VM", needsLab: true)],
        implementation: .mutation { inv in
            let client = try ProxmoxService.client(inv)
            // A VM only the inventory declares is already gone: no change.
            guard case .inCluster(let ref) = try lookUp(inv.string("name")!, inv, client: client) else { return .none }
            guard !ref.isTemplate else { throw inv.failure("\(ref) is a template; hlsh does not delete templates") }
            guard inv.flag("yes") || inv.context.options.assumeYes || inv.context.options.dryRun else {
                throw inv.failure(
                    "destroying \(ref) deletes it and its disks",
                    hint: "add --yes to confirm (or -y to hlsh for a whole run)")
            }
            let steps = VMSteps(client: client, context: inv.context, name: ref.name)
            let reached = sshTarget(of: ref.name, inv: inv)
            return ChangePlan([
                Change(target: ref.name, action: "destroy", detail: "VM \(ref.vmid) on \(ref.node), with its disks") {
                    c in
                    if try client.currentStatus(node: ref.node, vmid: ref.vmid, cancellation: c).status == "running" {
                        NodeBootMark.record(vm: ref.name, verb: "vm destroy", inv.context, cancellation: c)
                        let stop = try steps.step("stop") {
                            try client.stop(node: ref.node, vmid: ref.vmid, cancellation: c)
                        }
                        try steps.wait(stop, "stopping \(ref.name)", c)
                    }
                    let upid = try steps.step("destroy") {
                        try client.destroy(node: ref.node, vmid: ref.vmid, cancellation: c)
                    }
                    try steps.wait(upid, "destroying \(ref.name)", c)
                    forgetHostKey(of: ref.name, at: reached, inv: inv)
                }
            ])
        })

    /// A destroyed VM's host key is gone with its disk, and the next VM at its address will have
    /// a new one: drop the old entry from the known_hosts hlsh checks it against (as
    /// `ssh-keygen -R` would), so rebuilding does not end in a "host key changed" refusal.
    static func forgetHostKey(of name: String, at target: SSHResolvedTarget?, inv: Invocation) {
        guard let target else { return }
        let (host, file) = (target.endpoint.knownHostsName, target.options.knownHostsPath)
        do throws(HLSError) {
            guard try SSHKnownHostsFile.forget(host, in: file) > 0 else { return }
            inv.context.err("vm destroy: forgot the host key of \(name) (\(host)) in \(file)\n")
        } catch {
            inv.context.err(
                "warning: vm destroy: the old host key of \(name) stays in \(file): \(error.message)\n"
                    + "  hint: ssh-keygen -R '\(host)' -f \(file)\n")
        }
    }

    /// Where SSH reaches the inventory VM `name` now (before it goes away), if anywhere; a
    /// warning when that cannot be told (its host key then stays in known_hosts).
    static func sshTarget(of name: String, inv: Invocation) -> SSHResolvedTarget? {
        guard let lab = LabState.of(inv.context).lab, let vm = lab.vm(named: name) else { return nil }
        do {
            return try NodeService.of(inv).connections.resolve(NodeService.inventoryTarget(vm, lab: lab).target)
        } catch {
            inv.context.err(
                "warning: vm destroy: cannot tell where SSH reaches \(name), so its host key is not forgotten: "
                    + "\((error as? HLSError)?.message ?? "\(error)")\n"
            )
            return nil
        }
    }

    // MARK: Helpers

    /// The inventory's VMs named on the command line, or all of them with `--all`.
    static func selected(_ inv: Invocation) throws -> (Lab, [VMSpec]) {
        let lab = try LabState.require(inv)
        let names = inv.list("names").map(Render.plain)
        if names.isEmpty {
            guard inv.flag("all") else { throw inv.usage("name the VMs, or give --all for every VM of \(lab.file)") }
            return (lab, lab.vms)
        }
        return (
            lab,
            try names.map { name in
                guard let vm = lab.vm(named: name) else {
                    throw inv.failure(
                        "\(name) is not in \(lab.file)",
                        hint: Suggest.nearest(name, in: lab.vms.map(\.name)).map { "did you mean \($0)?" }
                            ?? "its VMs: \(lab.vms.map(\.name).joined(separator: ", "))")
                }
                return vm
            }
        )
    }

    /// `ip=192.168.10.21/24,gw=…` → `192.168.10.21/24`.
    static func address(fromIPConfig text: String) -> String? {
        for part in text.split(separator: ",") where part.hasPrefix("ip=") {
            let ip = String(part.dropFirst(3))
            return ip == "dhcp" ? nil : ip
        }
        return nil
    }

    static func isDisk(_ key: String) -> Bool {
        ["scsi", "virtio", "sata", "ide"].contains {
            key.hasPrefix($0) && key.dropFirst($0.count).allSatisfy(\.isNumber)
        } && key != "scsihw"
    }

    /// VM names for completion: `vm start` offers stopped VMs, `vm stop` running ones.
    static let names = NameProvider(kind: "vm", ttl: .seconds(15)) { query in
        let client = try ProxmoxService.client(query.context)
        let vms = try client.vmResources().filter { !$0.isTemplate }
        let wanted: String? =
            switch query.command {
            case "vm start": "stopped"
            case "vm stop", "vm shutdown", "vm reboot": "running"
            default: nil
            }
        return vms.filter { wanted == nil || $0.status == wanted }.map {
            NameCandidate($0.name, detail: "\($0.status), \($0.node)")
        }
    }
}
