import HLSCore
import HLSLanguage

extension Invocation {
    /// The wait of `vm wait` and `node wait`, on the one `Poll`: `check` (nil: ready; else what
    /// it saw) every `every` until `subject` is ready (`condition` names what it waits for:
    /// `running`, `ssh`). A check that fails (`.failed`) is a state seen, not the end of the wait.
    /// Under `--dry-run` it follows every wait's rule (`Poll.until(showingOn:)`, ADR 0043).
    /// - Returns: how long it waited.
    /// - Throws: `.timeout` naming the subject and the last answer, or `.interrupted`.
    func waitUntil(
        _ subject: String, _ condition: String, timeout: Duration, every: Duration, hint: String,
        check: () throws -> String?
    ) throws -> Duration {
        try waitUntil(subject, condition, timeout: timeout, every: every, hint: hint) { () throws -> Poll.Check<Void> in
            try check().map { .pending($0) } ?? .ready(())
        }
    }

    /// `waitUntil` whose check says itself whether it is ready, pending, or `progressed` (part
    /// of a wait for several came about: the pauses start again from the first).
    func waitUntil(
        _ subject: String, _ condition: String, timeout: Duration, every: Duration, hint: String,
        check: () throws -> Poll.Check<Void>
    ) throws -> Duration {
        // A VM that boots or an sshd that starts is often there within a second: look again
        // soon, then back off to `every`.
        var poll = Poll.settling(
            "\(subject) (\(condition))", timeout: timeout, every: every, cancellation: context.cancellation,
            at: .source(location), hint: hint)
        poll.timeoutMessage = "\(spec.name): \(subject) is not ready (\(condition)) after \(timeout.text)"
        return try poll.until(showingOn: context) { () throws -> Poll.Check<Void> in
            do {
                return try check()
            } catch let e as HLSError where e.kind == .failed {
                return .pending(e.message)
            }
        }.waited
    }
}
