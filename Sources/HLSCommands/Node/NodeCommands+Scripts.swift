import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Kube
import Remote
import Synchronization

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

extension NodeCommands {
    static let facts = CommandSpec(
        ["node", "facts"], summary: "What each node is: OS, kernel, CPUs, memory, disks, addresses, swap, k3s",
        positionals: [targets], flags: [limitFlag, acceptNewFlag],
        columns: ["node", "os", "kernel", "cpus", "memory", "swap", "disks", "addresses", "k3s", "uptime"],
        examples: [Example("node facts all | select node os k3s", "OS and k3s version of every node", needsLab: true)],
        implementation: .query(gatherFacts))

    /// `node facts`: a row of facts per selected node, gathered at once.
    static func gatherFacts(_ inv: Invocation) throws -> Value {
        let scope = try ScriptScope(inv)
        let (selected, runner, acceptNew) = (scope.selected, scope.runner, scope.acceptNew)
        let cancellation = inv.context.cancellation
        let results = Parallel.map(selected.count, limit: inv.int(defaulted: "limit")) { index in
            Result { () throws(HLSError) -> NodeReport in
                try runner.run(
                    .facts(), on: selected[index].target, cancellation: cancellation, acceptNew: acceptNew
                )
                .report
            }
        }
        return .list(
            try zip(selected, results).map { s, result in
                let report = try result.get()
                let number = { (key: String) in report.fact(key).flatMap { Int64($0) } }
                return .record(
                    Record([
                        ("node", .string(s.target.name)),
                        ("os", .string(report.fact("os") ?? "")),
                        ("kernel", .string(report.fact("kernel") ?? "")),
                        ("cpus", number("cpu.count").map { .int(Int($0)) } ?? .null),
                        ("memory", number("memory").map(Value.size) ?? .null),
                        ("swap", number("swap").map(Value.size) ?? .null),
                        ("disks", .list(report.facts("disk").map(disk))),
                        ("addresses", .list(report.facts("address").map(Value.string))),
                        ("k3s", report.fact("k3s.version").flatMap { $0 == "none" ? nil : .string($0) } ?? .null),
                        ("uptime", number("uptime").map { .duration(.seconds($0)) } ?? .null),
                    ]))
            })
    }

    static let harden = CommandSpec(
        ["node", "harden"], summary: "Harden nodes for k3s: sshd, sysctl, modules, swap, upgrades, firewall",
        discussion: """
            Each control is checked first and written only when it differs; handlers (sshd reload after \
            `sshd -t`, sysctl --system, the firewall's own nftables table) run once at the end. \
            --check (or --dry-run) reports what would change and changes nothing. The firewall admits \
            SSH from the admin network (the nodes' subnet unless --admin says otherwise) and trusts the \
            other nodes fully (see node ports); it never flushes the ruleset, so k3s's own rules stay. It \
            refuses to load rules that would cut hlsh off: when the address hlsh connects from is outside \
            the admin networks, or sshd does not listen on the port the rules open. Longhorn's needs: \
            open-iscsi, iscsi_tcp and dm_crypt loaded at boot, multipathd kept off its sd devices. \
            apport is disabled, as it would reset fs.suid_dumpable at every boot.
            """,
        positionals: [targets],
        flags: [
            checkFlag,
            Flag("admin", .string, "CIDR(s) allowed to SSH in, comma-separated (default: the nodes' subnet)"),
            limitFlag, acceptNewFlag,
        ],
        columns: ["node", "control", "status", "detail"],
        examples: [
            Example("node harden all --check | where status != \"ok\"", "what hardening would change", needsLab: true)
        ],
        implementation: .mutation(planHarden))

    /// `node harden`: every node checked at once, then a change per node with controls to write.
    static func planHarden(_ inv: Invocation) throws -> ChangePlan {
        let lab = try LabState.require(inv)
        let admin = inv.string("admin").map { $0.split(separator: ",").map(String.init) } ?? []
        return try planEachNode(inv, lab: lab, action: "harden", needs: "its role and address") { vm in
            let parameters = HardenParameters(lab: lab, vm: vm, adminCIDRs: admin)
            return { .harden(parameters, checkMode: $0) }
        }
    }

