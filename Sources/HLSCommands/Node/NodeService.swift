import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Remote

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The session's SSH side: one `NodeConnections` per hlsh session (so every command of a run
/// reuses one connection per host), and the resolution of the targets verbs are given.
final class NodeService: ClosableService {
    let connections: NodeConnections

    private init(connections: NodeConnections) {
        self.connections = connections
    }

    static func of(_ inv: Invocation) throws -> NodeService { try of(inv.context) }

    static func of(_ context: ExecutionContext) throws -> NodeService {
        try context.service(NodeService.self) { () throws -> NodeService in try make(context) }
    }

    private static func make(_ context: ExecutionContext) throws -> NodeService {
        let lab = try LabState.of(context).lab ?? LabState.loadDefault(context)
        var settings = NodeConnections.Settings.fromEnvironment(context.environment)
        settings.acceptNewHostKeys = lab?.ssh.acceptNewHostKeys ?? false
        // The inventory's public keys name the private keys to offer (`id_ed25519.pub` → `id_ed25519`).
        settings.identityFiles = (lab?.ssh.publicKeys ?? []).filter { $0.hasSuffix(".pub") }.map {
            String($0.dropLast(4))
        }
        return NodeService(connections: try NodeConnections(settings: settings))
    }

    /// Closes the run's SSH connections (and the jump hosts they go through).
    func close() { connections.closeAll() }

    /// A selected host: where to reach it, and its inventory entry when it has one.
    struct Selected: Sendable {
        var target: NodeTarget
        var vm: VMSpec?
    }

    /// Resolves target words: `all`, `servers`, `agents`, VM names of the inventory (each word
    /// may be a comma-separated list), or an ad-hoc `user@host[:port]`. Duplicates are dropped.
    static func select(_ words: [String], inv: Invocation) throws -> [Selected] {
        let lab = try LabState.of(inv.context).lab ?? LabState.loadDefault(inv.context)
        var picked: [Selected] = []
        func add(_ s: Selected) { if !picked.contains(where: { $0.target == s.target }) { picked.append(s) } }
        for word in words.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let vms = lab?.vms ?? []
            let group: [VMSpec]? =
                switch word {
                case "all": vms
                case "servers", "server": vms.filter { $0.role == .server }
                case "agents", "agent": vms.filter { $0.role == .agent }
                default: nil
                }
            if let group, let lab {
                for vm in group { add(inventoryTarget(vm, lab: lab)) }
                continue
            }
            if let lab, let vm = lab.vm(named: word) {
                add(inventoryTarget(vm, lab: lab))
            } else if word.contains("@") || word.contains(":") || word.contains(".") {
                add(Selected(target: try NodeTarget.adHoc(word), vm: nil))
            } else {
                let names = vms.map(\.name)
                throw inv.failure(
                    "\(word) is not a node of \(lab?.file ?? "the inventory (no lab in use)")",
                    hint: Suggest.nearest(word, in: names + ["all", "servers", "agents"]).map {
                        "did you mean \($0)?"
                    }
                        ?? "name a VM of the inventory, all, servers, agents, or user@host[:port]")
            }
        }
        if picked.isEmpty, ["all", "servers", "agents", "server", "agent"].contains(words.first ?? "") {
            throw inv.failure("no node matches \(words.joined(separator: " "))", hint: "is the right lab in use?")
        }
        return picked
    }

    /// Under `--dry-run`, the selected nodes that cannot be reached now — their VMs are only
    /// planned, say — with why; they are reported as such instead of failing the plan. Outside a
    /// dry run nothing is set aside: a connection failure is an error where it happens.
    func setAsideUnreachable(_ selected: [Selected], inv: Invocation, acceptNew: Bool) -> (
        reachable: [Selected], unreachable: [(Selected, HLSError)]
    ) {
        guard inv.context.options.dryRun else { return (selected, []) }
        let cancellation = inv.context.cancellation
        let outcomes = Parallel.map(selected.count, limit: 16) { [connections] index in
            Result { () throws(HLSError) in
                _ = try connections.session(
                    for: selected[index].target, cancellation: cancellation, acceptNew: acceptNew)
            }
        }
        var reachable: [Selected] = []
        var unreachable: [(Selected, HLSError)] = []
        for (s, outcome) in zip(selected, outcomes) {
            switch outcome {
            case .success: reachable.append(s)
            case .failure(let error):
                unreachable.append((s, error))
                inv.context.err("\(inv.spec.name): \(s.target.name) is not reachable now (dry run): \(error.message)\n")
            }
        }
        return (reachable, unreachable)
    }

    static func inventoryTarget(_ vm: VMSpec, lab: Lab) -> Selected {
        Selected(
            target: .inventory(
                name: vm.name, address: vm.ip.addressText, user: lab.ssh.user, port: UInt16(vm.sshPort)),
            vm: vm)
    }

}
