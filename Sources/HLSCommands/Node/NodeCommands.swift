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

/// The `node` object, host side: the lab's machines over SSH — ad-hoc commands on many hosts,
/// facts, hardening, k3s, the kubeconfig (replaces Ansible and k3sup for this lab).
enum NodeCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject(
            "node", summary: "the lab's machines, over SSH and as Kubernetes nodes")
        for spec in [
            list, run, ssh, facts, harden, disks, ports, k3s, kubeconfig, wait, cordon, uncordon, drain, reboot,
        ] {
            registry.register(spec)
        }
        registry.registerProvider(names)
    }

    static let targets = Parameter(
        "targets", .name("node"), "VM names, all, servers, agents, or user@host[:port] (comma lists too)",
        variadic: true)
    static let limitFlag = Flag("limit", .int, "how many nodes at once", default: .int(10))
    /// `--check` of the verbs that run a node script (harden, disks, k3s): its check mode.
    static let checkFlag = Flag("check", "only report what would change")
    static let acceptNewFlag = Flag(
        "accept-new", "record the host key of a node seen for the first time (a changed key is always refused)")
    static let timeoutFlag = Flag("timeout", .duration, "give up on a node after this long")

    static let list = CommandSpec(
        ["node", "list"],
        summary: "The inventory's machines: role, address, how SSH reaches them, and their Kubernetes Node",
        discussion: """
            The cluster columns come from the Kubernetes API of the kubeconfig's current context (--context \
            picks another): Ready, roles, kubelet version, internal IP and taints. When there is no kubeconfig \
            or the API does not answer, the ready column says why and the list still shows the inventory. \
            Nodes the cluster has but the inventory does not are listed after the inventory's.
            """,
        flags: [contextFlag],
        columns: ["name", "role", "host", "address", "ssh", "ready", "roles", "version", "internal-ip", "taints"],
        examples: [Example("node list | where role == \"server\"", "the k3s servers", needsLab: true)],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            let service = try NodeService.of(inv)
            let cluster = clusterColumns(inv)
            var rows = lab.vms.map { vm in
                let target = NodeService.inventoryTarget(vm, lab: lab).target
                return Record([
                    ("name", .string(vm.name)), ("role", .string(vm.role.rawValue)), ("host", .string(vm.host)),
                    ("address", .string(vm.ip.addressText)), ("ssh", .string(sshColumn(target, service))),
                ])
            }
            for node in cluster.nodes where !lab.vms.contains(where: { $0.name == node.name }) {
                rows.append(
                    Record([
                        ("name", .string(node.name)), ("role", .string("")), ("host", .string("")),
                        ("address", .string("")), ("ssh", .string("? not in the inventory")),
                    ]))
            }
            return .list(
                rows.map { row in
                    .record(Record(row.fields + cluster.columns(for: row).fields))
                })
        })

    /// The Kubernetes side of `node list`: the cluster's Nodes, or why they cannot be read.
    struct ClusterColumns {
        var nodes: [ClusterNode] = []
        var failure: String?

        func columns(for row: Record) -> Record {
            let name = row["name"].map(Render.plain) ?? ""
            guard let node = nodes.first(where: { $0.name == name }) else {
                let why = failure ?? "not in the cluster"
                return Record([
                    ("ready", .string("? " + why)), ("roles", .string("")), ("version", .string("")),
                    ("internal-ip", .string("")), ("taints", .string("")),
                ])
            }
            var ready = node.isReady ? "Ready" : node.readyCondition
            if node.unschedulable { ready += ",SchedulingDisabled" }
            return Record([
                ("ready", .string(ready)), ("roles", .string(node.roles.joined(separator: ","))),
                ("version", .string(node.version)), ("internal-ip", .string(node.internalIP)),
                ("taints", .string(node.taints.joined(separator: ","))),
            ])
        }
    }

    /// Reads the cluster's Nodes; a missing kubeconfig or an API that does not answer becomes a
    /// short reason in the rows, never the list's failure.
    static func clusterColumns(_ inv: Invocation) -> ClusterColumns {
        do {
            let nodes = try kubeClient(inv).list(.nodes, cancellation: inv.context.cancellation).items
            return ClusterColumns(nodes: nodes.map(ClusterNode.init))
        } catch {
            let message = (error as? HLSError)?.message ?? (error as? NotThereYet)?.reason ?? "\(error)"
            return ClusterColumns(failure: message.count > 90 ? String(message.prefix(89)) + "…" : message)
        }
    }

    /// How SSH reaches `target`, or `? ` and why it cannot be worked out (a broken ssh_config, an
    /// address the simulated lab never connects to).
    static func sshColumn(_ target: NodeTarget, _ service: NodeService) -> String {
        do {
            return try service.connections.resolve(target).description
        } catch {
            return "? " + error.message
        }
    }

    static let wait = CommandSpec(
        ["node", "wait"], summary: "Wait until nodes accept an SSH login, or are Ready in Kubernetes",
        discussion: """
            --for ssh logs in over SSH (the same connection later verbs reuse) until it succeeds, to every \
            node at once (one that is late holds up none of the others): the host key is checked against \
            known_hosts (with --accept-new, a new VM's key is recorded on first contact) and the inventory's \
            key accepted. --for ready watches the Kubernetes Node until its Ready \
            condition is True: with a lab in use, all/servers/agents are the inventory's nodes, so one whose \
            kubelet has not registered yet is waited for too; without one, the cluster's (--context picks the \
            kubeconfig context). The API server keeps a stopped machine's Node Ready for its grace period \
            (50 s), so vm stop, shutdown, reboot and destroy record the Node's boot id in its annotation \
            hlsh.dev/stopped-boot-id first: a Node still reporting that boot is not back yet, and the \
            annotation goes once it reports a new one. Under --dry-run, once an earlier step planned a change, it checks once and \
            does not wait (as every wait), and a cluster not built yet (no kubeconfig or context) is \
            reported, not failed. \
            Progress with elapsed time on a terminal; Ctrl-C stops it.
            """,
        positionals: [targets],
        flags: [
            Flag("for", .choice(["ssh", "ready"]), "what to wait for", default: .string("ssh")),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(600))),
            Flag("every", .duration, "time between tries", default: .duration(.seconds(2))),
            acceptNewFlag, contextFlag,
        ],
        columns: ["node", "ready", "waited"],
        examples: [
            Example("node wait all --for ssh --timeout 5m --accept-new", "every node answers on SSH", needsLab: true),
            Example("node wait k3s-wk-01 --for ready --timeout 2m", "its Kubernetes Node is Ready", needsLab: true),
        ],
        implementation: .query { inv in
            try inv.string(defaulted: "for") == "ready" ? waitForReady(inv) : waitForSSH(inv)
        })

    /// Node names for completion: the inventory's VMs and the group words (not for `node ssh`,
    /// which takes one node).
    static let names = NameProvider(kind: "node", ttl: .seconds(60)) { query in
        let lab = try LabState.of(query.context).lab ?? LabState.loadDefault(query.context)
        let vms = (lab?.vms ?? []).map { NameCandidate($0.name, detail: "\($0.role.rawValue), \($0.ip.addressText)") }
        guard query.command != "node ssh" else { return vms }
        return vms + [
            NameCandidate("all", detail: "every node"), NameCandidate("servers", detail: "k3s servers"),
            NameCandidate("agents", detail: "k3s agents"),
        ]
    }

    // MARK: Helpers

    /// A command argument as the node must get it (a secret's real text, kept off command
    /// lines) and as people see it (with `***` in the secret's place).
    static func remoteCommand(_ value: Value) -> (command: SSHCommand, shown: String) {
        if case .secret(let secret) = value { return (.secret(secret.reveal()), secret.description) }
        let text = Render.plain(value)
        return (.plain(text), text)
    }

    /// Host-key and authentication refusals do not get better by waiting.
    static func isFatal(_ error: HLSError) -> Bool {
        let text = error.message.lowercased()
        return text.contains("host key") || text.contains("authentication") || text.contains("permission denied")
    }
}
