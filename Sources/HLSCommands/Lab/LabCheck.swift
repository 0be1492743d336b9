import HLSCore
import HLSLanguage
import Synchronization

/// One row of `lab status` (a layer) or `lab doctor` (a check): how it stands and why, in words.
struct LabCheck: Sendable, Equatable {
    enum State: String, Sendable {
        /// In place and healthy (status), or the endpoint answered as it should (doctor).
        case ok
        /// There but not healthy: the detail says what is wrong.
        case degraded
        /// Not there, or not reachable yet: the detail says why.
        case missing
        /// Doctor: the endpoint answered wrongly, or not at all.
        case failed
        /// Doctor: nothing to check (the inventory names no such endpoint).
        case skipped
    }

    var name: String
    var state: State
    var detail: String
    /// What to do about it (doctor's rows).
    var hint: String?

    init(_ name: String, _ state: State, _ detail: String, hint: String? = nil) {
        self.name = name
        self.state = state
        self.detail = detail
        self.hint = hint
    }

    /// A failure in words: the error's message, its cause when it adds one.
    static func words(_ error: any Error) -> String {
        guard let error = error as? HLSError else { return "\(error)" }
        guard let cause = error.cause, !cause.isEmpty, !error.message.contains(cause) else { return error.message }
        return "\(error.message) (\(cause.split(separator: "\n").first ?? ""))"
    }

    /// The row: `layer` (status) or `check` (doctor) as `key`, `state`, `detail`, and `hint`
    /// when `hints`.
    func record(key: String, hints: Bool = false) -> Value {
        var record = Record([(key, .string(name)), ("state", .string(state.rawValue)), ("detail", .string(detail))])
        if hints { record["hint"] = hint.map(Value.string) ?? .string("") }
        return .record(record)
    }

    /// Runs `checks` at once, each with `timeout`: a check still running then is cancelled (the
    /// HTTP, SSH and Kubernetes calls it make look at their token) and becomes a `failure` row
    /// with the time it was given; one that throws becomes one with its error in words.
    /// - Throws: `.interrupted` when `cancellation` (the run's Ctrl-C) fired.
    static func concurrently(
        _ checks: [(name: String, run: @Sendable (Cancellation) throws -> [LabCheck])], timeout: Duration,
        failure: State = .missing, cancellation: Cancellation
    ) throws(HLSError) -> [LabCheck] {
        let tokens = checks.map { _ in Cancellation(parent: cancellation) }
        let finished = Cancellation()
        let timedOut = Atomic(false)
        Threads.detach(name: "lab-watchdog") {
            guard finished.sleep(for: timeout) else { return }
            timedOut.store(true, ordering: .relaxed)
            for token in tokens { token.cancel() }
        }
        let results = Parallel.map(checks.count, limit: checks.count) { index in
            do {
                return try checks[index].run(tokens[index])
            } catch {
                let late = timedOut.load(ordering: .relaxed) && !cancellation.isCancelled
                return [
                    LabCheck(
                        checks[index].name, failure, late ? "no answer within \(timeout.text)" : words(error))
                ]
            }
        }
        finished.cancel()
        try cancellation.check("lab checks")
        return results.flatMap { $0 }
    }
}
