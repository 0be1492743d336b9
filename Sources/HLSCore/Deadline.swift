/// When a wait must give up: a start on the monotonic clock and the budget from it (kept for
/// the "timed out after …" message). `.never` has no budget.
///
/// The end is never computed as an instant (`now + budget` traps for a budget near the largest
/// `Duration`): what is left is the budget minus the time elapsed, which cannot overflow.
public struct Deadline: Sendable {
    public let start: ContinuousClock.Instant
    /// The time allowed, never negative; nil for a wait without end.
    public let budget: Duration?

    public init(after budget: Duration?) {
        self.start = .now
        self.budget = budget.map { max(.zero, $0) }
    }

    /// A deadline that never passes.
    public static var never: Deadline { Deadline(after: nil) }

    /// The time since the deadline was made.
    public var elapsed: Duration { start.duration(to: .now) }

    /// The time left (zero once passed); nil for `.never`.
    public var remaining: Duration? { budget.map { max(.zero, $0 - elapsed) } }

    public var hasPassed: Bool { remaining == .zero }

    /// Milliseconds to hand `poll()`: the time left rounded up, but never more than `cap`.
    public func pollMilliseconds(cap: Int32) -> Int32 {
        remaining?.pollMilliseconds(cap: cap) ?? cap
    }
}
