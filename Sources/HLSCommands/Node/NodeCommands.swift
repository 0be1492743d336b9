import Foundation
import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Remote
import Synchronization

/// The `node` object, host side: the lab's machines over SSH — ad-hoc commands on many hosts,
/// facts, hardening, k3s, the kubeconfig (replaces Ansible and k3sup for this lab).
enum NodeCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject(
            "node", summary: "the lab's machines over SSH: run commands, facts, harden, k3s, kubeconfig")
        for spec in [list, run, ssh, facts, harden, k3s, kubeconfig, wait] { registry.register(spec) }
        registry.registerProvider(names)
    }

    static let targets = Parameter(
        "targets", .name("node"), "VM names, all, servers, agents, or user@host[:port] (comma lists too)",
        variadic: true)
    static let limitFlag = Flag("limit", .int, "how many nodes at once", default: .int(10))
    static let acceptNewFlag = Flag(
        "accept-new", "record the host key of a node seen for the first time (a changed key is always refused)")
    static let timeoutFlag = Flag("timeout", .duration, "give up on a node after this long")

    static let list = CommandSpec(
        ["node", "list"], summary: "The inventory's machines: role, address and how SSH reaches them",
        columns: ["name", "role", "host", "address", "ssh"],
        examples: [Example("node list | where role == \"server\"", "the k3s servers", needsLab: true)],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            let service = try NodeService.of(inv)
            return .list(
                lab.vms.map { vm in
                    let target = NodeService.inventoryTarget(vm, lab: lab).target
                    return .record(
                        Record([
                            ("name", .string(vm.name)), ("role", .string(vm.role.rawValue)),
                            ("host", .string(vm.host)), ("address", .string(vm.ip.addressText)),
                            ("ssh", .string((try? service.connections.resolve(target).description) ?? "?")),
                        ]))
                })
        })

    static let run = CommandSpec(
        ["node", "run"], summary: "Run a shell command on nodes at once; a table of exit codes and output",
        discussion: """
            The command runs through the remote user's shell on every target at once (at most --limit \
            at a time), over one SSH connection per node reused for the whole session. Each node's \
            result is reported as it finishes; the verb fails when any node exits non-zero or cannot \
            be reached, after every node has finished. Under --dry-run nothing runs: the command \
            could change anything.
            """,
        positionals: [
            Parameter("targets", .name("node"), "VM names, all, servers, agents, or user@host[:port] (comma lists)"),
            Parameter("command", .string, "the shell command"),
        ],
        flags: [
            limitFlag, timeoutFlag, acceptNewFlag,
            Flag("allow-failure", "report non-zero exits in the table instead of failing (for checks)"),
        ],
        columns: ["node", "exit", "stdout", "stderr", "elapsed"],
        examples: [
            Example(#"node run all "uptime""#, "uptime of every node", needsLab: true),
            Example(
                #"node run servers "systemctl is-active k3s" --allow-failure | where exit != 0"#,
                "servers whose k3s is down",
                needsLab: true),
        ],
        implementation: .mutation { inv in
            let selected = try NodeService.select([inv.string("targets")!], inv: inv)
            let command = inv.string("command")!
            let service = try NodeService.of(inv)
            let acceptNew = inv.flag("accept-new")
            let timeout = inv.duration("timeout")
            let allowFailure = inv.flag("allow-failure")
            let results = Mutex<[String: Record]>([:])
            let changes = selected.map { s in
                Change(target: s.target.name, action: "run", detail: command) { cancellation in
                    let clock = ContinuousClock()
                    let start = clock.now
                    var row = Record([("node", .string(s.target.name))])
                    do throws(HLSError) {
                        let result = try service.connections.exec(
                            s.target, command, timeout: timeout, cancellation: cancellation, acceptNew: acceptNew)
                        row["exit"] =
                            result.exitStatus.map { .int(Int($0)) } ?? .string("signal \(result.exitSignal ?? "?")")
                        row["stdout"] = .string(trimmed(result.stdoutText))
                        row["stderr"] = .string(trimmed(result.stderrText))
                    } catch {
                        row["exit"] = .null
                        row["stdout"] = .string("")
                        row["stderr"] = .string(error.message)
                    }
                    row["elapsed"] = .duration(clock.now - start)
                    results.withLock { $0[s.target.name] = row }
                    report(row, inv: inv)
                }
            }
            return ChangePlan(changes, concurrency: inv.int("limit") ?? 10) { outcomes in
                if outcomes.contains(where: { $0.status == .planned }) { return .list(outcomes.map(\.record)) }
                let rows = results.withLock { all in selected.compactMap { all[$0.target.name] } }
                // Unreachable nodes always fail the verb; non-zero exits unless --allow-failure.
                let failed = rows.filter { row in
                    row["exit"] == .null || (!allowFailure && row["exit"] != .int(0))
                }
                guard failed.isEmpty else {
                    inv.context.out(
                        Render.value(
                            .list(rows.map(Value.record)), format: inv.context.options.output,
                            terminal: inv.context.stdoutTerminal))
                    throw inv.failure(
                        "\(failed.count) of \(rows.count) nodes failed: "
                            + failed.map { "\(Render.plain($0["node"] ?? .null)) (\(exitText($0)))" }
                            .joined(separator: ", "))
                }
                return .list(rows.map(Value.record))
            }
        })

    static let wait = CommandSpec(
        ["node", "wait"], summary: "Wait until nodes accept an SSH login",
        discussion: """
            Logs in over SSH (the same connection later verbs reuse) until it succeeds: the host key is \
            checked against known_hosts (with --accept-new, a new VM's key is recorded on first contact) \
            and the inventory's key accepted. Progress with elapsed time on a terminal; Ctrl-C stops it.
            """,
        positionals: [targets],
        flags: [
            Flag("for", .choice(["ssh"]), "what to wait for", default: .string("ssh")),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(600))),
            Flag("every", .duration, "time between tries", default: .duration(.seconds(2))),
            acceptNewFlag,
        ],
        columns: ["node", "ready", "waited"],
        examples: [
            Example("node wait all --for ssh --timeout 5m --accept-new", "every node answers on SSH", needsLab: true)
        ],
        implementation: .query { inv in
            let selected = try NodeService.select(inv.list("targets").map(Render.plain), inv: inv)
            guard !selected.isEmpty else { throw inv.usage("name the nodes, or all") }
            let service = try NodeService.of(inv)
            let acceptNew = inv.flag("accept-new")
            return .list(
                try selected.map { s in
                    let outcome = try Poll.until(
                        s.target.name, "ssh", inv: inv, timeout: inv.duration("timeout")!,
                        every: inv.duration("every")!,
                        hint: "is the VM running (vm list)? is its address right in the inventory?"
                    ) { () throws -> String? in
                        do {
                            _ = try service.connections.session(
                                for: s.target, cancellation: inv.context.cancellation, acceptNew: acceptNew)
                            return nil
                        } catch let e as HLSError where e.kind == .failed && isFatal(e) {
                            throw HLSError(.usage, e.message, at: e.place, hint: e.hint, cause: e.cause)
                        }
                    }
                    switch outcome {
                    case .ready(let waited):
                        return .record(
                            Record([
                                ("node", .string(s.target.name)), ("ready", .string("ssh")),
                                ("waited", .duration(waited)),
                            ]))
                    case .skipped(let status):
                        return .record(
                            Record([
                                ("node", .string(s.target.name)),
                                ("ready", .string("not waited for (dry run): \(status)")), ("waited", .duration(.zero)),
                            ]))
                    }
                })
        })

    /// Node names for completion: the inventory's VMs and the group words.
    static let names = NameProvider(kind: "node", ttl: .seconds(60)) { query in
        let lab = try LabState.of(query.context).lab ?? LabState.loadDefault(query.context)
        return (lab?.vms ?? []).map { NameCandidate($0.name, detail: "\($0.role.rawValue), \($0.ip.addressText)") }
            + [
                NameCandidate("all", detail: "every node"), NameCandidate("servers", detail: "k3s servers"),
                NameCandidate("agents", detail: "k3s agents"),
            ]
    }

    // MARK: Helpers

    /// Host-key and authentication refusals do not get better by waiting.
    static func isFatal(_ error: HLSError) -> Bool {
        let text = error.message.lowercased()
        return text.contains("host key") || text.contains("authentication") || text.contains("permission denied")
    }

    /// One line on stderr per node as it finishes, when stderr is a terminal.
    static func report(_ row: Record, inv: Invocation) {
        guard inv.context.stderrTerminal.isTTY else { return }
        let ok = row["exit"] == .int(0)
        inv.context.err(
            "\(ok ? "✓" : "✗") \(Render.plain(row["node"] ?? .null)) \(exitText(row)) (\(Render.plain(row["elapsed"] ?? .null)))\n"
        )
    }

    static func exitText(_ row: Record) -> String {
        switch row["exit"] {
        case .int(let code)?: return "exit \(code)"
        case .string(let text)?: return text
        default: return "unreachable: \(Render.plain(row["stderr"] ?? .null))"
        }
    }

    static func trimmed(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
