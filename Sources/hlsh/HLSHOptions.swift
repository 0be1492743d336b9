import HLSRepl

/// hlsh's own command-line options, declared once: outer-shell completion offers them, and
/// `ArgvSplit` knows from them which take the next word as their value.
enum HLSHOptions {
    static let all: [CommandLineOption] = [
        CommandLineOption(["-c"], .string, "run COMMANDS and exit"),
        CommandLineOption(["-n"], "check the script's syntax and exit (like bash -n)"),
        CommandLineOption(["--dry-run"], "show what would change; change nothing", runWide: true),
        CommandLineOption(
            ["--detailed-exitcode"], "with --dry-run: exit 3 when there are pending changes", runWide: true),
        CommandLineOption(
            ["-o", "--output"], .choice(OutputFormat.allCases.map(\.rawValue)), "output format", runWide: true),
        CommandLineOption(["-y", "--yes"], "proceed with destructive verbs without asking", runWide: true),
        CommandLineOption(["--resume"], "skip the phases this script completed in its last run", runWide: true),
        CommandLineOption(["--log"], .path, "append a JSON line per event to FILE", runWide: true),
        CommandLineOption(["--sim"], "run against a simulated lab started inside hlsh", runWide: true),
        CommandLineOption(["--version"], "print hlsh's version and exit"),
        CommandLineOption(["-h", "--help"], "show help"),
    ]

    /// The spellings of the options that take the next word as their value (`-c`, `-o`, `--log`).
    static let valued = Set(all.filter { $0.value != nil }.flatMap(\.spellings))
}
