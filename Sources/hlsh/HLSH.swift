import ArgumentParser
import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `hlsh` — the homelab shell's entry point: picks the interactive shell, a script, `-c`,
/// a one-off `OBJECT VERB …` or commands on standard input, and maps the outcome to an exit code.
@main
struct HLSH: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlsh",
        abstract: "The homelab shell: build, rebuild and run a small Kubernetes homelab.",
        usage: """
            hlsh                              interactive shell
            hlsh [options] FILE.hls [ARGS…]   run a runbook script
            hlsh [options] -c 'COMMANDS'      run commands
            hlsh [options] OBJECT VERB …      run one command (same as -c)
            hlsh -n FILE.hls                  check a script's syntax without running it
            … | hlsh [options]                run commands read from standard input
            """,
        discussion: """
            Exit status: 0 ok, 1 a command failed, 2 usage or syntax error, 3 changes pending \
            under --dry-run --detailed-exitcode, 130 interrupted.
            Run 'hlsh -c help' for the commands and the language.
            """)

    @Flag(help: "Print hlsh's version and exit.")
    var version = false

    /// hlsh's own flags end at the first word that is not one of them: everything from there
    /// (a script and its arguments, or an `OBJECT VERB …`) is passed through untouched.
    static func main() {
        let argv = Array(CommandLine.arguments.dropFirst())
        let split = ArgvSplit(argv)
        do {
            var command = try HLSH.parse(split.own)
            command.rest = split.rest
            try command.run()
        } catch let code as ExitCode {
            // Straight out: ArgumentParser's `exit(withError:)` would first build a help
            // generator for the command tree to render an empty message (1 ms of `hlsh -n`).
            #if canImport(Glibc)
                Glibc.exit(code.rawValue)
            #else
                Darwin.exit(code.rawValue)
            #endif
        } catch {
            // Help and usage errors: print as ArgumentParser does, but a usage error is exit 2.
            if HLSH.exitCode(for: error) == .success { HLSH.exit(withError: error) }
            StandardStreams.err(HLSH.fullMessage(for: error) + "\n")
            HLSH.exit(withError: ExitCode(ExitStatus.usage.rawValue))
        }
    }

    @OptionGroup var global: GlobalOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run COMMANDS and exit.", valueName: "COMMANDS"))
    var commands: String?

    @Flag(name: .customShort("n"), help: "Check the script's syntax and exit (like bash -n).")
    var syntaxOnly = false

    @Argument(help: ArgumentHelp("A script and its arguments, or OBJECT VERB ….", valueName: "FILE.hls|OBJECT VERB"))
    var rest: [String] = []

    mutating func run() throws {
        if version {
            print("hlsh \(HLSVersion.string)")
            return
        }
        let status = Launcher(global: global, commands: commands, syntaxOnly: syntaxOnly, rest: rest).run()
        throw ExitCode(status)
    }
}

/// The run-wide flags, accepted before the script or command, and also among an
/// `OBJECT VERB …`'s words.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Show what would change; change nothing.")
    var dryRun = false

    @Flag(help: "With --dry-run: exit 3 when there are pending changes.")
    var detailedExitcode = false

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format.", valueName: "table|json|yaml"))
    var output: OutputFormat = .table

    @Flag(name: [.customShort("y"), .long], help: "Proceed with destructive verbs without asking.")
    var yes = false

    @Flag(help: "Skip the phases this script completed in its last run.")
    var resume = false

    @Option(help: ArgumentHelp("Append a JSON line per event to FILE.", valueName: "FILE"))
    var log: String?

    @Flag(help: "Run against a simulated lab started inside hlsh (Proxmox VE API on loopback).")
    var sim = false
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}
