import HLSCore

/// `-o`/`--output table|json|yaml` on any verb that does not declare a flag of that name: the
/// verb's value rendered as that text, as `hlsh -o FORMAT` prints a statement's value.
/// `vm list -o json` in the shell is what `hlsh vm list -o json` prints from bash; like
/// `| to json`, the result is text.
enum OutputFlag {
    static let spec = Flag(
        "output", short: "o", .choice(Render.Format.allCases.map(\.rawValue)),
        "print the value as a table, JSON or YAML (as hlsh -o)")

    /// The flag when `name` is `output` or `o` and `verb` takes it.
    static func flag(named name: String, for verb: CommandSpec) -> Flag? {
        (name == spec.name || spec.short.map { String($0) } == name) && applies(to: verb) ? spec : nil
    }

    /// The format a call asked for with the shared flag, if it did.
    static func format(of invocation: Invocation) -> Render.Format? {
        guard applies(to: invocation.spec), let name = invocation.string(spec.name) else { return nil }
        return Render.Format(rawValue: name)
    }

    /// Whether a verb takes the shared flag: every verb, except one with its own `--output`
    /// or `-o` (none has: the registry test rejects such a declaration, as it would mean one
    /// thing in the shell and another as `hlsh VERB -o …` from bash).
    static func applies(to verb: CommandSpec) -> Bool {
        verb.flag(named: "output") == nil && verb.flag(named: "o") == nil
    }

    /// The value as the text `hlsh -o FORMAT` would print for it.
    static func render(_ value: Value, format: Render.Format, terminal: Terminal) -> Value {
        if case .null = value { return .null }
        var text = Render.value(value, format: format, terminal: terminal)
        if text.hasSuffix("\n") { text.removeLast() }
        return .string(text)
    }
}
