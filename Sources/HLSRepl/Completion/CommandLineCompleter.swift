import HLSCore
import HLSLanguage

/// Completion of `hlsh WORDS…` typed in bash, zsh or fish (what `hlsh __complete WORDS…`
/// prints): hlsh's own options and their values, `.hls` scripts, and, for `OBJECT VERB …`,
/// what the REPL's completer offers for the same words plus the run-wide options.
public struct CommandLineCompleter: Sendable {
    let completer: Completer
    let options: [CommandLineOption]

    public init(completer: Completer, options: [CommandLineOption]) {
        self.completer = completer
        self.options = options
    }

    /// The first words that are not objects or commands of the registry.
    static let subcommands = [Completion.Candidate("completions", detail: "print a shell completion script")]
    static let shells = ["bash", "zsh", "fish"]

    /// Candidates for the last of `words`: the words after `hlsh`, the last one being the word
    /// under the cursor ("" after a space).
    public func complete(_ words: [String]) -> [Completion.Candidate] {
        let current = words.last ?? ""
        let typed = Array(words.dropLast())
        var i = 0
        // hlsh's own options come first, each with its value, up to the first other word.
        while i < typed.count, typed[i] != "--", typed[i].hasPrefix("-"), typed[i].count > 1 {
            if let option = option(typed[i]), option.value != nil {
                if i + 1 == typed.count { return value(of: option, current) }
                i += 1
            }
            i += 1
        }
        if i < typed.count, typed[i] == "--" { i += 1 }
        let rest = Array(typed[i...])
        guard let first = rest.first else {
            if current.hasPrefix("-") { return Completer.matching(options.flatMap(\.candidates), current) }
            let scripts = completer.files(current).filter { !$0.isFinal || $0.text.hasSuffix(".hls") }
            return Completer.matching(completer.heads + Self.subcommands + scripts, current)
        }
        if Self.looksLikeScript(first) { return Completer.matching(completer.files(current), current) }
        if first == Self.subcommands[0].text {
            return rest.count == 1 ? Completer.matching(Self.shells.map { .init($0) }, current) : []
        }
        // `OBJECT VERB …`: the run-wide options may come among its words.
        var command: [String] = []
        var j = 0
        while j < rest.count {
            if let option = option(rest[j]), option.runWide {
                if option.value != nil {
                    if j + 1 == rest.count { return value(of: option, current) }
                    j += 1
                }
            } else {
                command.append(rest[j])
            }
            j += 1
        }
        let line = (command + [current]).joined(separator: " ")
        var candidates = completer.complete(line: line, cursor: line.count).candidates
        if current.hasPrefix("-") {
            candidates = Completer.matching(
                candidates + options.filter(\.runWide).flatMap(\.candidates).filter { $0.text.hasPrefix("--") },
                current)
        }
        return candidates
    }

    /// A first word that names a script rather than an object: `*.hls`, or a path to a file.
    public static func looksLikeScript(_ word: String) -> Bool {
        if word.hasSuffix(".hls") { return true }
        guard word.contains("/"), let kind = FilePaths.kind(of: word) else { return false }
        return kind != .directory
    }

    func option(_ word: String) -> CommandLineOption? {
        options.first { $0.isWritten(word) }
    }

    func value(of option: CommandLineOption, _ current: String) -> [Completion.Candidate] {
        guard let kind = option.value else { return [] }
        return Completer.matching(completer.values(kind, command: "hlsh", word: current), current)
    }
}
