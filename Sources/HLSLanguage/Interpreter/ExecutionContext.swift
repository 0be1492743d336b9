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
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    private let state = Mutex<State>(State())

    struct State {
        var services: [ObjectIdentifier: any Sendable] = [:]
        var pendingChanges = 0
        var appliedChanges = 0
    }

    public init(
        options: RunOptions = RunOptions(), environment: [String: String] = [:],
        cancellation: Cancellation = Cancellation(), stdoutTerminal: Terminal = .plain,
        stderrTerminal: Terminal = .plain, log: RunLog = RunLog(path: nil),
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.environment = environment
        self.cancellation = cancellation
        self.stdoutTerminal = stdoutTerminal
        self.stderrTerminal = stderrTerminal
        self.log = log
        self.statePaths = StatePaths(environment: environment)
        self.writeOut = out
        self.writeErr = err
    }

    public func out(_ text: String) { writeOut(text) }
    public func err(_ text: String) { writeErr(text) }

    /// A domain service (the lab, a Proxmox client) installed by a command module.
    public func service<T: Sendable>(_ type: T.Type) -> T? {
        state.withLock { $0.services[ObjectIdentifier(type)] as? T }
    }

    public func install<T: Sendable>(_ service: T) {
        state.withLock { $0.services[ObjectIdentifier(T.self)] = service }
    }

    /// How many changes `--dry-run` found (for `--detailed-exitcode`).
    public var pendingChanges: Int { state.withLock { $0.pendingChanges } }
    public var appliedChanges: Int { state.withLock { $0.appliedChanges } }

    func count(pending: Int, applied: Int) {
        state.withLock {
            $0.pendingChanges += pending
            $0.appliedChanges += applied
        }
    }
}
