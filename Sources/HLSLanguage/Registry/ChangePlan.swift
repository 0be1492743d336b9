public import HLSCore

/// What a mutating verb would change. The verb only *computes* it (reading, never writing);
/// the executor prints it under `--dry-run` and otherwise applies it, step by step.
public struct ChangePlan: Sendable {
    public var changes: [Change]
    /// Builds the verb's result once the changes are applied (or planned); defaults to the
    /// changes table.
    public var result: (@Sendable ([ChangeOutcome]) throws -> Value)?
    /// How many changes may be applied at once. 1 (the default) applies them in order and stops
    /// at the first failure; more applies independent changes (one per host, say) side by side,
    /// lets every one finish, and reports all failures together.
    public var concurrency: Int
    /// Only plan, as under `--dry-run`, for this call alone (`node harden --check`).
    public var planOnly: Bool

    public init(
        _ changes: [Change], concurrency: Int = 1, planOnly: Bool = false,
        result: (@Sendable ([ChangeOutcome]) throws -> Value)? = nil
    ) {
        self.changes = changes
        self.concurrency = concurrency
        self.planOnly = planOnly
        self.result = result
    }

    public static let none = ChangePlan([])
}

/// One change on one target: `create vm k3s-cp-01`, `set memory 4096 → 8192`.
public struct Change: Sendable {
    public var target: String
    public var action: String
    public var detail: String
    public var apply: @Sendable (Cancellation) throws -> Void

    public init(
        target: String, action: String, detail: String = "", apply: @escaping @Sendable (Cancellation) throws -> Void
    ) {
        self.target = target
        self.action = action
        self.detail = detail
        self.apply = apply
    }
}

public struct ChangeOutcome: Sendable {
    public enum Status: String, Sendable { case planned, applied, failed }
    public var change: Change
    public var status: Status
    public var elapsed: Duration

    public var record: Value {
        .record(
            Record([
                ("target", .string(change.target)), ("action", .string(change.action)),
                ("detail", .string(change.detail)), ("status", .string(status.rawValue)),
                ("elapsed", .duration(elapsed)),
            ]))
    }
}
