/// Renders a verb's declaration as help text: the usage line, arguments, flags and examples.
public enum Usage {
    /// `vm show <name> [--output <table|json|yaml>]`
    public static func line(_ spec: CommandSpec) -> String {
        var parts = [spec.name]
        for p in spec.positionals {
            var text = p.kind == .condition ? "<\(p.name)…>" : p.kind == .block ? "{ … }" : "<\(p.name)>"
            if p.isVariadic { text += "…" }
            parts.append(p.isOptional ? "[\(text)]" : text)
        }
        for f in spec.flags {
            let value = f.kind.map { " <\($0.placeholder)>" } ?? ""
            parts.append(f.isRequired ? "--\(f.name)\(value)" : "[--\(f.name)\(value)]")
        }
        return parts.joined(separator: " ")
    }

    /// The full help of one verb, as `help VERB` and `VERB --help` print it.
    public static func help(_ spec: CommandSpec) -> String {
        var out = "\(spec.summary)\n\nUsage: \(line(spec))\n"
        if let discussion = spec.discussion { out += "\n\(discussion)\n" }
        if !spec.positionals.isEmpty {
            out += "\nArguments:\n"
            let width = spec.positionals.map { $0.name.count + 2 }.max() ?? 0
            for p in spec.positionals {
                out += "  " + pad("<\(p.name)>", width) + "  " + described(p.help, default: p.defaultValue) + "\n"
            }
        }
        if !spec.flags.isEmpty || true {
            out += "\nFlags:\n"
            let rows =
                spec.flags.map { (term($0), described($0.help, default: $0.defaultValue, required: $0.isRequired)) }
                + sharedFlags
            let width = rows.map(\.0.count).max() ?? 0
            for (left, right) in rows { out += "  " + pad(left, width) + "  " + right + "\n" }
        }
        if spec.mutates {
            out += "\n\(changesTheLab(spec))\n"
        }
        if !spec.columns.isEmpty { out += "\nColumns: \(spec.columns.joined(separator: ", "))\n" }
        if !spec.examples.isEmpty {
            out += "\nExamples:\n"
            for e in spec.examples { out += "  # \(e.summary)\n  \(e.code)\n" }
        }
        return out
    }

    /// A flag as help names it: `-o, --output <table|json|yaml>`, `--all`.
    public static func term(_ flag: Flag) -> String {
        let short = flag.short.map { "-\($0), " } ?? ""
        return "\(short)--\(flag.name)" + (flag.kind.map { " <\($0.placeholder)>" } ?? "")
    }

    /// A help text with the default it declares: `how long to wait (default: 5m)`, or
    /// `(required)` for a flag the verb cannot run without.
    public static func described(_ help: String, default value: Value?, required: Bool = false) -> String {
        if required { return help + " (required)" }
        return value.map { help + " (default: \(Render.plain($0)))" } ?? help
    }

    /// The flags every verb takes besides its own, as help lists them.
    public static var sharedFlags: [(term: String, help: String)] {
        [(term(OutputFlag.spec), OutputFlag.spec.help), ("--help", "show this help")]
    }

    /// What help says of a verb that changes the lab: how it meets --dry-run, and whether running
    /// it again changes anything.
    public static func changesTheLab(_ spec: CommandSpec) -> String {
        spec.isIdempotent
            ? "Changes the lab: honours --dry-run (shows the plan, changes nothing) and is idempotent."
            : "Changes the lab: honours --dry-run (shows the plan, runs nothing); not idempotent: each run "
                + "does it again, whatever it changes."
    }

    /// `help vm`: the object's verbs with their summaries.
    public static func object(_ name: String, summary: String, verbs: [CommandSpec]) -> String {
        var out = "\(name) — \(summary)\n\nVerbs:\n"
        let width = verbs.map { $0.path.dropFirst().joined(separator: " ").count }.max() ?? 0
        for v in verbs { out += "  " + pad(v.path.dropFirst().joined(separator: " "), width) + "  " + v.summary + "\n" }
        out += "\nRun 'help \(name) VERB' for a verb's arguments and flags.\n"
        return out
    }

    /// `text` broken at spaces into lines of at most `columns` characters, the lines after the
    /// first indented by `indent` spaces (a help column that continues under itself).
    static func wrap(_ text: String, indent: Int, columns: Int = 100) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, line.count + 1 + word.count > columns - indent {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
