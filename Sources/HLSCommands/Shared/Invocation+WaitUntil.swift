import HLSCore
import HLSLanguage

/// How one subject's wait in `vm wait` or `node wait` ended.
enum WaitOutcome {
    case ready(waited: Duration)
    /// Not ready under `--dry-run`: what only the apply would bring about is not waited for.
    case skipped(status: String)
}

extension Invocation {
    /// The wait of `vm wait` and `node wait`, on the one `Poll`: `check` (nil: ready; else what
    /// it saw) every `every` until `subject` is ready (`condition` names what it waits for:
    /// `running`, `ssh`). A check that fails (`.failed`) is a state seen, not the end of the wait.
    /// - Throws: `.timeout` naming the subject and the last answer, or `.interrupted`.
    func waitUntil(
        _ subject: String, _ condition: String, timeout: Duration, every: Duration, hint: String,
        check: () throws -> String?
    ) throws -> WaitOutcome {
        var poll = Poll(
            "\(subject) (\(condition))", timeout: timeout, every: every, cancellation: context.cancellation,
            at: .source(location), hint: hint)
        poll.timeoutMessage = "\(spec.name): \(subject) is not ready (\(condition)) after \(timeout.text)"
        let dryRun = context.options.dryRun
        let ready = try poll.until(showingOn: context) { () throws -> Poll.Check<String?> in
            let status: String
            do {
                guard let seen = try check() else { return .ready(nil) }
                status = seen
            } catch let e as HLSError where e.kind == .failed {
                status = e.message
            }
            // Under --dry-run the first answer is the outcome: nothing is waited for.
            return dryRun ? .ready(status) : .pending(status)
        }
        return ready.value.map { .skipped(status: $0) } ?? .ready(waited: ready.waited)
    }
}
