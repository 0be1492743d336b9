/// One poll of `GET /nodes/{node}/tasks/{upid}/status`.
public struct PVETaskStatus: Sendable, Hashable {
    public let upid: UPID
    /// True while PVE says `running`.
    public let isRunning: Bool
    /// `OK`, `WARNINGS: n` or the error text, once the task stopped.
    public let exitStatus: String?

    public init(upid: UPID, isRunning: Bool, exitStatus: String?) {
        self.upid = upid
        self.isRunning = isRunning
        self.exitStatus = exitStatus
    }

    /// `running`, or the exit status once stopped.
    public var text: String { isRunning ? "running" : (exitStatus ?? "stopped") }
}

/// A task that finished successfully (`OK`, or `WARNINGS: n`).
public struct PVETaskResult: Sendable, Hashable {
    public let upid: UPID
    /// The exit status as PVE wrote it.
    public let exitStatus: String
    /// n of `WARNINGS: n`, else 0.
    public let warnings: Int
    /// How long the wait took.
    public let elapsed: Duration
}

extension PVETaskStatus {
    /// n for `WARNINGS: n`, 0 for `OK`, nil for a failure (or while running).
    var successWarnings: Int? {
        guard !isRunning, let exitStatus else { return nil }
        let status = exitStatus.trimmingWhitespace()
        if status == "OK" { return 0 }
        if status.hasPrefix("WARNINGS:"),
            let count = Int(String(status.dropFirst("WARNINGS:".count)).trimmingWhitespace())
        {
            return count
        }
        // Starting a VM that already runs is success (reference: "already running" is success).
        if upid.type == "qmstart", status.lowercased().contains("already running") { return 0 }
        return nil
    }
}
