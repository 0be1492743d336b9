/// A `Duration` in the units that APIs and messages want: seconds as a `Double`, whole
/// milliseconds for `poll()` and curl, a `timespec` for `nanosleep`. Every conversion goes
/// through the 128-bit attosecond count and saturates, so a huge duration (`sleep 1000000w`,
/// `Duration.seconds(Int64.max) * 10`) never traps.
extension Duration {
    /// The duration in seconds (for display and for APIs that take seconds).
    public var inSeconds: Double { Double(attoseconds) / 1e18 }

    /// How many whole `unit`s fit, rounded toward zero and clamped to `Int64`'s range.
    public func whole(_ unit: Duration) -> Int64 {
        precondition(unit > .zero, "a unit is a positive duration")
        return Int64(clamping: attoseconds / unit.attoseconds)
    }

    /// Whole milliseconds, toward zero, saturating.
    public var wholeMilliseconds: Int64 { whole(.milliseconds(1)) }

    /// Whole seconds, toward zero, saturating.
    public var wholeSeconds: Int64 { whole(.seconds(1)) }

    /// Milliseconds rounded up, clamped to `0...cap`: a `poll()` timeout that never ends a wait
    /// early (a wait with 0.3 ms left polls for 1 ms, not 0).
    public func pollMilliseconds(cap: Int32) -> Int32 {
        guard self > .zero else { return 0 }
        let unit = Duration.milliseconds(1).attoseconds
        let (quotient, remainder) = attoseconds.quotientAndRemainder(dividingBy: unit)
        return Int32(clamping: min(Int128(cap), quotient + (remainder > 0 ? 1 : 0)))
    }

}
