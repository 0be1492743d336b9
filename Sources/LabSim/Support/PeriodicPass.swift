import HLSCore
import Synchronization

/// A pass that follows something in the background: run once by `start` before it returns, then
/// every `every` on a thread of its own until `stop`. Passes never overlap (a caller's `run` waits
/// for the background's), and none runs after `stop` returns. What the lab's followers of its
/// guests share (`SimulatedKubelets`, `SimulatedControlPlane`).
final class PeriodicPass: Sendable {
    private let every: Duration
    private let stopping = Atomic<Bool>(false)
    private let running = Mutex<Void>(())

    init(every: Duration) { self.every = every }

    /// Runs `body` now, then every `every` until `stop`.
    func start(_ body: @escaping @Sendable () -> Void) {
        run(body)
        Threads.detach { [self] in
            while !stopping.load(ordering: .acquiring) {
                Threads.sleep(for: every)
                run(body)
            }
        }
    }

    /// Runs `body` as one pass (none once stopped).
    func run(_ body: () -> Void) {
        running.withLock { _ in
            guard !stopping.load(ordering: .acquiring) else { return }
            body()
        }
    }

    /// Ends the passes, waiting for one under way.
    func stop() {
        stopping.store(true, ordering: .releasing)
        running.withLock { _ in }
    }
}
