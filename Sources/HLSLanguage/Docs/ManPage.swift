import HLSCore

/// `docs/hlsh.1`: the man page, in man(7) macros, from the same registry and program manual
/// as `ReferenceDocument` (which also has every verb's examples and discussion).
public enum ManPage {
    public static func roff(_ registry: Registry, manual: ProgramManual) -> String {
        var out = ".\\\" \(ProgramManual.generatedNotice)\n"
        // No hyphenation, ragged right: option names and columns stay whole.
        out += ".TH HLSH 1 \"\" \"hlsh \(HLSVersion.string)\" \"User Commands\"\n.nh\n.ad l\n"
        out += ".SH NAME\nhlsh \\- \(Roff.text(manual.summary))\n"
        out += ".SH SYNOPSIS\n.nf\n"
        for line in manual.synopsis {
            let words = line.split(separator: " ", maxSplits: 1)
            out += Roff.bold(String(words[0])) + (words.count > 1 ? " " + Roff.text(String(words[1])) : "") + "\n"
        }
        out += ".fi\n.SH DESCRIPTION\n" + manual.description.map { Roff.text($0) }.joined(separator: "\n.PP\n") + "\n"
        out += ".SH OPTIONS\n" + entries(manual.options)
        out += ".SH COMMANDS\n"
        out +=
            Roff.text(
                "Each verb's usage, what it does, its arguments and flags; 'help VERB' in the shell (or hlsh VERB --help) "
                    + "says the same, docs/reference.md adds each verb's details and examples. Every verb also takes:")
            + "\n"
        out += ".RS\n" + entries(Usage.sharedFlags.map { .init($0.term, $0.help) }) + ".RE\n"
        for group in ReferenceDocument.groups(registry) {
            out += ".SS \(group.title)\n"
            if let summary = group.summary { out += Roff.text(summary) + ".\n" }
            for spec in group.specs { out += verb(spec) }
        }
        out += ".SS language\n"
        out += entries(KeywordHelp.entries.map { .init($0.usage, $0.summary) })
        out += ".SH EXIT STATUS\n" + entries(ExitStatus.allCases.map { .init("\($0.rawValue)", $0.meaning) })
        out += ".SH ENVIRONMENT\n" + entries(manual.environment)
        out += ".SH FILES\n" + entries(manual.files)
        out += ".SH EXAMPLES\n"
        out += Roff.text("As typed in the shell or a script (from another shell: hlsh WORDS… or hlsh -c '…').") + "\n"
        for spec in registry.specs {
            for e in spec.examples {
                out += ".PP\n" + Roff.text(e.summary) + ":\n"
                out +=
                    ".RS 4\n.nf\n" + Roff.text(e.code.hasSuffix("\n") ? String(e.code.dropLast()) : e.code)
                    + "\n.fi\n.RE\n"
            }
        }
        out += ".SH SEE ALSO\n" + manual.seeAlso.map { Roff.text($0) }.joined(separator: ",\n") + "\n"
        return out
    }

    /// A verb: its usage line as the tag, its summary, then its arguments and flags.
    static func verb(_ spec: CommandSpec) -> String {
        var out = ".TP\n" + Roff.bold(Usage.line(spec)) + "\n" + Roff.text(spec.summary) + ".\n"
        if spec.mutates { out += Roff.text(Usage.changesTheLab(spec)) + "\n" }
        if !spec.columns.isEmpty { out += Roff.text("Columns: " + spec.columns.joined(separator: ", ") + ".") + "\n" }
        let rows =
            spec.positionals.map {
                ProgramManual.Entry("<\($0.name)>", Usage.described($0.help, default: $0.defaultValue))
            }
            + spec.flags.map {
                .init(Usage.term($0), Usage.described($0.help, default: $0.defaultValue, required: $0.isRequired))
            }
        if !rows.isEmpty { out += ".RS\n" + entries(rows) + ".RE\n" }
        return out
    }

    /// A `.TP` paragraph per entry, the term in bold.
    static func entries(_ entries: [ProgramManual.Entry]) -> String {
        entries.map { ".TP\n" + Roff.bold($0.term) + "\n" + Roff.text($0.text) + "\n" }.joined()
    }
}
