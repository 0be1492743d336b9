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
        /// Doctor: nothing to check (the inventory names no such endpoint), or the credential the
        /// check needs is not set (the detail says which, and where to set it).
        case skipped
        /// Doctor: not built yet (no VM before phase 1, no kubeconfig before phase 2); the detail
        /// names the phase that builds it. Not a failure.
        case pending

        /// Whether the row fails the verb (exit 1): a check that failed, a layer that is degraded.
        var fails: Bool { self == .failed || self == .degraded }
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

    /// The runbook's phase `number` with its script: `phase 2 (scripts/phases/2-k3s.hls)`.
    static func phase(_ number: Int) -> String {
        let scripts = ["1-vms", "2-k3s", "3-flux", "4-tls", "5-observability", "6-storage", "7-apps"]
        return "phase \(number) (scripts/phases/\(scripts[number - 1]).hls)"
    }

    /// Rows as the verb's result; those that fail (`State.fails`) are counted on the run, which
    /// then ends with exit 1 while the rows still go down the pipeline.
    static func result(_ rows: [LabCheck], key: String, hints: Bool, inv: Invocation) -> Value {
        inv.context.countFailedChecks(rows.filter { $0.state.fails }.count)
        return .list(rows.map { $0.record(key: key, hints: hints) })
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
        let results = Parallel.map(checks.count, limit: checks.count) { index in
            let token = Cancellation(parent: cancellation, expiringAfter: timeout)
            do {
                return try checks[index].run(token)
            } catch {
                let late = token.hasExpired && !cancellation.isCancelled
                return [
                    LabCheck(
                        checks[index].name, failure, late ? "no answer within \(timeout.text)" : words(error))
                ]
            }
        }
        try cancellation.check("lab checks")
        return results.flatMap { $0 }
    }
}
