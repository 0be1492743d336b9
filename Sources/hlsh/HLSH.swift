import HLSCore
import HLSLanguage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `hlsh` — the homelab shell's entry point: reads hlsh's own options (`LaunchFlags`), then picks
/// the interactive shell, a script, `-c`, a one-off `OBJECT VERB …` or commands on standard input
/// (`Launcher`), and exits with the outcome's status.
@main
enum HLSH {
    static func main() {
        let options: LaunchOptions
        do {
            options = try LaunchOptions(parsing: Array(CommandLine.arguments.dropFirst()))
        } catch {
            exit(usageError(error))
        }
        if options.help {
            StandardStreams.out(LaunchHelp.text)
            exit(ExitStatus.ok.rawValue)
        }
        if options.version {
            StandardStreams.out("hlsh \(HLSVersion.string)\n")
            exit(ExitStatus.ok.rawValue)
        }
        exit(
            Launcher(global: options, commands: options.commands, syntaxOnly: options.syntaxOnly, rest: options.rest)
                .run())
    }

    /// Reports a problem with hlsh's command line; returns the usage status (2).
    static func usageError(_ error: HLSError) -> Int32 {
        StandardStreams.err("hlsh: \(error)\n")
        return ExitStatus.usage.rawValue
    }
}
