/// Live names for completion: VM names, node names, Kustomizations, Certificates, volumes.
/// Each object registers one per kind; arguments declared `.name(kind)` complete from it.
public struct NameProvider: Sendable {
    /// The kind it answers for, as in `ValueKind.name("vm")`.
    public var kind: String
    /// How long an answer stays fresh in the REPL's cache.
    public var ttl: Duration
    /// Fetches the names; may be slow (the network), so the REPL calls it with a deadline.
    public var fetch: @Sendable (NameQuery) throws -> [NameCandidate]

    public init(
        kind: String, ttl: Duration = .seconds(10), fetch: @escaping @Sendable (NameQuery) throws -> [NameCandidate]
    ) {
        self.kind = kind
        self.ttl = ttl
        self.fetch = fetch
    }
}

/// What is being completed: the verb (so `vm start` can offer only stopped VMs) and the context.
public struct NameQuery: Sendable {
    /// The verb's full name, `vm start`.
    public var command: String
    public var context: ExecutionContext

    public init(command: String, context: ExecutionContext) {
        self.command = command
        self.context = context
    }
}

public struct NameCandidate: Sendable, Equatable {
    public var name: String
    /// A short note shown beside it in a listing (`stopped`, `pve2`).
    public var detail: String?

    public init(_ name: String, detail: String? = nil) {
        self.name = name
        self.detail = detail
    }
}
