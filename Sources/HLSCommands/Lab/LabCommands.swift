import HLSCore
import HLSLanguage
import Inventory

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `lab use`, `lab show`: which inventory the session works on; `lab status` and `lab doctor`:
/// how its layers stand and what stands in the way of reaching them.
enum LabCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject(
            "lab", summary: "the lab this session works on (its homelab.yaml)")
        registry.register(use)
        registry.register(show)
        registry.register(status)
        registry.register(doctor)
    }

    static let use = CommandSpec(
        ["lab", "use"], summary: "Load and validate an inventory, and work on that lab",
        discussion:
            "Every problem in the file is reported at once, each with its line and field. Secrets are refused: they belong in the environment.",
        positionals: [Parameter("file", .path, "the inventory, e.g. homelab.yaml")],
        columns: ["name", "file", "vms", "nodes"],
        examples: [Example(#"lab use "scripts/homelab.yaml""#, "work on the seed lab")],
        implementation: .query { inv in
            let lab = try Lab.load(path: resolve(inv.string("file")!, from: inv.location.file))
            LabState.use(lab, in: inv.context)
            inv.setGlobal("lab", variable(lab))
            return summary(lab)
        })

    static let show = CommandSpec(
        ["lab", "show"], summary: "The lab in use: its Proxmox nodes, network and VMs",
        columns: ["name", "host", "role", "cores", "memory", "os_disk", "data_disk", "ip"],
        examples: [
            Example(
                "lab show | get name", "the VM names of the lab in use", output: "k3s-cp-01\nk3s-wk-01\n",
                needsLab: true)
        ],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            return .list(lab.vms.map(vmRecord))
        })

    /// A relative path as written in a script: from the working directory when it exists
    /// there, else from the script's own directory (so `hlsh scripts/bootstrap.hls` finds
    /// `scripts/homelab.yaml`).
    static func resolve(_ path: String, from script: String) -> String {
        if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) || script.hasPrefix("<") { return path }
        let beside = FilePaths.directory(of: script) + "/" + path
        return FileManager.default.fileExists(atPath: beside) ? beside : path
    }

    /// `$lab`: the inventory as a record, for runbooks (`$lab.gitops.url`, `$lab.vms | count`).
    static func variable(_ lab: Lab) -> Value {
        var r = Record([
            ("name", .string(lab.name)), ("file", .string(lab.file)),
            ("nodes", .list(lab.proxmox.nodes.map(Value.string))), ("storage", .string(lab.storage)),
            ("vms", .list(lab.vms.map(vmRecord))),
            ("k3s", .record(Record([("version", .string(lab.k3s.version))]))),
            ("domain", lab.domain.map(Value.string) ?? .null),
        ])
        if let g = lab.gitops {
            r["gitops"] = .record(
                Record([("url", .string(g.url)), ("branch", .string(g.branch)), ("path", .string(g.path))]))
        }
        return .record(r)
    }

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
