import HLSCore

/// Everything about one verb, declared once. The parser checks calls against it, the interpreter
/// binds arguments by it, and `help`, `VERB --help` and the REPL's tab completion read it.
public struct CommandSpec: Sendable {
    /// The words that name it: `["vm", "apply"]`, `["where"]`.
    public var path: [String]
    public var summary: String
    /// Longer help, shown by `help VERB`.
    public var discussion: String?
    public var positionals: [Parameter]
    public var flags: [Flag]
    /// Names of the columns of the table it returns, in order (empty for non-tables).
    public var columns: [String]
    public var examples: [Example]
    /// Whether it reads a value from the pipeline (`… | where …`).
    public var takesInput: Bool
    /// For a verb that changes the lab: whether running it again changes nothing more (`vm apply`),
    /// or does it all again (`node run`). Help says which.
    public var isIdempotent: Bool
    public var implementation: Implementation

    public init(
        _ path: [String], summary: String, discussion: String? = nil, positionals: [Parameter] = [],
        flags: [Flag] = [], columns: [String] = [], examples: [Example] = [], takesInput: Bool = false,
        idempotent: Bool = true, implementation: Implementation
    ) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.positionals = positionals
        self.flags = flags
        self.columns = columns
        self.examples = examples
        self.takesInput = takesInput
        self.isIdempotent = idempotent
        self.implementation = implementation
    }

    public var name: String { Self.name(path[...]) }

    /// Words joined by spaces (`vm apply`), the form verbs are registered and looked up by.
    /// Built by hand: `joined(separator:)` takes an unspecialised generic path here that costs
    /// about 2,000 instructions a call, paid for every verb at each start.
    static func name(_ words: ArraySlice<String>) -> String {
        guard var name = words.first else { return "" }
        for word in words.dropFirst() {
            name += " "
            name += word
        }
        return name
    }

    /// Mutating verbs plan first and apply only outside `--dry-run` (the executor decides).
    public var mutates: Bool {
        if case .mutation = implementation { return true }
        return false
    }

    public func flag(named name: String) -> Flag? {
        flags.first { $0.name == name } ?? flags.first { $0.short.map { String($0) } == name }
    }

    /// Whether `name` is one of its positionals or flags (by long name), or the shared
    /// `--output` it takes: the names a verb's body may read from its invocation.
    public func declares(_ name: String) -> Bool {
        positionals.contains { $0.name == name } || flags.contains { $0.name == name }
            || name == OutputFlag.spec.name
    }

    /// The default the positional or flag `name` declares, if any.
    public func defaultValue(of name: String) -> Value? {
        positionals.first { $0.name == name }?.defaultValue ?? flags.first { $0.name == name }?.defaultValue
    }
}

/// How a verb does its work.
public enum Implementation: Sendable {
    /// Reads and returns a value; never changes anything.
    case query(@Sendable (Invocation) throws -> Value)
    /// Computes what would change (reading only); the executor applies it unless `--dry-run`.
    case mutation(@Sendable (Invocation) throws -> ChangePlan)
    /// A builtin that needs the interpreter (`each`, `where`, `help`).
    case builtin(@Sendable (Invocation) throws -> Value)
}

/// What a kind of argument accepts, and how the parser reads it.
public indirect enum ValueKind: Sendable, Equatable {
    case string, int, float, bool, duration, size, path, any
    /// A value evaluated again each time the verb asks for it (`wait (vm show x) --until …`).
    case lazy
    /// One of a fixed set of words.
    case choice([String])
    /// A name that a live provider can complete (`vm`, `node`, `ks`, …); a string.
    case name(String)
    /// An expression evaluated later, per row: `where status == "running"`.
    case condition
    /// A `{ … }` block run later.
    case block

    /// How help shows the value: `<duration>`, `<table|json|yaml>`.
    public var placeholder: String {
        switch self {
        case .choice(let words): return words.joined(separator: "|")
        case .name(let what): return what
        case .condition: return "condition"
        case .block: return "{ … }"
        default: return "\(self)"
        }
    }
}

public struct Parameter: Sendable {
    public var name: String
    public var kind: ValueKind
    public var help: String
    public var isOptional: Bool
    /// Takes every remaining positional value.
    public var isVariadic: Bool
    /// The value bound when the argument is left out. Giving one makes the parameter optional,
    /// and help shows it as `(default: …)`.
    public var defaultValue: Value?

    public init(
        _ name: String, _ kind: ValueKind, _ help: String, optional: Bool = false, variadic: Bool = false,
        default defaultValue: Value? = nil
    ) {
        self.name = name
        self.kind = kind
        self.help = help
        self.isOptional = optional || defaultValue != nil || variadic
        self.isVariadic = variadic
        self.defaultValue = defaultValue
    }
}

public struct Flag: Sendable {
    public var name: String
    public var short: Character?
    /// nil for a switch (present → true).
    public var kind: ValueKind?
    public var help: String
    public var defaultValue: Value?
    /// A flag the verb cannot run without (`sim serve --dir`): its usage shows it without
    /// brackets, and its help says so. The verb's body says what to give when it is missing.
    public var isRequired: Bool

    public init(
        _ name: String, short: Character? = nil, _ kind: ValueKind? = nil, _ help: String,
        default defaultValue: Value? = nil, required: Bool = false
    ) {
        self.name = name
        self.short = short
        self.kind = kind
        self.help = help
        self.defaultValue = defaultValue
        self.isRequired = required
    }

    /// A switch: present means true.
    public init(_ name: String, short: Character? = nil, _ help: String) {
        self.init(name, short: short, nil, help)
    }

    public var isSwitch: Bool { kind == nil }
}

/// An example in a verb's help. Every example is run by a test; `output`, when given, is what
/// it must print.
public struct Example: Sendable {
    public var code: String
    public var summary: String
    public var output: String?
    /// An example that needs a lab (the simulator) to run; the examples test provides one.
    public var needsLab: Bool

    public init(_ code: String, _ summary: String, output: String? = nil, needsLab: Bool = false) {
        self.code = code
        self.summary = summary
        self.output = output
        self.needsLab = needsLab
    }
}
