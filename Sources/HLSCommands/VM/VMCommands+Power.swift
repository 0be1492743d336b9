import HLSCore
import HLSLanguage
import Proxmox

extension VMCommands {
    /// start, stop, shutdown: each a no-op when the VM is already in that state; reboot reboots a
    /// running VM each time.
    static let power: [CommandSpec] = [
        powerVerb(
            "start", "Start a VM (nothing to do when it runs)", wanted: "stopped",
            example: "vm start k3s-cp-01"
        ) { client, ref, c in try client.start(node: ref.node, vmid: ref.vmid, cancellation: c) },
        powerVerb(
            "stop", "Stop a VM at once, like pulling the plug", wanted: "running",
            example: "vm stop k3s-wk-01"
        ) { client, ref, c in try client.stop(node: ref.node, vmid: ref.vmid, cancellation: c) },
        powerVerb(
            "shutdown", "Shut a VM down cleanly (ACPI or guest agent), forcing it off after 3 minutes",
            wanted: "running",
            example: "vm shutdown k3s-wk-01"
        ) { client, ref, c in
            try client.shutdown(node: ref.node, vmid: ref.vmid, timeout: 180, forceStop: true, cancellation: c)
        },
        powerVerb(
            "reboot", "Reboot a running VM (applies pending config changes)", wanted: "running",
            example: "vm reboot k3s-cp-01", idempotent: false
        ) { client, ref, c in try client.reboot(node: ref.node, vmid: ref.vmid, cancellation: c) },
    ]

    static func powerVerb(
        _ verb: String, _ summary: String, wanted: String, example: String, idempotent: Bool = true,
        _ call: @escaping @Sendable (PVEClient, PVEVMRef, Cancellation) throws -> UPID?
    ) -> CommandSpec {
        CommandSpec(
            ["vm", verb], summary: summary, positionals: [target],
            columns: ["target", "action", "detail", "status", "elapsed"],
            examples: [Example(example, summary, needsLab: true)], idempotent: idempotent,
            implementation: .mutation { inv in
                let client = try ProxmoxService.client(inv)
                let ref = try resolve(inv.string("name")!, inv, client: client)
                // start acts on a stopped VM; the others on a running one.
                guard ref.status == wanted else { return .none }
                let steps = VMSteps(client: client, context: inv.context, name: ref.name)
                return ChangePlan([
                    Change(target: ref.name, action: verb, detail: "VM \(ref.vmid) on \(ref.node)") { c in
                        if wanted == "running" {
                            // The machine goes down, and its Node stays Ready for the grace period:
                            // `node wait --for ready` must not take that for the machine being back.
                            NodeBootMark.record(vm: ref.name, verb: "vm \(verb)", inv.context, cancellation: c)
                        }
                        if let upid = try steps.step(verb, { try call(client, ref, c) }) {
                            try steps.wait(upid, "\(verb) \(ref.name)", c)
                        }
                    }
                ])
            })
    }
}
