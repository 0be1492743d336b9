/// The global flags of one run, set once from the command line or the REPL.
public struct RunOptions: Sendable {
    /// Plan only: mutating verbs report what they would change and change nothing.
    public var dryRun = false
    /// With `dryRun`: exit 3 when something would change.
    public var detailedExitCode = false
    public var output: Render.Format = .table
    /// Destructive verbs proceed without asking.
    public var assumeYes = false
    /// Skip the phases that completed in this script's last run.
    public var resume = false
    /// Append a JSON line per event to this file.
    public var logPath: String? = nil

    public init() {}
}
