import HLSCore
import HLSLanguage
import Inventory
import Proxmox

/// Compares the inventory's VMs with what Proxmox VE reports, field by field, and turns the
/// differences into changes. Planning only reads; the changes' `apply` closures write.
struct VMPlanner {
    let client: PVEClient
    let lab: Lab
    let context: ExecutionContext
    let sshKeys: [String]

    /// One line of `vm plan`: a field of a VM, what PVE has, what the inventory wants.
    struct Row {
        var vm: String
        var field: String
        var actual: String
        var desired: String
        /// `create`, `update`, `resize`, `start`, or "" when it already matches.
        var change: String

        var value: Value {
            .record(
                Record([
                    ("vm", .string(vm)), ("field", .string(field)), ("actual", .string(actual)),
                    ("desired", .string(desired)), ("change", .string(change)),
                ]))
        }
    }

    struct Plan {
        var rows: [Row] = []
        var changes: [Change] = []
    }

    init(client: PVEClient, lab: Lab, context: ExecutionContext) throws {
        self.client = client
        self.lab = lab
        self.context = context
        self.sshKeys = try VMDesiredConfig.readKeys(lab, environment: context.environment)
    }

    func plan(_ vms: [VMSpec]) throws -> Plan {
        let resources = try resourcesAfterClones(on: Set(vms.map(\.host)))
        var plan = Plan()
        for vm in vms {
            let desired = VMDesiredConfig(vm: vm, lab: lab, sshKeys: sshKeys)
            if let vmid = vm.vmid, let other = resources.first(where: { $0.vmid == vmid && $0.name != vm.name }) {
                throw HLSError(
                    .failed, "VMID \(vmid) of \(vm.name) is taken by '\(other.name)' on \(other.node)",
                    at: .source(vm.declaredAt),
                    hint: "choose another vmid in \(lab.file), or remove it to let Proxmox pick one")
            }
            let matches = resources.filter { !$0.isTemplate && $0.name == vm.name }
            if matches.count > 1 {
                throw HLSError(
                    .failed,
                    "\(matches.count) VMs are named \(vm.name): \(matches.map { "\($0.vmid) on \($0.node)" }.joined(separator: ", "))",
                    at: .source(vm.declaredAt), hint: "rename or remove the extra ones; hlsh manages one VM per name")
            }
            if let existing = matches.first {
                try planExisting(vm, existing, desired, into: &plan)
            } else {
                try planCreate(vm, desired, resources: resources, into: &plan)
            }
        }
        return plan
    }

    /// The cluster's VMs once no clone is under way on `hosts`. A clone's VM is `lock: clone`
    /// with no name until its task ends (qemu-server writes the name last), so a clone an
    /// earlier run started — and Ctrl-C left running in Proxmox — would otherwise look like a
    /// stranger holding the inventory's VMID, or like a VM still to be cloned.
    func resourcesAfterClones(on hosts: Set<String>) throws -> [PVEVMResource] {
        let cancellation = context.cancellation
        var announced = false
        let progress = Progress("waiting for a clone under way", context: context)
        defer { progress.stop() }
        var poll = Poll.settling(
            "the clones under way to finish", timeout: VMSteps.taskTimeout, every: .seconds(1),
            cancellation: cancellation)
        poll.hint = "if no clone task runs any more, unlock the VM on its node: qm unlock VMID"
        return try poll.until(report: progress.update) { () throws(HLSError) -> Poll.Check<[PVEVMResource]> in
            let resources = try client.vmResources(cancellation: cancellation)
            let under = resources.filter { $0.lock == "clone" && !$0.isTemplate && hosts.contains($0.node) }
            if under.isEmpty { return .ready(resources) }
            if !announced {
                announced = true
                context.err(
                    "vm: waiting for the clone into \(under.map { "VM \($0.vmid) on \($0.node)" }.joined(separator: ", ")) "
                        + "(lock: clone), started before this run\n")
            }
            return .pending("lock: clone on " + under.map { "VM \($0.vmid) on \($0.node)" }.joined(separator: ", "))
        }.value
    }

