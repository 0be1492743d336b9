public import HLSCore

extension Poll {
    /// `until`, showing `⠹ waiting for <awaited>: <last state> (12s)` on a terminal while it waits:
    /// the one progress display of every waiting verb and of the `wait` builtin.
    ///
    /// It is also where `--dry-run` meets every wait (ADR 0043): once the run has planned a change
    /// (`ExecutionContext.plansAhead`), the condition is checked once; if it does not hold, what
    /// it waits for could only come about from a change that was not applied, so it throws
    /// `NotThereYet` ("would wait for …", the state seen) and the run goes on. Before any planned
    /// change a dry run waits for real, so a dry run of a converged lab stays truthful.
    ///
    /// `check` may throw any error (script code, a verb's helpers): an `HLSError` ends the wait
    /// as it is, any other error passes through unchanged (a `break` or `exit` inside a lazy value).
    public func until<Value>(showingOn context: ExecutionContext, _ check: () throws -> Check<Value>) throws
        -> Ready<Value>
    {
        if context.plansAhead {
            switch try check() {
            case .ready(let value): return Ready(value: value, waited: .zero)
            case .pending(let state), .progressed(let state):
                throw NotThereYet(wouldWaitFor: awaited, seen: state, planned: context.pendingChanges)
            }
        }
        let progress = Progress("waiting for \(awaited)", context: context)
        defer { progress.stop() }
        var escaped: (any Error)?
        do {
            let report = { (state: String) in progress.update("waiting for \(awaited): \(state)") }
            return try until(report: report) { () throws(HLSError) -> Check<Value> in
                do {
                    return try check()
                } catch let error as HLSError {
                    throw error
                } catch {
                    escaped = error
                    throw HLSError(.failed, "\(error)")
                }
            }
        } catch {
            throw escaped ?? error
        }
    }
}

extension NotThereYet {
    /// A wait under `--dry-run` after `planned` changes, whose condition does not hold yet: "after
    /// the change planned earlier", "after the 3 changes planned earlier", as phase summaries count.
    init(wouldWaitFor awaited: String, seen state: String, planned: Int) {
        let changes = planned == 1 ? "the change" : "the \(planned) changes"
        self.init("it would wait for \(awaited) after \(changes) planned earlier; now: \(state)")
    }
}
