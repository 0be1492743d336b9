import HLSCore

/// The Kubernetes client's pause between tries (an eviction a disruption budget blocks, a watch
/// to re-open), on HLSCore's one cancellable sleep, never past a deadline.
enum KubeWaits {
    /// Waits `duration`, or until `deadline` if that comes first; throws `.interrupted` when
    /// `cancellation` fires. Returns false when it stopped at the deadline.
    @discardableResult
    static func pause(
        _ duration: Duration, deadline: ContinuousClock.Instant? = nil, cancellation: Cancellation, what: String
    ) throws(HLSError) -> Bool {
        let left = deadline.map { max(.zero, ContinuousClock.now.duration(to: $0)) }
        try cancellation.sleep(for: left.map { min($0, duration) } ?? duration, what)
        return left.map { $0 >= duration } ?? true
    }
}
