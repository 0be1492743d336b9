import HLSCore
import HLSLanguage
import HLSTransport
import Remote

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension NodeCommands {
    static let run = CommandSpec(
        ["node", "run"], summary: "Run a shell command on nodes at once; a table of exit codes and output",
        discussion: """
            The command runs through the remote user's shell on every target at once (at most --limit \
            at a time), over one SSH connection per node reused for the whole session. A command that \
            holds a secret reaches the node on stdin, never on a command line, and shows as *** here. \
            On a terminal, one line counts the nodes as they finish; the table has each node's result. \
            The verb fails when any node exits non-zero or cannot be reached, after every node has \
            finished. Ctrl-C stops it (exit 130), and no try or retry catches that.
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
        idempotent: false, implementation: .mutation(planRun))

    /// `node run`: a change per node that runs the command; the table of results once every node finished.
    static func planRun(_ inv: Invocation) throws -> ChangePlan {
        let selected = try NodeService.select([inv.string("targets")!], inv: inv)
        let (command, shown) = remoteCommand(inv.value("command"))
        let service = try NodeService.of(inv)
        let acceptNew = inv.flag("accept-new")
        let timeout = inv.duration("timeout")
        let allowFailure = inv.flag("allow-failure")
        let tally = NodeRunTally(nodes: selected.count, allowFailure: allowFailure, inv: inv)
        let changes = selected.map { s in
            Change(target: s.target.name, action: "run", detail: shown) { cancellation in
                tally.started()
                tally.record(
                    try NodeRunResult(
                        running: command, on: s.target, connections: service.connections, timeout: timeout,
                        acceptNew: acceptNew, cancellation: cancellation))
            }
        }
        return ChangePlan(changes, concurrency: inv.int(defaulted: "limit")) { outcomes in
            tally.finish()
            if outcomes.contains(where: { $0.status == .planned }) { return .list(outcomes.map(\.record)) }
            let runs = tally.results(in: selected.map(\.target.name))
            let rows = Value.list(runs.map { .record($0.row) })
            let failed = runs.filter { $0.failed(allowFailure: allowFailure) }
            guard failed.isEmpty else {
                // The table is the one per-node report; the error only sums it up.
                inv.context.out(
                    Render.value(rows, format: inv.context.options.output, terminal: inv.context.stdoutTerminal))
                throw summary(of: failed, among: runs.count, inv: inv)
            }
            return rows
        }
    }

    /// `2 of 5 nodes failed (1 exited non-zero, 1 unreachable)`, with what to do about each
    /// kind of failure once (a host key or login problem's own hint, say).
    static func summary(of failed: [NodeRunResult], among total: Int, inv: Invocation) -> HLSError {
        let errors = failed.compactMap(\.error)
        let counts = [
            (failed.count - errors.count, "exited non-zero"),
            (errors.filter { $0.kind == .timeout }.count, "timed out"),
            (errors.filter { $0.kind != .timeout }.count, "unreachable"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        var hints: [String] = []
        for hint in errors.compactMap(\.hint) where !hints.contains(hint) { hints.append(hint) }
        if errors.count < failed.count {
            hints.append("the table has each node's exit and stderr; --allow-failure reports non-zero exits instead")
        }
        return inv.failure(
            "\(failed.count) of \(total) nodes failed (\(counts.joined(separator: ", ")))",
            hint: hints.isEmpty ? nil : hints.joined(separator: "\n  hint: "))
    }
}

/// One node's outcome of `node run`: its table row, and the error when it could not run the
/// command (then `exit` is null and `stderr` says why).
struct NodeRunResult: Sendable {
    var row: Record
    var error: HLSError?

    /// Runs `command` on `target`. An interrupt is the user's, never the node's failure: it is
    /// thrown (the verb then ends with exit 130), never recorded as a result.
    init(
        running command: SSHCommand, on target: NodeTarget, connections: NodeConnections, timeout: Duration?,
        acceptNew: Bool, cancellation: Cancellation
    ) throws(HLSError) {
        let clock = ContinuousClock()
        let start = clock.now
        row = Record([("node", .string(target.name))])
        do throws(HLSError) {
            let result = try connections.exec(
                target, command, timeout: timeout, cancellation: cancellation, acceptNew: acceptNew)
            row["exit"] = result.exitStatus.map { .int(Int($0)) } ?? .string("signal \(result.exitSignal ?? "?")")
            row["stdout"] = .string(Self.trimmed(result.stdoutText))
            row["stderr"] = .string(Self.trimmed(result.stderrText))
        } catch {
            if error.kind == .interrupted { throw error }
            try cancellation.check("node run on \(target.name)")
            row["exit"] = .null
            row["stdout"] = .string("")
            row["stderr"] = .string(error.message)
            self.error = error
        }
        row["elapsed"] = .duration(clock.now - start)
    }

    /// Unreachable nodes always fail the verb; non-zero exits unless `allowFailure`.
    func failed(allowFailure: Bool) -> Bool {
        error != nil || (!allowFailure && row["exit"] != .int(0))
    }

    static func trimmed(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
