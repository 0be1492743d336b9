public import HLSCore

/// A parsed script: its statements and the source they came from.
public struct Program: Sendable {
    public var source: SourceFile
    public var statements: [Statement]
    /// The files its `source` statements with a literal path read while it was parsed.
    public var sourced: [SourceFile] = []
}

/// A block of statements: a `{ … }` body.
public struct Block: Sendable {
    public var statements: [Statement]
    public var location: SourceLocation
}

public indirect enum Statement: Sendable {
    case pipeline(Pipeline)
    case letBinding(name: String, value: Pipeline, at: SourceLocation)
    case assignment(name: String, path: [String], value: Pipeline, at: SourceLocation)
    case ifElse(branches: [(condition: Expression, body: Block)], otherwise: Block?, at: SourceLocation)
    case forLoop(variable: String, sequence: Expression, body: Block, parallel: Expression?, at: SourceLocation)
    case whileLoop(condition: Expression, body: Block, at: SourceLocation)
    case breakLoop(at: SourceLocation)
    case continueLoop(at: SourceLocation)
    case returnValue(Expression?, at: SourceLocation)
    case definition(Definition)
    case phase(name: Expression, body: Block, at: SourceLocation)
    case retry(attempts: Expression, delay: Expression?, body: Block, at: SourceLocation)
    case tryCatch(body: Block, errorName: String?, handler: Block?, at: SourceLocation)
    case assertion(condition: Expression, message: Expression?, at: SourceLocation)
    case source(path: Expression, at: SourceLocation)
    case exit(code: Expression?, at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .pipeline(let p): return p.location
        case .letBinding(_, _, let at), .assignment(_, _, _, let at), .ifElse(_, _, let at),
            .forLoop(_, _, _, _, let at), .whileLoop(_, _, let at), .breakLoop(let at),
            .continueLoop(let at), .returnValue(_, let at), .phase(_, _, let at),
            .retry(_, _, _, let at), .tryCatch(_, _, _, let at), .assertion(_, _, let at),
            .source(_, let at), .exit(_, let at):
            return at
        case .definition(let d): return d.location
        }
    }
}

/// `def name(a, b = 1, --force) { … }`
public struct Definition: Sendable {
    public struct Parameter: Sendable {
        public var name: String
        public var defaultValue: Expression?
        /// `--name`: a switch, false unless given.
        public var isSwitch: Bool
    }

    public var name: String
    public var parameters: [Parameter]
    public var body: Block
    public var location: SourceLocation
}

/// `a | b | c`: the first element may be a value; the rest are commands.
public struct Pipeline: Sendable {
    public var elements: [PipelineElement]
    public var location: SourceLocation
}

public enum PipelineElement: Sendable {
    case command(CommandCall)
    case value(Expression)
}

/// A call of a registered verb, a builtin or a `def`.
public struct CommandCall: Sendable {
    /// The words naming it: `["vm", "list"]`, `["where"]`, `["twice"]`.
    public var path: [String]
    public var arguments: [Argument]
    public var location: SourceLocation
    /// The registry entry the parser bound it to; nil for a user `def` (bound when it runs).
    let shared: SharedSpec?

    public var spec: CommandSpec? { shared?.spec }

    public var name: String { path.joined(separator: " ") }
}

public enum Argument: Sendable {
    /// A positional value.
    case positional(Expression)
    /// `--name`, `--name value`, `--name=value` or `-n value`; `value` nil for a switch.
    case flag(name: String, value: Expression?, at: SourceLocation)
}

public indirect enum Expression: Sendable {
    case literal(Value, text: String, at: SourceLocation)
    /// A bare word in an expression: a row field inside `where`/`sort`, else an error.
    case bareName(String, at: SourceLocation)
    case variable(name: String, path: [String], at: SourceLocation)
    case template([TemplateSegment], at: SourceLocation)
    case list([Expression], at: SourceLocation)
    case record([(key: String, value: Expression)], at: SourceLocation)
    case subpipeline(Pipeline, at: SourceLocation)
    case field(Expression, path: [String], at: SourceLocation)
    case unary(op: String, Expression, at: SourceLocation)
    case binary(op: String, Expression, Expression, at: SourceLocation)
    /// `(if COND { … } else { … })`: the value of the block whose condition holds (null if none).
    case conditional(branches: [(Expression, Block)], otherwise: Block?, at: SourceLocation)
    /// `{ … }` given as a value (to `each`, `retry`, …): run later with `$it` bound.
    case block(Block)

    public var location: SourceLocation {
        switch self {
        case .literal(_, _, let at), .bareName(_, let at), .variable(_, _, let at), .template(_, let at),
            .list(_, let at), .record(_, let at), .subpipeline(_, let at), .field(_, _, let at),
            .unary(_, _, let at), .binary(_, _, _, let at), .conditional(_, _, let at):
            return at
        case .block(let b): return b.location
        }
    }
}

public enum TemplateSegment: Sendable {
    case text(String)
    case expression(Expression)
}
