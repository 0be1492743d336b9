public import HLSCore

/// What hlsh's own options asked for (`LaunchFlags.all`), and the words after them.
public struct LaunchOptions: Sendable {
    /// The run-wide options: `--dry-run`, `--detailed-exitcode`, `-o`, `-y`, `--resume`, `--log`.
    public var run = RunOptions()
    /// `--sim`: run against a simulated lab started inside hlsh.
    public var sim = false
    /// `-c COMMANDS`.
    public var commands: String?
    /// `-n`: check the syntax only.
    public var syntaxOnly = false
    public var help = false
    public var version = false
    /// The words after hlsh's options: a script and its arguments, or `OBJECT VERB …`.
    public var rest: [String] = []

    public init() {}

    /// Options that mean nothing together as given: `--detailed-exitcode` only tells what a dry run
    /// found (exit 3 for pending changes), so without `--dry-run` it is a usage error.
    public var conflict: HLSError? {
        guard run.detailedExitCode, !run.dryRun else { return nil }
        return HLSError(
            .usage,
            "--detailed-exitcode needs --dry-run: it makes a dry run exit 3 when a real run would change something",
            hint: "hlsh --dry-run --detailed-exitcode …")
    }

    mutating func set(_ setting: LaunchFlag.Setting, to value: String) {
        switch setting {
        case .dryRun: run.dryRun = true
        case .detailedExitCode: run.detailedExitCode = true
        case .output: run.output = Render.Format(rawValue: value) ?? run.output
        case .yes: run.assumeYes = true
        case .resume: run.resume = true
        case .log: run.logPath = value
        case .sim: sim = true
        case .commands: commands = value
        case .syntaxOnly: syntaxOnly = true
        case .version: version = true
        case .help: help = true
        }
    }
}
