import HLSCore
import HLSLanguage
import Remote

extension NodeCommands {
    /// `node wait --for ssh`: a row per node once it accepts an SSH login. The nodes are waited
    /// for together, on one wait: each check logs in to every node not in yet, at once, so the
    /// logins (a key exchange each) overlap instead of adding up, and a node that is slow to boot
    /// holds up none of the others. A check that lets some in but not all looks again after the
    /// first pause (100 ms), not the doubled one. A node's `waited` counts from the start of the
    /// verb; the timeout names the nodes still not in, with what each last answered.
    static func waitForSSH(_ inv: Invocation) throws -> Value {
        let selected = try NodeService.select(inv.list("targets").map(Render.plain), inv: inv)
        guard !selected.isEmpty else { throw inv.usage("name the nodes, or all") }
        let connections = try NodeService.of(inv).connections
        let acceptNew = inv.flag("accept-new")
        let names = selected.map(\.target.name)
        let start = ContinuousClock.now
        // Each node's wait, once it let us in.
        var waited: [Int: Duration] = [:]
        do {
            _ = try inv.waitUntil(
                names.joined(separator: ", "), "ssh", timeout: inv.duration(defaulted: "timeout"),
                every: inv.duration(defaulted: "every"),
                hint: "is the VM running (vm list)? is its address right in the inventory?"
            ) { () throws -> Poll.Check<Void> in
                let left = selected.indices.filter { waited[$0] == nil }
                let round = try loginRound(
                    left.map { selected[$0] }, connections: connections, acceptNew: acceptNew, inv: inv)
                for (position, time) in round.loggedIn { waited[left[position]] = time - start }
                guard let seen = round.seen else { return .ready(()) }
                // VMs started together boot about together: once one is in, look again soon
                // for the others instead of after a pause doubled while none answered.
                return round.loggedIn.isEmpty ? .pending(seen) : .progressed(seen)
            }
        } catch let error as HLSError where error.kind == .timeout && selected.count > 1 {
            // Name only the nodes still not in (those in are not the trouble).
            let late = selected.indices.filter { waited[$0] == nil }.map { names[$0] }
            var named = error
            named.message = error.message.replacing(names.joined(separator: ", "), with: late.joined(separator: ", "))
            throw named
        }
        return .list(
            selected.indices.map { index in
                .record(
                    Record([
                        ("node", .string(names[index])), ("ready", .string("ssh")),
                        ("waited", .duration(waited[index] ?? .zero)),
                    ]))
            })
    }

    /// One check of `node wait --for ssh`: logs in to `nodes` at once.
    /// - Returns: when each node that let us in did (by its position in `nodes`), and what the
    ///   others answered (nil when all are in).
    /// - Throws: `.configuration` for a refusal that waiting does not mend (a host key or login
    ///   refused); an error other than `.failed` as it is.
    private static func loginRound(
        _ nodes: [NodeService.Selected], connections: NodeConnections, acceptNew: Bool, inv: Invocation
    ) throws -> (loggedIn: [Int: ContinuousClock.Instant], seen: String?) {
        let cancellation = inv.context.cancellation
        let outcomes = Parallel.map(nodes.count, limit: 16) { position in
            Result { () throws(HLSError) -> ContinuousClock.Instant in
                _ = try connections.session(
                    for: nodes[position].target, cancellation: cancellation, acceptNew: acceptNew)
                return .now
            }
        }
        var loggedIn: [Int: ContinuousClock.Instant] = [:]
        var seen: [String] = []
        for (position, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let time): loggedIn[position] = time
            case .failure(let error) where error.kind != .failed: throw error
            case .failure(let error) where isFatal(error):
                // Not a state to wait out (the wait retries only `.failed`), and not a usage
                // error either: what is missing is the user's trust or key (exit 1).
                throw HLSError(.configuration, error.message, at: error.place, hint: error.hint, cause: error.cause)
            case .failure(let error):
                let name = nodes[position].target.name
                seen.append(error.message.contains(name) ? error.message : "\(name): \(error.message)")
            }
        }
        return (loggedIn, seen.isEmpty ? nil : seen.joined(separator: "; "))
    }
}
