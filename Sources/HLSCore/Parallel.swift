import Dispatch
import Synchronization

/// Blocking work on many items at once, on threads of its own (SSH and HTTP calls here block in
/// `poll`, so they want threads, not a cooperative pool): `parallel for` in scripts and the
/// `node` verbs' fan-out.
public enum Parallel {
    /// Calls `body` for each index in `0..<count`, at most `limit` at a time, and returns when
    /// all calls have returned. Indices are handed out in order; `body` runs on worker threads
    /// with big stacks (room for recursive script procedures).
    public static func forEach(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let next = Atomic<Int>(0)
        let group = DispatchGroup()
        for _ in 0..<min(max(limit, 1), count) {
            group.enter()
            Threads.detach(stackSize: 16 << 20) {
                defer { group.leave() }
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < count else { return }
                    body(index)
                }
            }
        }
        group.wait()
    }

    /// `forEach` collecting each call's result in index order; `onResult` sees each result as its
    /// call returns (serialized: never two at once), for output that streams as hosts finish.
    public static func map<Result: Sendable>(
        _ count: Int, limit: Int, _ body: @escaping @Sendable (Int) -> Result,
        onResult: (@Sendable (Int, Result) -> Void)? = nil
    ) -> [Result] {
        let results = Mutex<[Int: Result]>([:])
        let report = Mutex<Void>(())
        forEach(count, limit: limit) { index in
            let result = body(index)
            results.withLock { $0[index] = result }
            if let onResult { report.withLock { _ in onResult(index, result) } }
        }
        return results.withLock { all in (0..<count).map { all[$0]! } }
    }
}
