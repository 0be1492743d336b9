/// hlsh's own options and what `hlsh --help` says around them, declared once: parsing
/// (`LaunchOptions`), `hlsh --help` (`LaunchHelp`), and what the man page and the shell
/// completions list are all read from here.
public enum LaunchFlags {
    public static let all: [LaunchFlag] = [
        LaunchFlag(
            nil, short: "c", .option(valueName: "COMMANDS", choices: []), sets: .commands, "Run COMMANDS and exit."),
        LaunchFlag(nil, short: "n", sets: .syntaxOnly, "Check the script's syntax and exit (like bash -n)."),
        LaunchFlag(
            "dry-run", runWide: true, sets: .dryRun,
            "Show what would change; change nothing. Once a change is planned, waits check once and go on."),
        LaunchFlag(
            "detailed-exitcode", runWide: true, sets: .detailedExitCode,
            "Only with --dry-run (else a usage error): exit 3 when a real run would change something."),
        LaunchFlag(
            "output", short: "o", .option(valueName: "FORMAT", choices: Render.Format.allCases.map(\.rawValue)),
            runWide: true, sets: .output, "Output format (default: table)."),
        LaunchFlag("yes", short: "y", runWide: true, sets: .yes, "Proceed with destructive verbs without asking."),
        LaunchFlag("resume", runWide: true, sets: .resume, "Skip the phases this script completed in its last run."),
        LaunchFlag(
            "log", .option(valueName: "FILE", choices: []), runWide: true, sets: .log,
            "Append a JSON line per event to FILE."),
        LaunchFlag(
            "sim", runWide: true, sets: .sim,
            "Run against a simulated lab started inside hlsh (Proxmox VE API on loopback)."),
        LaunchFlag("version", sets: .version, "Print hlsh's version and exit."),
        LaunchFlag(
            "help", short: "h", sets: .help, "Show how to start hlsh and exit; 'hlsh -c help' lists the commands."),
    ]

    /// The first line of `hlsh --help`.
    public static let abstract = "The homelab shell: build, rebuild and run a small Kubernetes homelab."

    /// The ways to run hlsh, each with what it does.
    public static let usage: [(synopsis: String, summary: String)] = [
        ("hlsh", "interactive shell"),
        ("hlsh [options] FILE.hls [ARGS…]", "run a runbook script"),
        ("hlsh [options] -c 'COMMANDS'", "run commands"),
        ("hlsh [options] OBJECT VERB …", "run one command (same as -c)"),
        ("hlsh -n FILE.hls", "check a script's syntax without running it"),
        ("… | hlsh [options]", "run commands read from standard input"),
        ("hlsh completions bash|zsh|fish", "print the completion script for that shell (completions/)"),
        ("hlsh docs [--check] [DIR]", "write or check DIR/reference.md and DIR/hlsh.1 (DIR: docs)"),
    ]

    /// The usage lines, each summary lined up after the longest synopsis.
    public static let usageLines: [String] = {
        let width = usage.map(\.synopsis.count).max() ?? 0
        return usage.map { Usage.pad($0.synopsis, width) + "   " + $0.summary }
    }()

    /// Where hlsh's options end and which may come later.
    public static let placement =
        "hlsh's options end at the first word that is not one of them, or at --. The run-wide ones ("
        + all.filter(\.isRunWide).compactMap { $0.names.last }.joined(separator: ", ")
        + ") may also come among an OBJECT VERB's words."

    /// The option `--name` (without the dashes).
    public static func named(long name: Substring) -> LaunchFlag? {
        all.first { $0.long.map { $0[...] == name } ?? false }
    }

    /// The option `-c`.
    public static func named(short: Character) -> LaunchFlag? {
        all.first { $0.short == short }
    }
}