    // MARK: A VM that does not exist yet

    func planCreate(_ vm: VMSpec, _ desired: VMDesiredConfig, resources: [PVEVMResource], into plan: inout Plan) throws
    {
        let templates = resources.filter { $0.isTemplate && $0.node == vm.host }
        let template =
            lab.template.vmid.flatMap { id in templates.first { $0.vmid == id } }
            ?? templates.first { $0.name == lab.template.name }
        guard let template else {
            let elsewhere = resources.filter { $0.isTemplate && $0.name == lab.template.name }.map(\.node)
            throw HLSError(
                .failed, "no template '\(lab.template.name)' on \(vm.host) to clone \(vm.name) from",
                at: .source(vm.declaredAt),
                hint: elsewhere.isEmpty
                    ? "create the Ubuntu 24.04 cloud-image template (with a cloud-init drive) on \(vm.host) first"
                    : "it exists on \(elsewhere.joined(separator: ", ")); local storage cannot be cloned across nodes — make a template on \(vm.host) too"
            )
        }
        for (key, value) in desired.settings {
            plan.rows.append(Row(vm: vm.name, field: key, actual: "", desired: display(key, value), change: "create"))
        }
        plan.rows.append(
            Row(vm: vm.name, field: "scsi0", actual: "", desired: ByteSize.format(vm.osDisk), change: "create"))
        if let data = vm.dataDisk {
            plan.rows.append(
                Row(vm: vm.name, field: "scsi1", actual: "", desired: ByteSize.format(data), change: "create"))
        }
        plan.rows.append(Row(vm: vm.name, field: "status", actual: "", desired: "running", change: "start"))
        let detail =
            "clone \(template.name) (\(template.vmid)) on \(vm.host); \(vm.cores) vCPU, \(ByteSize.format(vm.memory)), "
            + "\(ByteSize.format(vm.osDisk)) OS" + (vm.dataDisk.map { " + \(ByteSize.format($0)) data" } ?? "")
            + " disk; \(vm.ip)"
        let steps = VMSteps(client: client, context: context, name: vm.name)
        plan.changes.append(
            Change(target: vm.name, action: "create", detail: detail) { cancellation in
                try steps.create(vm, from: template, desired: desired, storage: lab.storage, cancellation: cancellation)
            })
    }

    // MARK: A VM that exists

