/// The one error type users see. It says what went wrong, where, what to try, and why
/// underneath; it decides the exit code. Anything else that escapes is an internal error.
public struct HLSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Bad command line, unknown verb, wrong flag or argument: exit 2.
        case usage
        /// A script (or text given to parse) that does not parse: exit 2.
        case syntax
        /// What hlsh reads to reach the lab is missing or invalid: credentials and settings in
        /// the environment, the inventory, a kubeconfig, a key file. Nothing in the command line
        /// is wrong, so it is a failure naming what to set: exit 1 (ADR 0043).
        case configuration
        /// A command ran and failed (remote exit, API error, assertion), or a file it was given
        /// cannot be read (`unreadable`, ADR 0054): exit 1.
        case failed
        /// Ctrl-C or another cancellation: exit 130.
        case interrupted
        /// A timeout while waiting for a condition, a task or a peer: exit 1.
        case timeout
    }

    public var kind: Kind
    public var message: String
    public var place: Place?
    public var hint: String?
    /// The underlying cause, already rendered (and redacted) for people.
    public var cause: String?
    /// Further problems found together with this one (every problem of an inventory), each
    /// reported in full after it.
    public var others: [HLSError] = []

    public init(
        _ kind: Kind, _ message: String, at place: Place? = nil, hint: String? = nil,
        cause: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.place = place
        self.hint = hint
        self.cause = cause
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .usage, .syntax: return .usage
        case .failed, .timeout, .configuration: return .failure
        case .interrupted: return .interrupted
        }
    }

    /// `place: error: message`, then the cause and the hint on their own lines, then the others.
    public var description: String {
        var text = ""
        if let place { text += "\(place): " }
        text += "error: \(message)"
        if let cause { text += "\n  cause: \(cause)" }
        if let hint { text += "\n  hint: \(hint)" }
        for other in others { text += "\n\(other)" }
        return text
    }

    /// The same error as another kind: text that does not parse in a file hlsh reads to reach
    /// the lab (the inventory, a kubeconfig) is a `.configuration` error, not a script's `.syntax`.
    public func asKind(_ kind: Kind) -> HLSError {
        var copy = self
        copy.kind = kind
        return copy
    }

    /// The same error with a place filled in if it had none (used as errors travel up).
    public func located(_ place: Place) -> HLSError {
        var copy = self
        if copy.place == nil { copy.place = place }
        return copy
    }
}
