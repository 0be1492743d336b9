public import HLSCore

/// A problem found in a script before it runs, with where it is and what to try.
public struct Diagnostic: Sendable, Equatable {
    public var message: String
    public var location: SourceLocation
    public var hint: String?

    public init(_ message: String, at location: SourceLocation, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var error: HLSError { HLSError(.syntax, message, at: .source(location), hint: hint) }
}