    func planExisting(_ vm: VMSpec, _ existing: PVEVMResource, _ desired: VMDesiredConfig, into plan: inout Plan) throws
    {
        guard existing.node == vm.host else {
            throw HLSError(
                .failed, "\(vm.name) runs on \(existing.node), but \(lab.file) puts it on \(vm.host)",
                at: .source(vm.declaredAt),
                hint: "hlsh does not migrate VMs: migrate it in Proxmox, or change host: in the inventory")
        }
        let config = try client.config(node: existing.node, vmid: existing.vmid, cancellation: context.cancellation)
        var set: [(String, String)] = []
        for (key, value) in desired.settings {
            let same = VMDesiredConfig.same(key, actual: config[key], desired: value)
            plan.rows.append(
                Row(
                    vm: vm.name, field: key, actual: display(key, config[key] ?? ""), desired: display(key, value),
                    change: same ? "" : "update"))
            if !same { set.append((key, value)) }
        }
        // Disks: grow, never shrink; a data disk is added, never removed or moved.
        var resizes: [(disk: String, from: Int64, to: Int64)] = []
        let osHave = config.diskSize("scsi0") ?? 0
        try checkGrow(vm, "scsi0", have: osHave, want: vm.osDisk)
        plan.rows.append(
            Row(
                vm: vm.name, field: "scsi0", actual: ByteSize.format(osHave), desired: ByteSize.format(vm.osDisk),
                change: osHave < vm.osDisk ? "resize" : ""))
        if osHave < vm.osDisk { resizes.append(("scsi0", osHave, vm.osDisk)) }
        var addsDisk = false
        if let want = vm.dataDisk, let allocation = desired.dataDiskAllocation {
            if let current = config["scsi1"] {
                let storage = current.split(separator: ":").first.map(String.init) ?? ""
                guard storage == lab.storage else {
                    throw HLSError(
                        .failed,
                        "refusing to move the data disk of \(vm.name) from storage \(storage) to \(lab.storage)",
                        at: .source(vm.declaredAt),
                        hint: "hlsh never moves disks between storages; move it in Proxmox or set storage: \(storage)")
                }
                let have = config.diskSize("scsi1") ?? 0
                try checkGrow(vm, "scsi1", have: have, want: want)
                plan.rows.append(
                    Row(
                        vm: vm.name, field: "scsi1", actual: ByteSize.format(have), desired: ByteSize.format(want),
                        change: have < want ? "resize" : ""))
                if have < want { resizes.append(("scsi1", have, want)) }
            } else {
                plan.rows.append(
                    Row(vm: vm.name, field: "scsi1", actual: "", desired: ByteSize.format(want), change: "create"))
                set.append(("scsi1", allocation))
                addsDisk = true
            }
        }
        let running = existing.status == "running"
        plan.rows.append(
            Row(
                vm: vm.name, field: "status", actual: existing.status, desired: "running",
                change: running ? "" : "start"))

        let steps = VMSteps(client: client, context: context, name: vm.name)
        let node = existing.node
        let vmid = existing.vmid
        if !set.isEmpty {
            let digest = config.digest
            let settings = set
            let allocates = addsDisk
            let keys = set.map(\.0).joined(separator: ", ")
            let note =
                running && set.contains { ["cores", "memory", "scsihw"].contains($0.0) }
                ? " (cores/memory apply at the next reboot)" : ""
            plan.changes.append(
                Change(target: vm.name, action: "configure", detail: keys + note) { cancellation in
                    try steps.configure(
                        node: node, vmid: vmid, set: settings, digest: digest, async: allocates,
                        cancellation: cancellation)
                })
        }
        for resize in resizes {
            plan.changes.append(
                Change(
                    target: vm.name, action: "resize",
                    detail: "\(resize.disk) \(ByteSize.format(resize.from)) → \(ByteSize.format(resize.to))"
                ) { cancellation in
                    try steps.resize(
                        node: node, vmid: vmid, disk: resize.disk, to: resize.to, cancellation: cancellation)
                })
        }
        if !running {
            plan.changes.append(
                Change(target: vm.name, action: "start", detail: "on \(node)") { cancellation in
                    try steps.start(node: node, vmid: vmid, cancellation: cancellation)
                })
        }
    }

    func checkGrow(_ vm: VMSpec, _ disk: String, have: Int64, want: Int64) throws {
        if want < have {
            throw HLSError(
                .failed,
                "refusing to shrink \(disk) of \(vm.name) from \(ByteSize.format(have)) to \(ByteSize.format(want))",
                at: .source(vm.declaredAt),
                hint: "Proxmox VE cannot shrink disks; set at least \(ByteSize.format(have)) in \(lab.file)")
        }
    }

    /// Values as a person reads them: memory in GiB, keys shortened.
    func display(_ key: String, _ value: String) -> String {
        switch key {
        case "memory": return Int64(value).map { ByteSize.format($0 << 20) } ?? value
        case "sshkeys":
            let keys =
                key == "sshkeys" && value.contains("%")
                ? PVESSHKeys.decode(value) : value.split(separator: "\n").map(String.init)
            return keys.isEmpty
                ? ""
                : "\(keys.count) key(s): "
                    + keys.map { $0.split(separator: " ").last.map(String.init) ?? "" }.joined(separator: ", ")
        default: return value
        }
    }
}
