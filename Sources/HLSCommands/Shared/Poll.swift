import HLSCore
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The wait loop of `vm wait` and `node wait`: check, show progress with the elapsed time and
/// the last answer, pause, until ready or the timeout; Ctrl-C ends it at once.
enum Poll {
    enum Outcome {
        case ready(waited: Duration)
        /// Not ready under `--dry-run`: what only the apply would bring about is not waited for.
        case skipped(status: String)
    }

    /// Polls `check` (nil: ready; else what it saw) every `every` until `subject` is ready
    /// (`condition` names what it waits for: `running`, `ssh`).
    /// - Throws: `.timeout` naming the subject and the last answer, or `.interrupted`.
    static func until(
        _ subject: String, _ condition: String, inv: Invocation, timeout: Duration, every: Duration, hint: String,
        check: () throws -> String?
    ) throws -> Outcome {
        let what = "\(subject) (\(condition))"
        let clock = ContinuousClock()
        let start = clock.now
        let progress = Progress("waiting for \(what)", context: inv.context)
        defer { progress.stop() }
        while true {
            try inv.context.cancellation.check("waiting for \(what)")
            let last: String
            do {
                guard let status = try check() else { return .ready(waited: clock.now - start) }
                last = status
            } catch let e as HLSError where e.kind == .failed {
                last = e.message
            }
            if inv.context.options.dryRun { return .skipped(status: last) }
            progress.update("waiting for \(what): \(last)")
            if clock.now - start > timeout {
                throw HLSError(
                    .timeout,
                    "\(inv.spec.name): \(subject) is not ready (\(condition)) after \(Render.plain(.duration(timeout)))",
                    at: .source(inv.location), hint: hint, cause: last)
            }
            try pause(every, cancellation: inv.context.cancellation, what: "waiting for \(what)")
        }
    }

    /// Sleeps `duration` in 100 ms steps, so Ctrl-C ends a wait at once.
    static func pause(_ duration: Duration, cancellation: Cancellation, what: String) throws {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while clock.now < end {
            try cancellation.check(what)
            let left = end - clock.now
            Threads.sleep(for: min(.milliseconds(100), left))
        }
    }
}
