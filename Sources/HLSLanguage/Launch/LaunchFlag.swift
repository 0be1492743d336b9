/// One of hlsh's own command-line options, as `LaunchFlags.all` declares it: the declaration
/// `LaunchOptions(parsing:)` reads argv by, and `hlsh --help` (`LaunchHelp`) lists.
public struct LaunchFlag: Sendable {
    /// What the option sets in `LaunchOptions`.
    public enum Setting: Sendable {
        case dryRun, detailedExitCode, output, yes, resume, log, sim, commands, syntaxOnly, version, help
    }

    public enum Kind: Sendable, Equatable {
        /// Present or not: `--dry-run`.
        case flag
        /// Takes a value, the next word or after `=` (`--log FILE`, `--log=FILE`); when `choices` is
        /// not empty, one of them.
        case option(valueName: String, choices: [String])
    }

    /// Without the dashes: `dry-run`; nil for a short-only option (`-c`).
    public var long: String?
    public var short: Character?
    public var kind: Kind
    public var help: String
    /// Also read among the words of `OBJECT VERB …` (`hlsh vm apply --all --dry-run`); the others
    /// only before the first word that is not an option.
    public var isRunWide: Bool
    public var setting: Setting

    public init(
        _ long: String?, short: Character? = nil, _ kind: Kind = .flag, runWide: Bool = false, sets setting: Setting,
        _ help: String
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.help = help
        self.isRunWide = runWide
        self.setting = setting
    }

    /// As typed: `-o`, `--output`.
    public var names: [String] {
        (short.map { ["-\($0)"] } ?? []) + (long.map { ["--\($0)"] } ?? [])
    }

    /// What help shows for a value: `FILE`, `table|json|yaml`; nil for a flag.
    public var valuePlaceholder: String? {
        guard case .option(let name, let choices) = kind else { return nil }
        return choices.isEmpty ? name : choices.joined(separator: "|")
    }

    /// `-o, --output table|json|yaml`, as the man page lists it.
    public var manualTerm: String {
        names.joined(separator: ", ") + (valuePlaceholder.map { " \($0)" } ?? "")
    }

    /// `-o, --output <table|json|yaml>`, as help lists it.
    public var synopsis: String {
        names.joined(separator: ", ") + (valuePlaceholder.map { " <\($0)>" } ?? "")
    }
}
