import Dispatch
import HLSCore
import Kube
import Synchronization

/// One object followed through a watch on a thread of its own, for `Poll`'s `pause`: a wait
/// checks `state()` and then blocks in `pause` until the watch delivers a change (or the pause's
/// time passes), so it answers as soon as the object changes, never by re-reading it on a timer.
/// The client's watch re-opens dropped streams and re-lists after a 410.
final class KubeObjectWatch: Sendable {
    /// What the watch has seen of the object.
    enum Seen: Sendable {
        /// The first list has not come yet.
        case nothingYet
        case absent
        case present(Document)
    }

    private struct State {
        var seen = Seen.nothingYet
        var error: HLSError?
    }

    private let state = Mutex(State())
    private let changed = DispatchSemaphore(value: 0)
    private let stop: Cancellation

    /// Starts watching `name` (of `resource`, in `namespace`) until `deadline` or `close()`.
    init(
        client: KubeClient, resource: KubeResource, name: String, namespace: String?, deadline: ContinuousClock.Instant,
        cancellation: Cancellation
    ) {
        stop = Cancellation(parent: cancellation)
        Threads.detach(name: "kube-watch") {
            do throws(HLSError) {
                _ = try client.watch(
                    resource, namespace: namespace, options: KubeListOptions(fieldSelector: "metadata.name=\(name)"),
                    deadline: deadline, cancellation: self.stop
                ) { event throws(HLSError) -> KubeWatchDecision in
                    let seen: Seen? =
                        switch event {
                        case .listed(let items, _): items.first.map(Seen.present) ?? .absent
                        case .added(let object), .modified(let object): .present(object)
                        case .deleted: .absent
                        case .bookmark: nil
                        }
                    if let seen {
                        self.state.withLock { $0.seen = seen }
                        self.changed.signal()
                    }
                    return self.stop.isCancelled ? .stop : .continue
                }
            } catch {
                if !self.stop.isCancelled {
                    self.state.withLock { $0.error = error }
                    self.changed.signal()
                }
            }
        }
    }

    /// The object as last seen; the watch's error if it failed.
    func seen() throws(HLSError) -> Seen {
        let current = state.withLock { $0 }
        if let error = current.error { throw error }
        return current.seen
    }

    /// Blocks until the watch reports a change or `duration` passes; Ctrl-C ends it.
    func pause(_ duration: Duration, cancellation: Cancellation, what: String) throws(HLSError) {
        let deadline = Deadline(after: duration)
        while let left = deadline.remaining, left > .zero {
            try cancellation.check(what)
            let slice = min(left, .milliseconds(100))
            let nanoseconds =
                Int(slice.components.seconds) * 1_000_000_000 + Int(slice.components.attoseconds / 1_000_000_000)
            if changed.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success { return }
        }
    }

    /// Ends the watch.
    func close() { stop.cancel() }
}
