import HLSLanguage
import HLSRepl

/// hlsh's own options as outer-shell completion offers them: `LaunchFlags.all`, the table that
/// parsing and `--help` read, with each value's kind (a file for `--log`, a choice for `-o`).
enum HLSHOptions {
    static let all: [CommandLineOption] = LaunchFlags.all.map { flag in
        let value: ValueKind?
        switch flag.kind {
        case .flag: value = nil
        case .option(let name, let choices):
            value = !choices.isEmpty ? .choice(choices) : name == "FILE" ? .path : .string
        }
        return CommandLineOption(flag.names, value, flag.help, runWide: flag.isRunWide)
    }
}
