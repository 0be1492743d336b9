import HLSCore

/// `-o`/`--output table|json|yaml` on every verb (none may declare a flag of that name:
/// `declarationProblems` names it, as it would mean one thing in the shell and another as
/// `hlsh VERB -o …` from bash): the verb's value rendered as that text, as `hlsh -o FORMAT` prints a statement's value.
/// `vm list -o json` in the shell is what `hlsh vm list -o json` prints from bash; like
/// `| to json`, the result is text.
enum OutputFlag {
    static let spec = Flag(
        "output", short: "o", .choice(Render.Format.allCases.map(\.rawValue)),
        "print the value as a table, JSON or YAML (as hlsh -o)")

    /// The flag when `name` is `output` or `o`.
    static func flag(named name: String) -> Flag? {
        name == spec.name || spec.short.map { String($0) } == name ? spec : nil
    }

    /// The format a call asked for with the shared flag, if it did.
    static func format(of invocation: Invocation) -> Render.Format? {
        guard let name = invocation.string(spec.name) else { return nil }
        return Render.Format(rawValue: name)
    }

    /// The value as the text `hlsh -o FORMAT` would print for it.
    static func render(_ value: Value, format: Render.Format, terminal: Terminal, columns: [String] = []) -> Value {
        if case .null = value { return .null }
        var text = Render.value(value, format: format, terminal: terminal, columns: columns)
        if text.hasSuffix("\n") { text.removeLast() }
        return .string(text)
    }
}
