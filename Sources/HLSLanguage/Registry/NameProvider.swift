/// Live names for completion: VM names, node names, Kustomizations, Certificates, volumes.
/// Each object registers one per kind; arguments declared `.name(kind)` complete from it.
public struct NameProvider: Sendable {
    /// The kind it answers for, as in `ValueKind.name("vm")`.
    public var kind: String
    /// How long an answer stays fresh in the REPL's cache.
    public var ttl: Duration
    /// Fetches the names; may be slow (the network), so the REPL calls it with a deadline.
    public var fetch: @Sendable (NameQuery) throws -> [NameCandidate]
    /// What of the words typed before the name the answer depends on (`pods|apps` for
    /// `kube get pods -n apps`): answers are cached per verb and scope. Empty by default: the
    /// names depend on the verb only.
    public var scope: @Sendable ([String]) -> String

    public init(
        kind: String, ttl: Duration = .seconds(10), scope: @escaping @Sendable ([String]) -> String = { _ in "" },
        fetch: @escaping @Sendable (NameQuery) throws -> [NameCandidate]
    ) {
        self.kind = kind
        self.ttl = ttl
        self.scope = scope
        self.fetch = fetch
    }
}

/// What is being completed: the verb (so `vm start` can offer only stopped VMs), the words
/// typed after it (so `kube get pods -n apps` can offer the pods of `apps`) and the context.
public struct NameQuery: Sendable {
    /// The verb's full name, `vm start`.
    public var command: String
    public var context: ExecutionContext
    /// The arguments before the word being completed, as typed (`pods`, `-n`, `apps`).
    public var words: [String]

    public init(command: String, context: ExecutionContext, words: [String] = []) {
        self.command = command
        self.context = context
        self.words = words
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
