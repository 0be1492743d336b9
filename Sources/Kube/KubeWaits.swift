import HLSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Kubernetes client's one way to wait between tries (an eviction a disruption budget
/// blocks, a watch to re-open): in short slices, so a cancellation ends it at once, and never
/// past a deadline. Kept in one place so it can move to HLSCore's shared wait helper.
enum KubeWaits {
    /// Waits `duration`, or until `deadline` if that comes first; throws `.interrupted` when
    /// `cancellation` fires. Returns false when it stopped at the deadline.
    @discardableResult
    static func pause(
        _ duration: Duration, deadline: ContinuousClock.Instant? = nil, cancellation: Cancellation, what: String
    ) throws(HLSError) -> Bool {
        let clock = ContinuousClock()
        let wanted = clock.now + duration
        let end = deadline.map { min($0, wanted) } ?? wanted
        while true {
            try cancellation.check(what)
            let left = end - clock.now
            if left <= .zero { return end == wanted }
            let slice = min(left, .milliseconds(20))
            let (seconds, attoseconds) = slice.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
    }

    /// `30 s`, `1.5 s`, `5 min` for messages.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if ms % 60_000 == 0 && ms >= 60_000 { return "\(ms / 60_000) min" }
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        return "\(Double(ms) / 1000) s"
    }
}
