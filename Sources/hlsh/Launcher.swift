import HLSCommands
import HLSCore
import HLSLanguage
import HLSRepl
import LabSim

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

/// Decides what this run is (a script, `-c`, one command, stdin, the interactive shell) and
/// runs it; returns the process exit status.
struct Launcher {
    var global: LaunchOptions
    var commands: String?
    var syntaxOnly: Bool
    var rest: [String]

    /// The exit status: the run's, or 128 + the signal when SIGTERM or SIGHUP ended it.
    func run() -> Int32 {
        // `hlsh completions SHELL` and the scripts' `hlsh __complete WORDS…`.
        if commands == nil,
            let status = ShellCompletion.run(
                rest, registry: Commands.registry, options: { HLSHOptions.all },
                environment: { ProcessInfo.processInfo.environment })
        {
            return status
        }
        // Before anything is started that must be stopped: the simulated lab.
        Termination.install()
        return Termination.exitStatus(else: runSession())
    }

    private func runSession() -> Int32 {
        if commands == nil, rest.first == "docs" { return DocsCommand.run(Array(rest.dropFirst())) }
        var rest = self.rest
        var g = global
        if commands == nil, !looksLikeScript(rest.first) {
            // `hlsh vm apply --all --dry-run`: run-wide flags may come among the command's words.
            do throws(HLSError) {
                try g.extractRunWide(from: &rest)
            } catch {
                return HLSH.usageError(error)
            }
        }
        if let conflict = g.conflict { return HLSH.usageError(conflict) }
        let options = g.run

        // A syntax check prints diagnostics and runs nothing: it reads only the variables that
        // colour and lay them out, not the whole environment.
        var environment = syntaxOnly ? Terminal.environmentVariables : ProcessInfo.processInfo.environment
        var simulated: SimulatedLab? = nil
        // Stops the lab, then removes its directory (SIGTERM and SIGHUP come here too).
        defer { simulated?.stop() }
        // A syntax check runs nothing, so it needs no lab.
        if g.sim && !syntaxOnly {
            do {
                let timings = try PVESimulatorConfig.Timings.chosen(in: environment, else: .demo)
                let lab = try SimulatedLab.temporary(
                    SimulatedLab.Options(pve: .seedLabWithFreshSecrets(timings: timings)))
                simulated = lab
                // The lab sets every PVE variable (login and trust), so none of a real lab's is left.
                environment.merge(lab.environment) { _, new in new }
            } catch {
                StandardStreams.err("hlsh: cannot start the simulated lab: \(error)\n")
                return ExitStatus.failure.rawValue
            }
        }
        let registry = Commands.registry()
        let session = Session(registry: registry, options: options, environment: environment)
        // Before the simulated lab stops (the defers above run after this one).
        defer { session.close() }

        if let commands {
            if syntaxOnly { return session.check(SourceFile(name: "<command line>", text: commands)) }
            return session.runSource(
                SourceFile(name: "<command line>", text: commands), arguments: rest, scriptPath: nil)
        }
        if let first = rest.first, looksLikeScript(first) {
            guard let source = SourceFile.load(first) else {
                // A script that is not there was understood as one: exit 1, not 2 (ADR 0054).
                let error = HLSError.unreadable(first)
                StandardStreams.err("hlsh: \(error)\n")
                return error.exitStatus.rawValue
            }
            if syntaxOnly { return session.check(source) }
            return session.runSource(source, arguments: Array(rest.dropFirst()), scriptPath: first)
        }
        if syntaxOnly && rest.isEmpty {
            return session.check(SourceFile(name: "<stdin>", text: readAllStandardInput()))
        }
        if !rest.isEmpty {
            if let problem = CommandLineWords.problem(rest) {
                StandardStreams.err("hlsh: \(problem)\n")
                return ExitStatus.usage.rawValue
            }
            // `hlsh -n vm list`: the one command checked as it would run.
            let source = SourceFile(name: "<command line>", text: CommandLineWords.source(rest))
            if syntaxOnly { return session.check(source) }
            return session.runSource(source, arguments: [], scriptPath: nil)
        }
        if isatty(STDIN_FILENO) == 1 {
            return session.interactive()
        }
        return session.runStream(FileHandleLines(fd: STDIN_FILENO), name: "<stdin>")
    }

    /// A first word that names a script rather than an object: an existing file or `*.hls`.
    func looksLikeScript(_ word: String?) -> Bool {
        word.map(CommandLineCompleter.looksLikeScript) ?? false
    }

    func readAllStandardInput() -> String {
        String(decoding: StandardStreams.readAll(), as: UTF8.self)
    }
}
