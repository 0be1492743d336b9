import HLSCore

/// `docs/reference.md`: every object, verb, argument, flag, output column and example the
/// registry declares, and hlsh's own options, exit statuses, environment and files. The pieces
/// are `help`'s (`Usage`, `KeywordHelp`), so the reference says what `help VERB` says.
public enum ReferenceDocument {
    public static func markdown(_ registry: Registry, manual: ProgramManual) -> String {
        var out = "# hlsh reference\n\n<!-- \(ProgramManual.generatedNotice) -->\n\n"
        out += prose(manual.summary.prefix(1).uppercased() + manual.summary.dropFirst()) + ".\n\n"
        out += """
            Every verb below is declared once, in the registry that also drives parsing, `help`, `VERB --help` \
            and Tab completion. Every example is run by the test suite; where an `output` block follows, \
            the example must print exactly that. In the shell or a script, type the examples as they are; \
            from another shell, put `hlsh` before the words or write `hlsh -c '…'`.

            Every verb also takes these flags:


            """
        out += list(Usage.sharedFlags.map { ProgramManual.Entry($0.term, $0.help) }) + "\n"
        out += "Contents: [running hlsh](#running-hlsh)"
        for group in groups(registry) { out += ", [\(group.title)](#\(anchor(group.title)))" }
        out += ", [language keywords](#language-keywords).\n\n"

        out += "## Running hlsh\n\n```\n" + manual.synopsis.joined(separator: "\n") + "\n```\n\n"
        out += manual.description.map { prose($0) + "\n\n" }.joined()
        out += "### Options\n\n" + list(manual.options) + "\n"
        out += "### Exit status\n\n" + list(ExitStatus.allCases.map { .init("\($0.rawValue)", $0.meaning) }) + "\n"
        out += "### Environment\n\n" + list(manual.environment) + "\n"
        out += "### Files\n\n" + list(manual.files) + "\n"

        for group in groups(registry) {
            out += "## \(group.title)\n\n"
            if let summary = group.summary { out += prose(summary) + ".\n\n" }
            for spec in group.specs {
                out += "- [\(spec.name)](#\(anchor(spec.name))): \(prose(spec.summary))\n"
            }
            out += "\n" + group.specs.map(verb).joined()
        }

        out += "## Language keywords\n\n`help KEYWORD` shows these; docs/language.md tells the whole language.\n\n"
        for entry in KeywordHelp.entries {
            out += "### \(entry.keywords.joined(separator: ", "))\n\n\(prose(entry.summary)).\n\n"
            out += "```\n\(entry.usage)\n```\n\n"
            out += example(entry.example, output: entry.output)
        }
        return out
    }

    /// The registry's verbs in the order help lists them: each object's (objects sorted), then
    /// the one-word commands.
    static func groups(_ registry: Registry) -> [(title: String, summary: String?, specs: [CommandSpec])] {
        registry.objects.keys.sorted().map { ($0, registry.objects[$0], registry.verbs(of: $0)) }
            + [("commands", nil, registry.specs.filter { $0.path.count == 1 })]
    }

    static func verb(_ spec: CommandSpec) -> String {
        var out = "### \(spec.name)\n\n\(prose(spec.summary)).\n\n```\n\(Usage.line(spec))\n```\n\n"
        if let discussion = spec.discussion { out += prose(discussion) + "\n\n" }
        if !spec.positionals.isEmpty {
            out += "Arguments:\n\n"
            for p in spec.positionals {
                let traits = [p.kind.placeholder] + (p.isVariadic ? ["any number"] : p.isOptional ? ["optional"] : [])
                out += "- `<\(p.name)>` (\(traits.joined(separator: ", "))): "
                out += prose(Usage.described(p.help, default: p.defaultValue)) + "\n"
            }
            out += "\n"
        }
        if !spec.flags.isEmpty {
            out +=
                "Flags:\n\n"
                + list(
                    spec.flags.map {
                        .init(
                            Usage.term($0), Usage.described($0.help, default: $0.defaultValue, required: $0.isRequired))
                    })
                + "\n"
        }
        if spec.mutates { out += prose(Usage.changesTheLab(spec)) + "\n\n" }
        if !spec.columns.isEmpty {
            out += "Columns (with `-o json` or `-o yaml`, the keys of each record): "
            out += spec.columns.map { "`\($0)`" }.joined(separator: ", ") + ".\n\n"
        }
        for e in spec.examples {
            out += "Example — " + prose(e.summary) + ":\n\n"
            out += example(e.code, output: e.output)
        }
        return out
    }

    /// An example as an `hls` block, and the `output` block of what it prints, if it says.
    static func example(_ code: String, output: String?) -> String {
        func block(_ info: String, _ text: String) -> String {
            "```\(info)\n" + text + (text.hasSuffix("\n") ? "" : "\n") + "```\n\n"
        }
        return block("hls", code) + (output.flatMap { $0.isEmpty ? nil : block("output", $0) } ?? "")
    }

    /// `- `term`: text` per entry.
    static func list(_ entries: [ProgramManual.Entry]) -> String {
        entries.map { "- `\($0.term)`: \(prose($0.text).replacing("\n", with: " "))\n" }.joined()
    }

    /// Help text as Markdown: `*`, `<` and `\` escaped outside its `code` spans.
    static func prose(_ text: some StringProtocol) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { i, part in
            guard i % 2 == 0 else { return String(part) }
            var out = ""
            for c in part {
                if c == "*" || c == "<" || c == "\\" { out.append("\\") }
                out.append(c)
            }
            return out
        }.joined(separator: "`")
    }

    /// GitHub's anchor for a heading: lower case, spaces as `-`, other punctuation dropped.
    static func anchor(_ heading: String) -> String {
        String(
            heading.lowercased().compactMap {
                $0 == " " ? "-" : $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : nil
            })
    }
}
