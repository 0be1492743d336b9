import HLSCore

extension Poll {
    /// The first look again of `vm wait` and `node wait --for ssh`, and of the wait for a clone
    /// under way: what they wait for (a VM booting, an sshd starting, a clone ending) is often
    /// there within a second.
    static let settlingFirstPause = Duration.milliseconds(100)
    /// How long a settling poll keeps looking every `settlingFirstPause`.
    static let settlingSteadyFor = Duration.seconds(1)

    /// The poll of a wait that usually ends soon: it looks again every 100 ms during its first
    /// second, then doubles the pause up to `every`, so a short wait is seen within 100 ms of its
    /// end and a long one is checked every `every`.
    static func settling(
        _ awaited: String, timeout: Duration, every: Duration, cancellation: Cancellation, at place: Place? = nil,
        hint: String? = nil
    ) -> Poll {
        var poll = Poll(awaited, timeout: timeout, every: every, cancellation: cancellation, at: place, hint: hint)
        poll.firstPause = settlingFirstPause
        poll.steadyFor = settlingSteadyFor
        return poll
    }
}
