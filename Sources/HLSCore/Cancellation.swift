internal import CHlshSupport
import Synchronization

/// A cancellation flag that long operations poll: HTTP transfers (from curl's progress
/// callback), SSH channel loops and waits. Cancelling a token cancels its children.
///
/// Thread-safe: the flag is an atomic, children are behind a mutex.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private let parent: Cancellation?
    private let followsInterrupts: Bool
    /// When the token cancels itself: a piece of work given a time budget.
    private let expiry: Deadline?

    /// A token that is cancelled only by `cancel()` or its parent.
    public init(parent: Cancellation? = nil) {
        self.parent = parent
        self.followsInterrupts = false
        self.expiry = nil
    }

    /// A token that is also cancelled once `budget` has passed (no thread watches it: whatever
    /// polls `isCancelled` sees it), for work that must give up after a while, its parent's
    /// Ctrl-C still stopping it at once.
    public init(parent: Cancellation, expiringAfter budget: Duration) {
        self.parent = parent
        self.followsInterrupts = false
        self.expiry = Deadline(after: budget)
    }

    private init(followsInterrupts: Bool) {
        self.parent = nil
        self.followsInterrupts = followsInterrupts
        self.expiry = nil
    }

    /// Whether the token's own budget has passed (`init(parent:expiringAfter:)`), as opposed to
    /// a cancel or its parent's.
    public var hasExpired: Bool { expiry?.hasPassed ?? false }

    /// A root token that is also cancelled when SIGINT arrives (after `Interrupts.install()`),
    /// or SIGTERM or SIGHUP (after `Termination.install()`).
    public static func followingInterrupts() -> Cancellation { Cancellation(followsInterrupts: true) }

    /// A token that is never cancelled.
    public static let never = Cancellation()

    public func cancel() { flag.store(true, ordering: .releasing) }

    public var isCancelled: Bool {
        if flag.load(ordering: .acquiring) || hasExpired { return true }
        if followsInterrupts && (Interrupts.pending || Termination.signal != nil) { return true }
        return parent?.isCancelled ?? false
    }

    /// Throws `HLSError(.interrupted)` naming `what` when cancelled.
    public func check(_ what: @autoclosure () -> String) throws(HLSError) {
        if isCancelled { throw HLSError(.interrupted, "interrupted: \(what())") }
    }
}

/// The process's Ctrl-C flag, set by a C signal handler that does nothing else.
public enum Interrupts {
    /// Routes SIGINT to the flag instead of killing the process.
    public static func install() { _ = hlsh_install_sigint_handler() }
    /// Gives SIGINT back its default action.
    public static func restore() { _ = hlsh_restore_sigint_handler() }
    /// Whether a Ctrl-C arrived that nobody has taken yet.
    public static var pending: Bool { hlsh_interrupt_pending() != 0 }
    /// Takes (and clears) the pending Ctrl-Cs; true when there was at least one.
    @discardableResult public static func take() -> Bool { hlsh_take_interrupts() > 0 }
    /// Marks an interrupt as if SIGINT arrived.
    public static func raise() { hlsh_raise_interrupt_flag() }

    /// One character from `fd` for a line editor: 1 and the character, 0 at end of input, -1
    /// (errno EINTR) when a Ctrl-C is pending or arrives — including one that came while the
    /// editor was busy between reads, which a bare `read` would sleep through.
    public static func readCharacter(from fd: Int32, into character: UnsafeMutablePointer<Int32>) -> Int32 {
        hlsh_read_char_interruptible(fd, character)
    }
}

/// SIGTERM and SIGHUP (a closed terminal): recorded by a C handler that does nothing else, so
/// the program ends what it runs (they cancel like Ctrl-C), stops what it started, restores the
/// terminal and exits 128 + the signal. Unlike an interrupt, a termination is never taken back.
public enum Termination {
    /// Routes SIGTERM and SIGHUP to the record instead of ending the process at once.
    public static func install() { _ = hlsh_install_termination_handlers() }
    /// The first SIGTERM or SIGHUP received, nil before one arrives.
    public static var signal: Int32? {
        let signo = hlsh_termination_signal()
        return signo == 0 ? nil : signo
    }
    /// The exit status for a run that a termination ended, else `status`.
    public static func exitStatus(else status: Int32) -> Int32 { signal.map { 128 + $0 } ?? status }
}