    static let disks = CommandSpec(
        ["node", "disks"], summary: "Prepare each node's data disk: ext4 if empty, one fstab line, mounted",
        discussion: """
            For a VM whose inventory entry has data_disk and data_mount (/var/lib/longhorn, where Longhorn \
            keeps its replicas): the disk in the slot vm apply allocates it in (scsi1, found as \
            /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1) gets an ext4 file system labelled \
            hlsh-data, only when blkid finds nothing on it; /etc/fstab gets one line for it (by UUID, \
            defaults,nofail, so a missing disk never stops a boot); it is mounted. A disk that holds \
            anything else, a file system or a partition table, is never written: the node fails with what \
            blkid finds there. So is a VM that lacks the declared disk, and a mount point that is not \
            empty. Run it before node k3s, so Longhorn starts on the data disk. --check (or --dry-run) \
            reports what would change and changes nothing.
            """,
        positionals: [targets], flags: [checkFlag, limitFlag, acceptNewFlag],
        columns: ["node", "control", "status", "detail"],
        examples: [
            Example("node disks all --check", "what preparing the data disks would change", needsLab: true)
        ],
        implementation: .mutation(planDisks))

    /// `node disks`: every node checked at once, then a change per node whose data disk differs.
    static func planDisks(_ inv: Invocation) throws -> ChangePlan {
        let lab = try LabState.require(inv)
        return try planEachNode(inv, lab: lab, action: "disks", needs: "its data_disk and data_mount") { vm in
            let parameters = DataDiskParameters(vm: vm)
            return { .disks(parameters, checkMode: $0) }
        }
    }

    /// A script verb run the same way on every selected node: checked everywhere at once, then a
    /// change per node whose check found something to do, which runs the script for real. `script`
    /// gives a node's script, in check mode or not, from its inventory entry (which the script
    /// `needs`: a node outside the inventory is an error).
    static func planEachNode(
        _ inv: Invocation, lab: Lab, action: String, needs: String,
        script: (VMSpec) -> @Sendable (_ checkMode: Bool) -> NodeScript
    ) throws -> ChangePlan {
        let scope = try ScriptScope(inv)
        let (selected, runner, acceptNew) = (scope.selected, scope.runner, scope.acceptNew)
        let scripts = try selected.map { s in
            guard let vm = s.vm else {
                throw inv.failure(
                    "\(s.target.name) is not in \(lab.file); \(action) needs \(needs)",
                    hint: "run node \(action) on the inventory's nodes by name, or on all")
            }
            return script(vm)
        }
        let cancellation = inv.context.cancellation
        let checks = Parallel.map(selected.count, limit: inv.int(defaulted: "limit")) { index in
            Result { () throws(HLSError) -> NodeReport in
                try runner.run(
                    scripts[index](true), on: selected[index].target, cancellation: cancellation, acceptNew: acceptNew
                ).report
            }
        }
        let planned = try checks.map { try $0.get() }
        let applied = Mutex<[String: NodeReport]>([:])
        var changes = scope.setAside(action)
        for (index, s) in selected.enumerated() where !planned[index].changes.isEmpty {
            let name = s.target.name
            changes.append(
                Change(
                    target: name, action: action, detail: planned[index].changes.map(\.control).joined(separator: ", ")
                ) { c in
                    let run = try runner.run(scripts[index](false), on: s.target, cancellation: c)
                    applied.withLock { $0[name] = run.report }
                })
        }
        return ChangePlan(changes, concurrency: inv.int(defaulted: "limit"), planOnly: inv.flag("check")) { _ in
            let done = applied.withLock { $0 }
            return .list(
                selected.enumerated().flatMap { index, s in
                    done[s.target.name]?.rows(node: s.target.name)
                        ?? planned[index].rows(node: s.target.name, checkMode: true)
                })
        }
    }

