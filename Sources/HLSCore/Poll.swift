/// The one way to wait until a condition holds: check, report what was seen, pause, and again —
/// until a check is ready, the timeout passes (`.timeout` naming what was awaited and the last
/// state seen) or the token is cancelled (`.interrupted`). The last check is made at the
/// deadline, not one interval before it.
///
/// Between checks it sleeps `every` (cut to the time left), so Ctrl-C ends the wait at once. A
/// wait fed by events (a Kubernetes watch) sets `pause` to block on its stream until an event
/// arrives or the given time passes, and keeps the rest: the progress shown, the timeout error,
/// cancellation.
public struct Poll {
    /// What one check found.
    public enum Check<Value> {
        /// The condition holds: the wait ends with this value.
        case ready(Value)
        /// Not yet, and what was seen (`stopped`, `no answer on 10.0.0.5:22`): shown while
        /// waiting and the cause of the timeout error.
        case pending(String)
        /// Not yet, but part of what is awaited came about since the last check (one node of
        /// several let us in): the rest often follows soon, so the pauses start again from
        /// `firstPause`.
        case progressed(String)
    }

    /// A wait that ended because its condition held.
    public struct Ready<Value> {
        public let value: Value
        public let waited: Duration

        public init(value: Value, waited: Duration) {
            self.value = value
            self.waited = waited
        }
    }

    /// What is awaited, as it reads after "waiting for": `k3s-cp-01 (running)`.
    public var awaited: String
    public var timeout: Duration
    /// The time between checks.
    public var every: Duration
    /// The first pause, doubled after each check up to `every` (nil: every pause is `every`): a
    /// wait that is usually short (a Proxmox task) sees its end at once, a long one is still
    /// checked only every `every`. A check that `progressed` starts the doubling again.
    public var firstPause: Duration?
    /// How long the pauses stay at `firstPause` before they start doubling (zero: they double
    /// from the first check): a wait whose end often comes within that time is looked at that
    /// often all through it, rather than after a pause doubled past the moment it came.
    public var steadyFor: Duration = .zero
    public var cancellation: Cancellation
    /// Where the wait was asked for; the errors carry it.
    public var place: Place?
    /// What to try when the wait times out.
    public var hint: String?
    /// The timeout error's message; nil for `timed out after 5m waiting for <awaited>`.
    public var timeoutMessage: String?
    /// Waits up to the given time for the next check. Nil sleeps (cancellably).
    public var pause: ((Duration) throws(HLSError) -> Void)?
    /// The time since the wait began, read after each check; nil reads the continuous clock. A
    /// test gives its own clock, moved on by its `pause`, to follow the schedule without waiting.
    public var elapsed: (() -> Duration)?

    public init(
        _ awaited: String, timeout: Duration, every: Duration, cancellation: Cancellation, at place: Place? = nil,
        hint: String? = nil
    ) {
        self.awaited = awaited
        self.timeout = timeout
        self.every = every
        self.cancellation = cancellation
        self.place = place
        self.hint = hint
    }

    /// Checks until `check` is ready; `report` gets what each pending check saw.
    /// - Throws: what `check` throws; `.timeout` whose cause is the last state seen;
    ///   `.interrupted` when the token is cancelled, also during a pause.
    public func until<Value>(
        report: (String) -> Void = { _ in }, _ check: () throws(HLSError) -> Check<Value>
    ) throws(HLSError) -> Ready<Value> {
        let deadline = Deadline(after: timeout)
        let elapsed = self.elapsed ?? { deadline.elapsed }
        var pauseLength = firstPause.map { min($0, every) } ?? every
        while true {
            try interruption()
            let last: String
            switch try interrupting(check) {
            case .ready(let value): return Ready(value: value, waited: elapsed())
            case .pending(let state): last = state
            case .progressed(let state):
                last = state
                pauseLength = firstPause.map { min($0, every) } ?? every
            }
            report(last)
            let left = max(.zero, timeout) - elapsed()
            guard left > .zero else {
                throw HLSError(
                    .timeout, timeoutMessage ?? "timed out after \(timeout.text) waiting for \(awaited)", at: place,
                    hint: hint, cause: last)
            }
            let next = min(pauseLength, left)
            if elapsed() >= steadyFor { pauseLength = min(pauseLength * 2, every) }
            if let pause {
                try interrupting { () throws(HLSError) in try pause(next) }
            } else if !cancellation.sleep(for: next) {
                try interruption()
            }
        }
    }

    /// Runs `body`; an `.interrupted` it throws once the token is cancelled (a watch or a request
    /// cut short by Ctrl-C, in the transport's words: `GET URL: interrupted`) becomes the wait's
    /// own, naming what was awaited at the place the wait was asked for.
    private func interrupting<Result>(_ body: () throws(HLSError) -> Result) throws(HLSError) -> Result {
        do {
            return try body()
        } catch  where error.kind == .interrupted && cancellation.isCancelled {
            try interruption()
            throw error
        }
    }

    private func interruption() throws(HLSError) {
        do {
            try cancellation.check("waiting for \(awaited)")
        } catch {
            throw place.map(error.located) ?? error
        }
    }
}
