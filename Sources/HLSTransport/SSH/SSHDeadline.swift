/// When a wait must give up: a point on the monotonic clock and the budget it was made from
/// (kept for the "timed out after …" message). `.never` has neither.
struct SSHDeadline {
    let instant: ContinuousClock.Instant?
    let budget: Duration?

    init(after budget: Duration?) {
        self.budget = budget
        self.instant = budget.map { ContinuousClock.now.advanced(by: $0) }
    }

    static var never: SSHDeadline { SSHDeadline(after: nil) }

    var hasPassed: Bool {
        guard let instant else { return false }
        return ContinuousClock.now >= instant
    }

    /// Milliseconds to hand `poll()`: the time left, but never more than `cap`.
    func pollMilliseconds(cap: Int32) -> Int32 {
        guard let instant else { return cap }
        let left = ContinuousClock.now.duration(to: instant)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(Int64(cap), millis))
    }
}
