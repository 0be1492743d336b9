public import HLSLanguage

/// One of hlsh's own command-line options (`--dry-run`, `-o`, `-c`), as the outer shell's
/// completion offers it: before the script or command, and, for the run-wide ones, among an
/// `OBJECT VERB …`'s words.
public struct CommandLineOption: Sendable {
    /// How it is written, short first: `["-o", "--output"]`, `["-c"]`.
    public var spellings: [String]
    /// What its value (the next word) is; nil for a switch.
    public var value: ValueKind?
    public var help: String
    /// Also accepted among an `OBJECT VERB …`'s words (`hlsh vm apply --all --dry-run`).
    public var runWide: Bool

    public init(_ spellings: [String], _ value: ValueKind?, _ help: String, runWide: Bool = false) {
        self.spellings = spellings
        self.value = value
        self.help = help
        self.runWide = runWide
    }

    /// A switch: present or not.
    public init(_ spellings: [String], _ help: String, runWide: Bool = false) {
        self.init(spellings, nil, help, runWide: runWide)
    }

    /// Whether `word` is this option, without its value (`--output`, `-o`); `--output=json`
    /// carries its value and is not.
    public func isWritten(_ word: String) -> Bool { spellings.contains(word) }

    /// Its spellings as completion candidates, each with its help.
    var candidates: [Completion.Candidate] {
        spellings.map { .init($0, detail: value.map { "<\($0.placeholder)> " + help } ?? help) }
    }
}
