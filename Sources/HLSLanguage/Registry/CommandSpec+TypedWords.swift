/// Reading the words of a call as they are being typed (completion): which flag a word names,
/// and which words are positionals or flag values.
extension CommandSpec {
    /// The flag a word names: `--name`, or `-n` by its short name; nil for anything else
    /// (`--name=value` carries its own value).
    /// The shared `-o`/`--output` is one of them, as the parser reads it.
    public func flag(typed word: String) -> Flag? {
        if word.hasPrefix("--"), !word.contains("=") {
            let name = String(word.dropFirst(2))
            return flag(named: name) ?? (name.count > 1 ? OutputFlag.flag(named: name) : nil)
        }
        guard word.count == 2, word.hasPrefix("-"), let short = word.last else { return nil }
        return flags.first { $0.short == short } ?? OutputFlag.flag(named: String(short))
    }

    /// The flags a call of it may be given: its own, then the shared `--output`.
    public var typableFlags: [Flag] { flags + [OutputFlag.spec] }

    /// The typed words split as the parser reads them: the positionals in order, and each
    /// flag's value by its long name (`"true"` for a switch). A flag whose value is not typed
    /// yet is left out.
    public func arguments(typed words: [String]) -> (positionals: [String], flags: [String: String]) {
        var positionals: [String] = []
        var values: [String: String] = [:]
        var pending: Flag?
        for word in words {
            if let flag = pending {
                values[flag.name] = word
                pending = nil
            } else if let flag = flag(typed: word) {
                if flag.isSwitch { values[flag.name] = "true" } else { pending = flag }
            } else if !word.hasPrefix("-") {
                positionals.append(word)
            }
        }
        return (positionals, values)
    }
}
