public import HLSCore
import Synchronization

/// Everything a command may reach while it runs, injected once: options, output streams,
/// the terminal, environment, cancellation, the run log and the domain services the command
/// modules install. Tests build one with captured output and fake services.
public final class ExecutionContext: Sendable {
    public let options: RunOptions
    public let environment: [String: String]
    public let cancellation: Cancellation
    /// The terminal on standard output (tables) and on standard error (progress).
    public let stdoutTerminal: Terminal
    public let stderrTerminal: Terminal
    public let log: RunLog
    public let statePaths: StatePaths
    /// Asks the user a question on their terminal and returns the line they answer (nil at the
    /// end of input); nil when there is no terminal to ask (a pipe, CI, a test). `confirm` uses it.
    public let ask: (@Sendable (String) throws(HLSError) -> String?)?
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    private let state = Mutex<State>(State())

    struct State {
        var services: [ObjectIdentifier: ServiceSlot] = [:]
        /// In order of creation.
        var closables: [any ClosableService] = []
        var pendingChanges = 0
        var appliedChanges = 0
        var failedChecks = 0
        var target: String?
    }

    public init(
        options: RunOptions = RunOptions(), environment: [String: String] = [:],
        cancellation: Cancellation = Cancellation(), stdoutTerminal: Terminal = .plain,
        stderrTerminal: Terminal = .plain, log: RunLog = RunLog(path: nil),
        ask: (@Sendable (String) throws(HLSError) -> String?)? = nil,
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.environment = environment
        self.cancellation = cancellation
        self.stdoutTerminal = stdoutTerminal
        self.stderrTerminal = stderrTerminal
        self.log = log
        self.ask = ask
        self.statePaths = StatePaths(environment: environment)
        self.writeOut = out
        self.writeErr = err
    }

    public func out(_ text: String) { writeOut(text) }
    public func err(_ text: String) { writeErr(text) }

    /// A domain service (the lab, a Proxmox client) if one was made; makes none.
    public func service<T: Sendable>(_ type: T.Type) -> T? {
        guard let slot = state.withLock({ $0.services[ObjectIdentifier(type)] }) else { return nil }
        return slot.value.withLock { $0 as? T }
    }

    /// The run's one `T` (the lab, the Proxmox client, the SSH connections), made by `make` on
    /// first use; however many threads ask at once (`parallel for`), `make` runs once and all
    /// get the same instance. A `make` that throws leaves no service: the next use tries again.
    /// `make` may ask for other services (not for `T` itself). A `ClosableService` is closed
    /// by `closeServices()` when the run ends.
    public func service<T: Sendable, E: Error>(_ type: T.Type, make: () throws(E) -> T) throws(E) -> T {
        let slot = state.withLock { state in
            if let slot = state.services[ObjectIdentifier(type)] { return slot }
            let slot = ServiceSlot()
            state.services[ObjectIdentifier(type)] = slot
            return slot
        }
        return try slot.value.withLock { (value) throws(E) -> T in
            if let existing = value as? T { return existing }
            let made = try make()
            value = made
            if let closable = made as? any ClosableService { state.withLock { $0.closables.append(closable) } }
            return made
        }
    }

    /// Closes every `ClosableService` of the run, newest first (a service may use an older
    /// one), each once: called when the script, `-c` command or interactive session ends.
    public func closeServices() {
        let closing = state.withLock { state in
            defer { state.closables = [] }
            return state.closables
        }
        for service in closing.reversed() { service.close() }
    }

    /// What the run acts on, as the domain layer names it when a lab is put in use (its
    /// inventory and Proxmox endpoint): the runbook journal records it with each completed
    /// phase, so `--resume` never skips a phase that a run against another lab completed.
    public var target: String? { state.withLock { $0.target } }

    public func setTarget(_ target: String) { state.withLock { $0.target = target } }

    /// How many changes `--dry-run` found (for `--detailed-exitcode`).
    public var pendingChanges: Int { state.withLock { $0.pendingChanges } }
    public var appliedChanges: Int { state.withLock { $0.appliedChanges } }

    /// A dry run that has planned a change: what a wait now waits for could come about only
    /// from a change that is not applied, so waits check once and do not block (ADR 0043).
    public var plansAhead: Bool { options.dryRun && pendingChanges > 0 }

    /// How many checks failed in verbs that still give all their rows (`lab doctor`, `lab
    /// status`): the run then ends with `ExitStatus.failure`, while the rows still flow down
    /// the pipeline (`lab doctor | where state == "failed"`).
    public var failedChecks: Int { state.withLock { $0.failedChecks } }

    public func countFailedChecks(_ count: Int) { state.withLock { $0.failedChecks += count } }

    func count(pending: Int, applied: Int) {
        state.withLock {
            $0.pendingChanges += pending
            $0.appliedChanges += applied
        }
    }
}

/// Where one service of a run lives. Its own lock is held while the service is made, so
/// threads asking for it at once wait for the one make, while the context's lock stays free
/// for a `make` that needs other services (the SSH connections read the lab).
final class ServiceSlot: Sendable {
    let value = Mutex<(any Sendable)?>(nil)
}