    static let k3s = CommandSpec(
        ["node", "k3s"], summary: "Install or converge k3s on nodes: the first server, then the others join",
        discussion: """
            The pinned version from the inventory (its installer pinned to the same release), \
            /etc/rancher/k3s/config.yaml (tls-san, node-ip, the bundled Traefik disabled because Flux \
            installs it; servicelb kept, it gives Traefik's LoadBalancer Service its address), and the \
            unit enabled and started without blocking: it must be active within 5 minutes, or the \
            unit's last journal lines say why. A single server keeps SQLite; with more servers the first \
            initializes embedded etcd. Every other node joins it with the token read from it over SSH \
            and passed on stdin, never on a command line. An agent re-created under its old name (no \
            /etc/rancher/node/password yet), which k3s would refuse, first has the old machine's \
            Secret kube-system/NAME.node-password.k3s and Node removed (shown by --dry-run); if that \
            Node is still Ready, it stops instead. A rerun with nothing changed restarts nothing. The \
            role comes from the inventory.
            """,
        positionals: [targets], flags: [checkFlag, acceptNewFlag],
        columns: ["node", "control", "status", "detail"],
        examples: [Example("node k3s all", "k3s on every node, servers first", needsLab: true)],
        implementation: .mutation(planK3s))

    /// `node k3s`: a change per node whose k3s differs, servers first; joining nodes read the token when they apply.
    static func planK3s(_ inv: Invocation) throws -> ChangePlan {
        let lab = try LabState.require(inv)
        let scope = try ScriptScope(inv)
        let (selected, runner, acceptNew) = (scope.selected, scope.runner, scope.acceptNew)
        guard let first = lab.vms.first(where: { $0.role == .server }) else {
            throw inv.failure("\(lab.file) has no VM with role: server", hint: "k3s needs a server first")
        }
        let ordered = serversFirst(selected, first: first)
        let readToken = tokenReader(
            on: NodeService.inventoryTarget(first, lab: lab).target, runner: runner, acceptNew: acceptNew)
        let applied = Mutex<[String: NodeReport]>([:])
        var planned: [String: NodeReport] = [:]
        var changes = scope.setAside("k3s")
        // The lab's API, asked only about agents that have no node password yet (re-created).
        var client: KubeClient?
        var identities: [String: StaleNodeIdentity] = [:]
        let removed = Mutex<Set<String>>([])
        let service = try NodeService.of(inv)
        func labClient() throws(HLSError) -> KubeClient {
            if let client { return client }
            let made = try NodeCommands.labClient(
                lab: lab, first: first, service: service, environment: inv.context.environment,
                acceptNew: acceptNew, cancellation: inv.context.cancellation)
            client = made
            return made
        }
        for s in ordered {
            guard let vm = s.vm else {
                throw inv.failure("\(s.target.name) is not in \(lab.file); k3s needs its role and address")
            }
            let name = s.target.name
            let joins = vm.name != first.name
            let known = joins ? try readToken(inv.context.cancellation) : nil
            var detail = "install k3s \(lab.k3s.version) (\(vm.role.rawValue))"
            var stale: StaleNodeIdentity?
            if !joins || known != nil {
                let check = try runner.run(
                    .k3s(try K3sParameters(lab: lab, vm: vm, token: known), checkMode: true), on: s.target,
                    cancellation: inv.context.cancellation, acceptNew: acceptNew)
                planned[name] = check.report
                if check.report.changes.isEmpty { continue }
                detail = check.report.changes.map(\.control).joined(separator: ", ")
                // k3s refuses an agent the server knew under this name with another password.
                if joins, vm.role == .agent, check.report.fact("k3s.node-password") == "absent" {
                    stale = try StaleNodeIdentity.find(
                        node: vm.name, client: try labClient(), cancellation: inv.context.cancellation)
                    if let stale {
                        detail = "\(stale.detail), then \(detail)"
                        identities[name] = stale
                    }
                }
            } else {
                detail += ", joining \(first.name)"
            }
            let api = client
            changes.append(
                Change(target: name, action: "k3s", detail: detail) { [stale] c in
                    let joinToken = joins ? try readToken(c) : nil
                    if joins && joinToken == nil {
                        throw HLSError(
                            .failed, "no k3s token on \(first.name) yet: k3s has not started there",
                            at: .host(first.name), hint: "run node k3s \(first.name) first")
                    }
                    let parameters = try K3sParameters(lab: lab, vm: vm, token: joinToken)
                    if let stale, let api {
                        try stale.remove(client: api, cancellation: c)
                        removed.withLock { _ = $0.insert(name) }
                    }
                    do {
                        let run = try runner.run(.k3s(parameters), on: s.target, cancellation: c)
                        applied.withLock { $0[name] = run.report }
                    } catch let error as HLSError {
                        throw NodeCommands.explainingRefusal(error, node: vm.name)
                    }
                })
        }
        let checked = planned
        let stale = identities
        return ChangePlan(changes, planOnly: inv.flag("check")) { _ in
            let done = applied.withLock { $0 }
            let gone = removed.withLock { $0 }
            return .list(
                ordered.flatMap { s in
                    let name = s.target.name
                    let identity = stale[name].map { [$0.row(removed: gone.contains(name))] } ?? []
                    return identity
                        + (done[name]?.rows(node: name) ?? checked[name]?.rows(node: name, checkMode: true) ?? [])
                })
        }
    }

