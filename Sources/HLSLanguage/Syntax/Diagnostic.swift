public import HLSCore

/// A problem found in a script before it runs, with where it is and what to try.
public struct Diagnostic: Sendable, Equatable {
    public var message: String
    public var location: SourceLocation
    public var hint: String?
    /// `.syntax` for text that does not parse; `.failed` for a file `source` names that cannot
    /// be read (the script was understood: exit 1, ADR 0054).
    public var kind: HLSError.Kind
    public var cause: String?

    public init(
        _ message: String, at location: SourceLocation, hint: String? = nil, kind: HLSError.Kind = .syntax,
        cause: String? = nil
    ) {
        self.message = message
        self.location = location
        self.hint = hint
        self.kind = kind
        self.cause = cause
    }

    /// `error` as a diagnostic at `location` (its own place is left for `location`).
    public init(_ error: HLSError, at location: SourceLocation) {
        self.init(error.message, at: location, hint: error.hint, kind: error.kind, cause: error.cause)
    }

    public var error: HLSError { HLSError(kind, message, at: .source(location), hint: hint, cause: cause) }

    /// The exit status of a script with `diagnostics`: 2 when any part could not be understood,
    /// else that of the first (1 for a sourced file that cannot be read); 0 for none.
    public static func exitStatus(_ diagnostics: [Diagnostic]) -> ExitStatus {
        guard let first = diagnostics.first else { return .ok }
        if diagnostics.contains(where: { $0.error.exitStatus == .usage }) { return .usage }
        return first.error.exitStatus
    }
}
