import HLSCore

extension Builtins {
    static let output: [CommandSpec] = [
        CommandSpec(
            ["echo"], summary: "Print words as text, separated by spaces",
            positionals: [Parameter("words", .any, "values to print", variadic: true)],
            examples: [
                Example(#"echo "hello, lab""#, "print a line", output: "hello, lab\n"),
                Example(#"let n = 2; echo "nodes: $n""#, "interpolate a variable", output: "nodes: 2\n"),
            ],
            implementation: .builtin { inv in
                inv.context.out(inv.list("words").map(Render.plain).joined(separator: " ") + "\n")
                return .null
            }),
        CommandSpec(
            ["print"], summary: "Print a value as a table, JSON or YAML (per -o)",
            positionals: [Parameter("value", .any, "the value to print (default: the piped value)", optional: true)],
            examples: [
                Example(
                    #"print {name: "k3s-cp-01", cores: 4}"#, "print a record as aligned fields",
                    output: "name   k3s-cp-01\ncores  4\n")
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let value = inv.has("value") ? inv.value("value") : inv.input
                let format = OutputFlag.format(of: inv) ?? inv.context.options.output
                inv.context.out(Render.value(value, format: format, terminal: inv.context.stdoutTerminal))
                return .null
            }),
        CommandSpec(
            ["help"], summary: "Show the commands, an object's verbs, or one verb's arguments and flags",
            positionals: [Parameter("topic", .string, "an object or a verb (vm, vm apply)", variadic: true)],
            examples: [Example("help where", "show the help of the where filter")],
            implementation: .builtin { inv in
                let topic = inv.list("topic").map(Render.plain)
                guard HelpText.knows(topic, registry: inv.registry) else {
                    let name = topic.joined(separator: " ")
                    throw HLSError(
                        .usage, "help: no command or object named '\(name)'", at: .source(inv.location),
                        hint: Suggest.didYouMean(name, in: HelpText.topics(inv.registry), quote: { "'help \($0)'" })
                            ?? "run 'help' for the list of commands")
                }
                return .string(HelpText.render(topic: topic, registry: inv.registry))
            }),
        CommandSpec(
            ["describe"], summary: "The type of the piped value",
            examples: [Example("[{a: 1}] | describe", "a list of records is a table", output: "table\n")],
            takesInput: true,
            implementation: .builtin { inv in .string(inv.input.typeName) }),
    ]
}

/// `help`, `help vm`, `help vm apply`: all from the registry.
public enum HelpText {
    /// Whether `help TOPIC` has something to say: no topic, a verb or an object.
    public static func knows(_ topic: [String], registry: Registry) -> Bool {
        let name = topic.joined(separator: " ")
        return topic.isEmpty || registry.spec(name) != nil
            || (topic.count == 1 && (registry.objects[name] != nil || KeywordHelp.entry(for: name) != nil))
    }

    /// Everything `help` has a page for: verbs, objects and keywords.
    public static func topics(_ registry: Registry) -> [String] {
        registry.specs.map(\.name) + Array(registry.objects.keys) + Parser.keywords
    }

    public static func render(topic: [String], registry: Registry) -> String {
        if topic.isEmpty {
            var out = "hlsh — the homelab shell\n\nObjects:\n"
            let objects = registry.objects.keys.sorted()
            let width = (objects + registry.specs.filter { $0.path.count == 1 }.map(\.name)).map(\.count).max() ?? 0
            for o in objects {
                let verbs = registry.verbs(of: o).map { $0.path.dropFirst().joined(separator: " ") }
                let text = registry.objects[o]! + (verbs.isEmpty ? "" : ": " + verbs.joined(separator: ", "))
                out += "  " + Usage.pad(o, width) + "  " + Usage.wrap(text, indent: width + 4) + "\n"
            }
            out += "\nCommands:\n"
            for s in registry.specs where s.path.count == 1 {
                out += "  " + Usage.pad(s.name, width) + "  " + s.summary + "\n"
            }
            out +=
                "\n"
                + Usage.wrap(
                    "Language: let, set, if/elif/else, for, parallel for, while, def, phase, retry, try/catch, "
                        + "assert, source, exit.", indent: 10) + "\n"
            out += "Run 'help OBJECT', 'help VERB' or 'help KEYWORD' for more; every verb also takes --help.\n"
            return out
        }
        let name = topic.joined(separator: " ")
        if let spec = registry.spec(name) { return Usage.help(spec) }
        if topic.count == 1, let summary = registry.objects[name] {
            return Usage.object(name, summary: summary, verbs: registry.verbs(of: name))
        }
        if topic.count == 1, let keyword = KeywordHelp.entry(for: name) { return keyword.text }
        return "no help for '\(name)'" + (Suggest.didYouMean(name, in: topics(registry)).map { "; \($0)" } ?? "") + "\n"
    }
}
