public import HLSCore

/// Reads tokens into a `Program`, checking every command call against the registry.
/// It never stops at the first problem: it resynchronises at the next statement and returns
/// every diagnostic, so `hlsh -n` reports all the errors of a file at once.
public struct Parser {
    let source: SourceFile
    let registry: Registry
    var tokens: [Token]
    var index = 0
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Depth of `where`/`sort`/`wait --until` conditions, where bare words name row fields.
    var rowContext = 0
    /// Depth of list and record literals, where bare words are strings.
    var bareWordsAreStrings = 0
    /// Names of the `def`s seen so far, checked again after the whole file is read.
    var definitions: Set<String> = []
    var unresolved: [(name: String, at: SourceLocation)] = []

    public init(source: SourceFile, registry: Registry) {
        self.source = source
        self.registry = registry
        var lexer = Lexer(source: source)
        self.tokens = lexer.tokenize()
        self.diagnostics = lexer.diagnostics
    }

    init(source: SourceFile, registry: Registry, range: Range<Int>, at location: SourceLocation) {
        self.source = source
        self.registry = registry
        var lexer = Lexer(source: source, range: range, line: location.line, column: location.column + 2)
        self.tokens = lexer.tokenize()
        self.diagnostics = lexer.diagnostics
    }

    /// Parses a whole script. `knownDefinitions` are `def`s from elsewhere (the REPL's session,
    /// sourced files) that calls may use.
    public static func parse(_ source: SourceFile, registry: Registry, knownDefinitions: Set<String> = []) -> (Program, [Diagnostic]) {
        var parser = Parser(source: source, registry: registry)
        parser.definitions = knownDefinitions
        let statements = parser.parseStatements(until: nil)
        parser.checkUnresolved()
        let diagnostics = parser.diagnostics.sorted { $0.location < $1.location }
        return (Program(source: source, statements: statements), diagnostics)
    }

    // MARK: Token access

    var current: Token { tokens[index] }
    var currentKind: Token.Kind { tokens[index].kind }

    func peekKind(_ offset: Int = 1) -> Token.Kind {
        let i = min(index + offset, tokens.count - 1)
        return tokens[i].kind
    }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    var atStatementEnd: Bool {
        switch currentKind {
        case .newline, .semicolon, .eof, .rbrace, .rparen, .pipe: return true
        default: return false
        }
    }

    func isWord(_ w: String) -> Bool { current.word == w }

    mutating func skipNewlines() {
        while currentKind == .newline || currentKind == .semicolon { advance() }
    }

    mutating func error(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location ?? current.location, hint: hint))
    }

    mutating func expect(_ kind: Token.Kind, _ what: String) -> Bool {
        if currentKind == kind {
            advance()
            return true
        }
        error("expected \(what), found \(describe(current))")
        return false
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .newline: return "end of line"
        case .semicolon: return "';'"
        case .lbrace: return "'{'"
        case .rbrace: return "'}'"
        case .lparen: return "'('"
        case .rparen: return "')'"
        case .lbracket: return "'['"
        case .rbracket: return "']'"
        case .comma: return "','"
        case .colon: return "':'"
        case .pipe: return "'|'"
        case .word(let w): return "'\(w)'"
        case .rawString, .template: return "a string"
        case .variable(let name, _): return "$\(name)"
        case .eof: return "end of input"
        }
    }

    /// Skips to the end of the current statement after an error.
    mutating func recover() {
        var depth = 0
        while true {
            switch currentKind {
            case .eof: return
            case .lbrace, .lparen, .lbracket: depth += 1
            case .rbrace, .rparen, .rbracket:
                if depth == 0 { return }
                depth -= 1
            case .newline, .semicolon:
                if depth == 0 { return }
            default: break
            }
            advance()
        }
    }

    // MARK: After the whole file

    mutating func checkUnresolved() {
        for (name, at) in unresolved where !definitions.contains(name) {
            let candidates = registry.topLevelNames + Array(definitions) + Parser.keywords
            var hint: String? = nil
            if let near = Suggest.nearest(name, in: candidates) { hint = "did you mean '\(near)'?" }
            if hint == nil { hint = "run 'help' for the list of commands" }
            diagnostics.append(Diagnostic("unknown command '\(name)'", at: at, hint: hint))
        }
    }

    static let keywords = [
        "let", "set", "if", "elif", "else", "for", "in", "while", "break", "continue", "return", "def",
        "phase", "retry", "try", "catch", "assert", "parallel", "source", "exit",
    ]
}
