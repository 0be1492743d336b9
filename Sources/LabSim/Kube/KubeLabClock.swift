#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The pace of the lab's time against the wall clock's (ADR 0058): how a simulated controller
/// measures a wait it imposes on itself from a timestamp an object states — a pod's
/// `minReadySeconds` from its Ready transition, cert-manager's back-off from `lastFailureTime` —
/// so that the wait passes at the rate the controller's requeues do
/// (`KubeAPISimulator.Options.requeueScale`): 10 s of `minReadySeconds` take 10 s on a real
/// cluster (`proxmox`, `demo`), 1 s under `test` and 0.1 s under `zero`.
///
/// The timestamps keep their one-second resolution (the API server writes them so); the wall
/// clock is read to the nanosecond, as `metav1.Now()` is, so a scaled wait is never longer than
/// its length, only shorter by the stamp's truncated fraction of a second, as a real one is.
struct KubeLabClock: Sendable, Hashable {
    /// Wall-clock seconds per second of the lab's time: 1 as on a real cluster.
    var scale: Double = 1

    /// A real cluster's pace.
    static let real = KubeLabClock()

    /// Seconds since the epoch, now, with the fraction.
    static func wallNow() -> Double { Date().timeIntervalSince1970 }

    /// How much of the lab's time is left until `seconds` of it have passed since `since`
    /// (seconds since the epoch, an object's timestamp): what a controller waiting for it asks
    /// to be requeued after (the runner scales it back to wall time). nil once passed, as
    /// `since + seconds` is not after `now` (`podutil.IsPodAvailable`'s `Before(now)`).
    func remaining(_ seconds: Int, since: Int, now: Double = wallNow()) -> Duration? {
        let left = Double(since) + Double(seconds) * scale - now
        return left > 0 ? .seconds(left / scale) : nil
    }
}