    /// Servers first: the cluster's first server before anyone can join it, then the other
    /// servers, then the agents.
    static func serversFirst(_ selected: [NodeService.Selected], first: VMSpec) -> [NodeService.Selected] {
        func rank(_ s: NodeService.Selected) -> Int { s.vm?.name == first.name ? 0 : s.vm?.role == .server ? 1 : 2 }
        return selected.sorted { rank($0) < rank($1) }
    }

    /// Reads the join token from the first server once and remembers it. Nil only when k3s has
    /// not started there yet; any other failure to read it fails with its cause.
    static func tokenReader(on firstServer: NodeTarget, runner: NodeScriptRunner, acceptNew: Bool)
        -> @Sendable (Cancellation) throws(HLSError) -> K3sToken?
    {
        let token = Mutex<K3sToken?>(nil)
        return { c throws(HLSError) in
            if let known = token.withLock({ $0 }) { return known }
            let run = try runner.run(.k3sToken(), on: firstServer, cancellation: c, acceptNew: acceptNew)
            guard let read = run.report.k3sToken else { return nil }
            token.withLock { $0 = read }
            return read
        }
    }

    static let kubeconfig = CommandSpec(
        ["node", "kubeconfig"], summary: "Fetch the cluster's admin kubeconfig into ~/.kube/config (or a file)",
        discussion: """
            Reads /etc/rancher/k3s/k3s.yaml from the first server (or --server), points it at the \
            server's address, renames its cluster, user and context to the lab's name, and merges it into \
            the file kubectl uses ($KUBECONFIG's first path, else ~/.kube/config), or into the file given by --to. \
            Other contexts in the file are kept; the file is written with mode 0600.
            """,
        flags: [
            Flag("server", .name("node"), "the server to read it from (default: the inventory's first server)"),
            Flag("to", .path, "merge into this file instead of the kubeconfig kubectl uses"),
            Flag("context", .string, "the name for cluster, user and context (default: the lab's name)"),
            acceptNewFlag,
        ],
        columns: ["file", "context", "server"],
        examples: [
            Example("node kubeconfig", "merge the lab's context into ~/.kube/config", needsLab: true),
            Example(
                "node kubeconfig --to ~/.kube/homelab.yaml", "keep the lab's context in a file of its own",
                needsLab: true),
        ],
        implementation: .mutation(planKubeconfig))

