import HLSCore
import HLSLanguage
import Inventory

/// `lab use`, `lab show`: which inventory the session works on.
enum LabCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("lab", summary: "the lab this session works on (its homelab.yaml)")
        registry.register(use)
        registry.register(show)
    }

    static let use = CommandSpec(
        ["lab", "use"], summary: "Load and validate an inventory, and work on that lab",
        discussion:
            "Every problem in the file is reported at once, each with its line and field. Secrets are refused: they belong in the environment.",
        positionals: [Parameter("file", .path, "the inventory, e.g. homelab.yaml")],
        columns: ["name", "file", "vms", "nodes"],
        examples: [Example(#"lab use "scripts/homelab.yaml""#, "work on the seed lab")],
        implementation: .query { inv in
            let lab = try Lab.load(path: inv.string("file")!)
            LabState.of(inv.context).use(lab)
            return summary(lab)
        })

    static let show = CommandSpec(
        ["lab", "show"], summary: "The lab in use: its Proxmox nodes, network and VMs",
        columns: ["name", "host", "role", "cores", "memory", "os_disk", "data_disk", "ip"],
        examples: [
            Example(
                #"lab use "scripts/homelab.yaml"; lab show | get name"#, "the VM names of the seed lab",
                output: "k3s-cp-01\nk3s-wk-01\n")
        ],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            return .list(lab.vms.map(vmRecord))
        })

    static func summary(_ lab: Lab) -> Value {
        .record(
            Record([
                ("name", .string(lab.name)), ("file", .string(lab.file)), ("vms", .int(lab.vms.count)),
                ("nodes", .list(lab.proxmox.nodes.map(Value.string))),
            ]))
    }

    static func vmRecord(_ vm: VMSpec) -> Value {
        .record(
            Record([
                ("name", .string(vm.name)), ("host", .string(vm.host)), ("role", .string(vm.role.rawValue)),
                ("cores", .int(vm.cores)), ("memory", .size(vm.memory)), ("os_disk", .size(vm.osDisk)),
                ("data_disk", vm.dataDisk.map(Value.size) ?? .null), ("ip", .string(vm.ip.description)),
            ]))
    }
}
