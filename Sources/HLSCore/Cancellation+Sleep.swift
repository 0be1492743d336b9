#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one cancellable sleep: every pause between tries, retries and polls goes through it.
extension Cancellation {
    /// How often a sleep looks at its token: a Ctrl-C, a SIGTERM or `cancel()` ends it within this.
    public static let sleepSlice = Duration.milliseconds(20)

    /// Sleeps `duration` in slices of `sleepSlice`, looking at the token before each.
    /// - Returns: true when the whole duration passed, false as soon as the token is cancelled.
    public func sleep(for duration: Duration) -> Bool {
        let deadline = Deadline(after: duration)
        while true {
            if isCancelled { return false }
            guard let left = deadline.remaining, left > .zero else { return true }
            var slice = timespec(min(left, Self.sleepSlice))
            _ = nanosleep(&slice, nil)
        }
    }

    /// Sleeps `duration`; throws `HLSError(.interrupted)` naming `what` (`sleep at x.hls:3:1`) as
    /// soon as the token is cancelled.
    public func sleep(for duration: Duration, _ what: @autoclosure () -> String) throws(HLSError) {
        if !sleep(for: duration) { try check(what()) }
    }
}

extension timespec {
    /// `duration` (at most a slice, never negative) for `nanosleep`.
    fileprivate init(_ duration: Duration) {
        let nanoseconds = max(0, duration.whole(.nanoseconds(1)))
        self.init(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