    /// `node kubeconfig`: the merged kubeconfig to write, or nothing when the file already has it.
    static func planKubeconfig(_ inv: Invocation) throws -> ChangePlan {
        let lab = try LabState.require(inv)
        let serverName = inv.string("server") ?? lab.vms.first(where: { $0.role == .server })?.name
        guard let serverName, let vm = lab.vm(named: serverName) else {
            throw inv.failure("no k3s server to read the kubeconfig from", hint: "give --server NAME")
        }
        let target = NodeService.inventoryTarget(vm, lab: lab).target
        let service = try NodeService.of(inv)
        let name = inv.string("context") ?? lab.name
        let server = "https://\(vm.ip.addressText):6443"
        let file = KubeconfigFile(explicit: inv.string("to"), environment: inv.context.environment)
        let row = Value.record(
            Record([("file", .string(file.path)), ("context", .string(name)), ("server", .string(server))]))
        if let (_, error) = service.setAsideUnreachable(
            [NodeService.inventoryTarget(vm, lab: lab)], inv: inv, acceptNew: inv.flag("accept-new")
        ).unreachable.first {
            return ChangePlan([
                Change(
                    target: file.path, action: "write",
                    detail: "context \(name) → \(server) (\(serverName) not reachable now)"
                ) {
                    _ in throw error
                }
            ]) { _ in row }
        }
        let result = try service.connections.exec(
            target, NodeScript.kubeconfigCommand, timeout: .seconds(60), cancellation: inv.context.cancellation,
            acceptNew: inv.flag("accept-new"))
        guard result.exitStatus == 0 else {
            throw inv.failure(
                "cannot read /etc/rancher/k3s/k3s.yaml on \(serverName)",
                hint: "is k3s installed there? (node k3s \(serverName))",
                cause: NodeScriptRunner.lastLines(result.stderrText))
        }
        let config = try Kubeconfig(yaml: result.stdoutText, source: "\(serverName):/etc/rancher/k3s/k3s.yaml")
            .forLab(named: name, server: server, source: serverName)
        let (merged, differs) = try file.merged(with: config)
        guard differs else { return ChangePlan([]) { _ in row } }
        return ChangePlan([
            Change(target: file.path, action: "write", detail: "context \(name) → \(server)") { _ in
                try file.write(merged)
            }
        ]) { _ in row }
    }

    /// What the script verbs start from: the selected nodes (under `--dry-run` only those
    /// reachable now), a script runner on the session's connections, and `--accept-new`.
    struct ScriptScope {
        let selected: [NodeService.Selected]
        let unreachable: [(NodeService.Selected, HLSError)]
        let runner: NodeScriptRunner
        let acceptNew: Bool

        init(_ inv: Invocation) throws {
            let service = try NodeService.of(inv)
            acceptNew = inv.flag("accept-new")
            (selected, unreachable) = service.setAsideUnreachable(
                try NodeService.select(words(inv), inv: inv), inv: inv, acceptNew: acceptNew)
            runner = NodeScriptRunner(connections: service.connections)
        }

        /// A planned change per node set aside (a dry run never applies it).
        func setAside(_ action: String) -> [Change] {
            unreachable.map { s, error in
                Change(target: s.target.name, action: action, detail: "not reachable now: \(error.message)") { _ in
                    throw error
                }
            }
        }
    }

    /// A `disk` fact (`sda 53687091200`) as `sda 50 GiB`.
    static func disk(_ fact: String) -> Value {
        let parts = fact.split(separator: " ")
        guard parts.count == 2, let bytes = Int64(parts[1]) else { return .string(fact) }
        return .string("\(parts[0]) \(Render.plain(.size(bytes)))")
    }

    /// The target words: the `targets` positionals, or `all` when none is given.
    static func words(_ inv: Invocation) -> [String] {
        let given = inv.list("targets").map(Render.plain)
        return given.isEmpty ? ["all"] : given
    }
}
