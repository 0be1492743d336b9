public import HLSCore

extension LaunchOptions {
    /// Reads hlsh's options (`LaunchFlags.all`) from the front of `argv`, the program name left out,
    /// up to the first word that is not an option, or `--`: the words from there are `rest`,
    /// untouched (a script's arguments, or an `OBJECT VERB …` with flags of its own). A value is
    /// the next word or follows `=` (`--log FILE`, `--log=FILE`); short options combine, one that
    /// takes a value last (`-yc 'vm list'`). Any problem is a usage error.
    public init(parsing argv: [String]) throws(HLSError) {
        self.init()
        var words = argv[...]
        while let word = words.first, word.hasPrefix("-"), word.count > 1 {
            words.removeFirst()
            if word == "--" { break }
            if word.hasPrefix("--") {
                let (name, inline) = Self.nameAndValue(word)
                guard let flag = LaunchFlags.named(long: name) else { throw Self.unknown(long: name) }
                try take(flag, as: "--\(name)", inline: inline, from: &words)
                continue
            }
            let letters = word.dropFirst()
            for i in letters.indices {
                let written = "-\(letters[i])"
                guard let flag = LaunchFlags.named(short: letters[i]) else {
                    throw Self.unknown(short: written, in: word)
                }
                if flag.kind != .flag, letters.index(after: i) != letters.endIndex {
                    throw HLSError(.usage, "option '\(written)' takes a value, so it must come last in '\(word)'")
                }
                try take(flag, as: written, inline: nil, from: &words)
            }
        }
        rest = Array(words)
    }

    /// Moves the run-wide options (`LaunchFlag.isRunWide`) out of an `OBJECT VERB …` command's
    /// words into these options; the other words stay, in order. Only whole words count (`-y`,
    /// `-o json`, `--output=json`, not `-yo json`), and hlsh's `-n` and `-c` are the verb's here
    /// (`kube get po -n apps`).
    public mutating func extractRunWide(from words: inout [String]) throws(HLSError) {
        var kept: [String] = []
        var rest = words[...]
        while let word = rest.popFirst() {
            if word.hasPrefix("--") {
                let (name, inline) = Self.nameAndValue(word)
                if let flag = LaunchFlags.named(long: name), flag.isRunWide, inline == nil || flag.kind != .flag {
                    try take(flag, as: "--\(name)", inline: inline, from: &rest)
                    continue
                }
            } else if word.count == 2, word.hasPrefix("-"), let letter = word.last,
                let flag = LaunchFlags.named(short: letter), flag.isRunWide
            {
                try take(flag, as: word, inline: nil, from: &rest)
                continue
            }
            kept.append(word)
        }
        words = kept
    }

    /// Sets what `flag`, written as `written`, asks for, taking its value from `inline` (after
    /// `=`) or the next word; a word that begins with `-` is an option, not a value.
    private mutating func take(
        _ flag: LaunchFlag, as written: String, inline: Substring?, from words: inout ArraySlice<String>
    ) throws(HLSError) {
        guard case .option(_, let choices) = flag.kind else {
            if let inline { throw HLSError(.usage, "option '\(written)' takes no value, but was given '\(inline)'") }
            set(flag.setting, to: "")
            return
        }
        let value: String
        if let inline {
            value = String(inline)
        } else if let next = words.first, !(next.hasPrefix("-") && next.count > 1) {
            value = next
            words.removeFirst()
        } else {
            throw HLSError(.usage, "option '\(written)' needs a value: \(written) <\(flag.valuePlaceholder ?? "")>")
        }
        if !choices.isEmpty, !choices.contains(value) {
            throw HLSError(
                .usage, "option '\(written)' must be one of \(choices.joined(separator: ", ")), not '\(value)'",
                hint: Suggest.didYouMean(value, in: choices))
        }
        set(flag.setting, to: value)
    }

    /// `--log=FILE` → (`log`, `FILE`); `--dry-run` → (`dry-run`, nil).
    private static func nameAndValue(_ word: String) -> (Substring, Substring?) {
        let body = word.dropFirst(2)
        guard let eq = body.firstIndex(of: "=") else { return (body, nil) }
        return (body[..<eq], body[body.index(after: eq)...])
    }

    private static let longNames = LaunchFlags.all.compactMap(\.long)
    private static let seeHelp = "run 'hlsh --help' for hlsh's options"

    /// `--dry-rn`: the nearest long name, or the short one `--c` meant.
    private static func unknown(long name: Substring) -> HLSError {
        let short = name.count == 1 ? LaunchFlags.named(short: name.first!)?.short : nil
        let hint =
            Suggest.didYouMean(String(name), in: longNames, quote: { "'--\($0)'" })
            ?? short.map { "did you mean '-\($0)'?" }
        return HLSError(.usage, "unknown option '--\(name)'", hint: hint ?? seeHelp)
    }

    /// `-x`, or `-d` in `-dry-run` (a long name written with one dash).
    private static func unknown(short written: String, in word: String) -> HLSError {
        let message = "unknown option '\(written)'" + (word == written ? "" : " in '\(word)'")
        let hint = Suggest.didYouMean(String(word.dropFirst()), in: longNames, quote: { "'--\($0)'" })
        return HLSError(.usage, message, hint: hint ?? seeHelp)
    }
}
