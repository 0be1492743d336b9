import HLSCore
public import HLSLanguage

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

/// Completion in the outer shell, as hlsh's first argument asks for it: `hlsh completions SHELL`
/// prints the script for bash, zsh or fish; the script calls `hlsh __complete WORDS…` at every
/// Tab, which prints the candidates, one a line (`NAME` or `NAME<tab>DETAIL`; a name ending in
/// `/` is a directory, to be continued without a space).
public enum ShellCompletion {
    /// How long `__complete` waits for a live-name provider (the lab) before it answers with
    /// what its cache holds.
    static let deadline: Duration = .seconds(1)

    /// What `hlsh completions --help` says: the shells, and where each script goes.
    static let help = """
        Usage: hlsh completions bash|zsh|fish

        Prints the completion script for that shell (the same as completions/ in hlsh's
        repository). Tab then completes objects, verbs, flags, .hls files and live names (VMs,
        nodes, Flux objects, certificates, volumes) from the lab in use. hlsh must be on PATH.

          bash  hlsh completions bash > ~/.local/share/bash-completion/completions/hlsh
          zsh   hlsh completions zsh > ~/.zfunc/_hlsh
                (and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath))
          fish  hlsh completions fish > ~/.config/fish/completions/hlsh.fish

        """

    /// The exit status when `arguments` (hlsh's, after its own options) ask for completion;
    /// nil when they do not. The registry, options and environment are made only for
    /// `__complete`, so that every other run skips them here.
    public static func run(
        _ arguments: [String], registry: () -> Registry, options: () -> [CommandLineOption],
        environment: () -> [String: String]
    ) -> Int32? {
        switch arguments.first {
        case "completions":
            if arguments.count == 2, ["--help", "-h"].contains(arguments[1]) {
                StandardStreams.out(Self.help)
                return ExitStatus.ok.rawValue
            }
            guard arguments.count == 2, let script = CompletionScripts.script(for: arguments[1]) else {
                StandardStreams.err(
                    "hlsh: completions needs one of \(CommandLineCompleter.shells.joined(separator: ", "))\n\n"
                        + Self.help)
                return ExitStatus.usage.rawValue
            }
            StandardStreams.out(script)
            return ExitStatus.ok.rawValue
        case "__complete":
            // Silent whatever happens: a Tab must never print over the user's command line.
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDERR_FILENO) }
            let completer = commandLineCompleter(registry: registry(), options: options(), environment: environment())
            var out = ""
            for candidate in completer.complete(Array(arguments.dropFirst())) {
                out += line(candidate.text)
                if let detail = candidate.detail, !detail.isEmpty { out += "\t" + line(detail) }
                out += "\n"
            }
            StandardStreams.out(out)
            return ExitStatus.ok.rawValue
        default:
            return nil
        }
    }

    /// The completer `__complete` uses: the REPL's, with live names cached on disk (per lab)
    /// between the processes of successive Tabs, and a short deadline.
    static func commandLineCompleter(
        registry: Registry, options: [CommandLineOption], environment: [String: String]
    ) -> CommandLineCompleter {
        let context = ExecutionContext(environment: environment, out: { _ in }, err: { _ in })
        let cache = NameCache(file: context.statePaths.completionCacheFile, namespace: labIdentity(environment))
        let completer = Completer(registry: registry, context: context, deadline: deadline, cache: cache)
        return CommandLineCompleter(completer: completer, options: options)
    }

    /// What tells one lab's names from another's in the shared cache file: the Proxmox API,
    /// the inventory (`HLSH_LAB`, else `./homelab.yaml`) and the Kubernetes API the names come
    /// from.
    static func labIdentity(_ environment: [String: String]) -> String {
        let directory = FileManager.default.currentDirectoryPath
        var inventory = environment["HLSH_LAB"] ?? (FilePaths.kind(of: "homelab.yaml") == .file ? "homelab.yaml" : "")
        if !inventory.isEmpty, !inventory.hasPrefix("/") { inventory = directory + "/" + inventory }
        let parts = [environment["PROXMOX_VE_ENDPOINT"], inventory, environment["KUBECONFIG"]]
        return parts.map { $0 ?? "" }.joined(separator: "\u{1}") + "\u{0}"
    }

    /// `text` on one line: a detail never breaks the one-candidate-a-line protocol.
    static func line(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 })
    }
}
