import Dispatch
public import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SSH connections of one run: one session per resolved target, reused for every command
/// (each command is a channel, not a new handshake), set up in parallel across hosts, replaced
/// on next use when its connection was lost, and closed together by `closeAll()`.
///
/// Thread-safe. Connecting to different targets runs in parallel; two threads asking for the
/// same target share one connection attempt. Targets behind the same `ProxyJump` host share
/// one connection to it (used for their tunnels only: a command for the jump host itself gets
/// its own connection). A session runs one operation at a time (see
/// `SSHSession`), so commands for one host from several threads take turns on its connection.
public final class SSHConnectionPool: Sendable {
    /// One target's connection, guarded by its own lock so a slow connect blocks only callers
    /// for that target.
    private final class Slot: Sendable {
        let session = Mutex<SSHSession?>(nil)
    }

    /// A jump host's connection, locked the same way.
    private final class JumpSlot: Sendable {
        let jumpHost = Mutex<SSHJumpHost?>(nil)
    }

    private struct State {
        var slots: [Key: Slot] = [:]
        /// Jump hosts, shared by every target behind them; used for tunnels only.
        var jumpSlots: [Key: JumpSlot] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    /// How many connections are set up at once by `connectAll`.
    public let parallelism: Int

    public init(parallelism: Int = 16) {
        self.parallelism = max(1, parallelism)
    }

    /// The open session for `target`, connecting first — or reconnecting, when the last one
    /// lost its connection or the server has closed it since (a rebooted node).
    public func session(for target: SSHResolvedTarget, cancellation: Cancellation = .never) throws(HLSError)
        -> SSHSession
    {
        let slot = try self.slot(for: target)
        return try slot.session.withLock { (current) throws(HLSError) -> SSHSession in
            if let session = current {
                if session.checkPeerStillConnected() { return session }
                session.close()
                current = nil
            }
            let session = try SSHSession.connect(to: target, cancellation: cancellation) {
                (hop) throws(HLSError) in try self.jumpHost(for: hop, cancellation: cancellation)
            }
            current = session
            return session
        }
    }

    /// The shared jump host for `hop` (itself reached through `hop.jumpHosts`), connecting or
    /// replacing a lost one first.
    private func jumpHost(for hop: SSHResolvedTarget, cancellation: Cancellation) throws(HLSError) -> SSHJumpHost {
        let slot = try slot(for: hop, in: \.jumpSlots, make: JumpSlot.init)
        return try slot.jumpHost.withLock { (current) throws(HLSError) -> SSHJumpHost in
            if let existing = current {
                if existing.isUsable && existing.session.checkPeerStillConnected() { return existing }
                existing.close()
                current = nil
            }
            let session = try SSHSession.connect(to: hop, cancellation: cancellation) {
                (earlier) throws(HLSError) in try self.jumpHost(for: earlier, cancellation: cancellation)
            }
            let made = SSHJumpHost(session: session, closesWhenUnused: false)
            current = made
            return made
        }
    }

    /// Connects to every target at once (at most `parallelism` at a time); the outcome for
    /// each, in the order given. Already connected targets are reused.
    public func connectAll(_ targets: [SSHResolvedTarget], cancellation: Cancellation = .never) -> [Result<
        SSHSession, HLSError
    >] {
        let results = ResultBox(count: targets.count)
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: parallelism)
        for (index, target) in targets.enumerated() {
            group.enter()
            gate.wait()
            // A thread per connection: a connect mostly waits on the network, and GCD's pool on
            // Linux is sized for CPU work.
            Threads.detach(name: "hlsh-ssh-connect") { [self] in
                defer {
                    gate.signal()
                    group.leave()
                }
                do throws(HLSError) {
                    results.set(index, .success(try session(for: target, cancellation: cancellation)))
                } catch {
                    results.set(index, .failure(error))
                }
            }
        }
        group.wait()
        return results.values
    }

    /// Runs `command` on `target` over its pooled session (see `SSHSession.exec`). A session
    /// found dead before the command starts is replaced; a connection lost during the command
    /// is reported, not retried (the command may have run).
    public func exec(
        _ command: String, on target: SSHResolvedTarget, stdin: [UInt8]? = nil, cancellation: Cancellation = .never,
        timeout: Duration? = nil, onStdout: ((ArraySlice<UInt8>) -> Void)? = nil,
        onStderr: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        try session(for: target, cancellation: cancellation).exec(
            command, stdin: stdin, cancellation: cancellation, timeout: timeout, onStdout: onStdout,
            onStderr: onStderr)
    }

    /// How many sessions are open (for tests and status lines).
    public var openCount: Int {
        let all = state.withLock { Array($0.slots.values) }
        return all.filter { slot in slot.session.withLock { $0?.isConnected ?? false } }.count
    }

    /// Closes every session; later calls to `session(for:)` fail. Waits for running commands.
    public func closeAll() {
        let (all, jumps) = state.withLock { state in
            state.closed = true
            defer {
                state.slots = [:]
                state.jumpSlots = [:]
            }
            return (Array(state.slots.values), Array(state.jumpSlots.values))
        }
        for slot in all {
            slot.session.withLock {
                $0?.close()
                $0 = nil
            }
        }
        // After the sessions that tunnel through them.
        for slot in jumps {
            slot.jumpHost.withLock {
                $0?.close()
                $0 = nil
            }
        }
    }

    private func slot(for target: SSHResolvedTarget) throws(HLSError) -> Slot {
        try slot(for: target, in: \.slots, make: Slot.init)
    }

    /// The slot of `target` in one of the state's tables, made on first use; refused once the
    /// pool is closed.
    private func slot<S: Sendable>(
        for target: SSHResolvedTarget, in table: WritableKeyPath<State, [Key: S]>, make: () -> S
    ) throws(HLSError) -> S {
        let key = Key(target)
        return try state.withLock { (state) throws(HLSError) -> S in
            if state.closed {
                throw HLSError(
                    .failed, "the SSH connections of this run are closed", at: .host(target.endpoint.description))
            }
            if let slot = state[keyPath: table][key] { return slot }
            let slot = make()
            state[keyPath: table][key] = slot
            return slot
        }
    }

    /// What makes two targets the same connection: endpoint, options and route, not the name
    /// they were reached by (`node1` and `root@10.0.0.5` may be one host). The host key policy
    /// is not part of it: either policy lets a connection go ahead only with the host's key in
    /// known_hosts (`.acceptNew` records a new one first, and fails if it cannot), so a
    /// connection made with `--accept-new` is one a strict check would let through now, and
    /// serves later commands that do not say it (`node wait --for ssh --accept-new`, then
    /// `node facts`) instead of a second login.
    private struct Key: Hashable {
        let endpoint: SSHEndpoint
        let options: SSHConnectOptions
        let route: [Key]

        init(_ target: SSHResolvedTarget) {
            endpoint = target.endpoint
            var options = target.options
            options.hostKeyPolicy = .strict
            self.options = options
            route = target.jumpHosts.map(Key.init)
        }
    }
}

/// Results written by connect threads, read once all are done.
private final class ResultBox: Sendable {
    private let storage: Mutex<[Result<SSHSession, HLSError>?]>

    init(count: Int) { storage = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Result<SSHSession, HLSError>) {
        storage.withLock { $0[index] = value }
    }

    var values: [Result<SSHSession, HLSError>] {
        storage.withLock { storage in
            storage.map { $0 ?? .failure(HLSError(.failed, "internal error: a connection attempt did not finish")) }
        }
    }
}
