import HLSCore

/// Reads tokens into a `Program`, checking every command call against the registry.
/// It never stops at the first problem: it resynchronises at the next statement and returns
/// every diagnostic, so `hlsh -n` reports all the errors of a file at once.
public struct Parser {
    let source: SourceFile
    let registry: Registry
    /// Reads the source as the parser needs tokens: a script is never held as tokens whole.
    var lexer: Lexer
    /// The tokens read and not yet forgotten: at the top level, those of finished statements
    /// are dropped (`forgetFinishedTokens`), so a long script is parsed through a small window
    /// that stays in the cache and costs no fresh pages.
    var tokens: [Token] = []
    /// The values of the strings and variables among `tokens` (their `payload`s index these).
    var lexed: Tokens
    var index = 0
    /// The parser's own diagnostics; the lexer keeps its own (`allDiagnostics` has both).
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Depth of `where`/`sort`/`wait --until` conditions, where bare words name row fields.
    var rowContext = 0
    /// Depth of list and record literals, where bare words are strings.
    var bareWordsAreStrings = 0
    /// Names of the `def`s seen so far, checked again after the whole file is read.
    var definitions: Set<String> = []
    var unresolved: [(name: String, at: SourceLocation)] = []
    /// Files being sourced on the way here (`a.hls` sources `b.hls` sources …), against cycles.
    var sourceChain: Set<String> = []
    /// A `source` whose path is computed: its `def`s are unknown until it runs.
    var hasComputedSource = false
    /// The files read for `source` statements with a literal path, nested ones too.
    var sourced: [SourceFile] = []
    /// How many statements and values are open around the current token (blocks, brackets,
    /// `$( … )`, sourced files), against recursing into a stack overflow (issue 17's fuzzing).
    var depth = 0
    /// Where the first `locatedCount` diagnostics are, for `hasDiagnostic(at:)`.
    var diagnosticLocations: Set<SourceLocation> = []
    var locatedCount = 0
    /// Set once the input nested deeper than `maxDepth`: the rest is skipped, with one diagnostic.
    var tooDeep = false
    /// Whether top-level statements are kept for a `Program`. A syntax check (`check`) drops
    /// each one once it is parsed, so the next one's nodes reuse its memory (issue 17).
    var keepsStatements = true
    static let maxDepth = 128
    /// The low end of the parsing thread's stack, looked up once (`enter` checks it at every
    /// nested value). A parser runs on the thread that made it.
    let stackLowEnd = StackGuard.lowEnd()

    public init(source: SourceFile, registry: Registry) {
        self.init(source: source, registry: registry, lexer: Lexer(source: source))
    }

    /// A parser of part of a source (the inside of `$( … )`, the value of `--name=$x`) that
    /// begins at `line`:`column`.
    init(source: SourceFile, registry: Registry, range: Range<Int>, line: Int, column: Int) {
        self.init(
            source: source, registry: registry, lexer: Lexer(source: source, range: range, line: line, column: column))
    }

    private init(source: SourceFile, registry: Registry, lexer: Lexer) {
        self.source = source
        self.registry = registry
        self.lexer = lexer
        self.lexed = Tokens(bytes: source.bytes)
        tokens.reserveCapacity(Parser.window + Parser.batch)
        readTokens()
    }

    /// Parses a whole script. `knownDefinitions` are `def`s from elsewhere (the REPL's session,
    /// sourced files) that calls may use.
    public static func parse(_ source: SourceFile, registry: Registry, knownDefinitions: Set<String> = []) -> (
        Program, [Diagnostic]
    ) {
        var parser = Parser(source: source, registry: registry)
        parser.definitions = knownDefinitions
        let statements = parser.parseStatements(until: nil)
        let diagnostics = parser.finish()
        return (Program(source: source, statements: statements, sourced: parser.sourced), diagnostics)
    }

    /// Checks a whole script as `parse` does, with the same diagnostics, without keeping its
    /// syntax tree: each top-level statement is dropped once parsed (`hlsh -n`). What needs the
    /// whole file (calls of a `def` written further down) is checked from the names kept.
    /// Returns the files its `source` statements read, and the diagnostics.
    public static func check(_ source: SourceFile, registry: Registry, knownDefinitions: Set<String> = []) -> (
        sourced: [SourceFile], diagnostics: [Diagnostic]
    ) {
        var parser = Parser(source: source, registry: registry)
        parser.definitions = knownDefinitions
        parser.keepsStatements = false
        _ = parser.parseStatements(until: nil)
        let diagnostics = parser.finish()
        return (parser.sourced, diagnostics)
    }

    /// After the last statement: the calls of names never defined, then every diagnostic in
    /// the order of their places.
    private mutating func finish() -> [Diagnostic] {
        checkUnresolved()
        var diagnostics = allDiagnostics().sorted { $0.location < $1.location }
        if !sourced.isEmpty {
            // A file sourced by two others is checked twice: report its errors once.
            diagnostics = diagnostics.enumerated().filter { $0.offset == 0 || diagnostics[$0.offset - 1] != $0.element }
                .map(\.element)
        }
        return diagnostics
    }

    // MARK: Token access

    /// Tokens read at a time, so reading costs little per token.
    static let batch = 64
    /// How many finished tokens the window keeps before it forgets them.
    static let window = 512

    var current: Token { tokens[index] }
    var currentKind: Token.Kind { tokens[index].kind }
    var currentLocation: SourceLocation { tokens[index].location }
    /// The current token's text when it is a word.
    var currentWord: String? { currentKind == .word ? lexed.text(of: tokens[index]) : nil }

    @_optimize(speed) mutating func advance() {
        if index + 1 == tokens.count { readTokens() }
        if index < tokens.count - 1 { index += 1 }
    }

    /// Token `i` of the window, read first if need be; past the end of the input, `.eof`.
    @_optimize(speed) mutating func token(at i: Int) -> Token {
        while i >= tokens.count {
            if tokens[tokens.count - 1].kind == .eof { return tokens[tokens.count - 1] }
            readTokens()
        }
        return tokens[i]
    }

    /// Reads the next batch of tokens, unless the input has ended.
    @_optimize(speed) mutating func readTokens() {
        if let last = tokens.last, last.kind == .eof { return }
        for _ in 0..<Parser.batch {
            let token = lexer.next(into: &lexed)
            tokens.append(token)
            if token.kind == .eof { return }
        }
    }

    /// Between top-level statements: drops the tokens before the current one, and the values
    /// of strings and variables only they had. Nothing looks back past the start of the
    /// statement being parsed (`recover(from:)` is the furthest), so nothing is lost.
    @_optimize(speed) mutating func forgetFinishedTokens() {
        guard index >= Parser.window else { return }
        tokens.removeSubrange(0..<index)
        index = 0
        var first = (strings: lexed.strings.count, templates: lexed.templates.count, variables: lexed.variables.count)
        for token in tokens {
            switch token.kind {
            case .rawString: first.strings = min(first.strings, Int(token.payload))
            case .template: first.templates = min(first.templates, Int(token.payload))
            case .variable: first.variables = min(first.variables, Int(token.payload))
            default: break
            }
        }
        lexed.forget(strings: first.strings, templates: first.templates, variables: first.variables)
        for i in tokens.indices {
            switch tokens[i].kind {
            case .rawString: tokens[i].movePayload(by: -first.strings)
            case .template: tokens[i].movePayload(by: -first.templates)
            case .variable: tokens[i].movePayload(by: -first.variables)
            default: break
            }
        }
    }

    /// The lexer's diagnostics (the rest of the input read first, as a parser of part of a
    /// source may stop early), then the parser's.
    mutating func allDiagnostics() -> [Diagnostic] {
        while tokens[tokens.count - 1].kind != .eof { readTokens() }
        return lexer.diagnostics + diagnostics
    }

    var atStatementEnd: Bool {
        switch currentKind {
        case .newline, .semicolon, .eof, .rbrace, .rparen, .pipe: return true
        default: return false
        }
    }

    func isWord(_ w: StaticString) -> Bool { lexed.isWord(tokens[index], w) }

    /// Whether the token after the current one is the word `w`.
    mutating func peekIsWord(_ w: StaticString) -> Bool { lexed.isWord(token(at: index + 1), w) }

    mutating func skipNewlines() {
        while currentKind == .newline || currentKind == .semicolon { advance() }
    }

    mutating func error(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        report(Diagnostic(message, at: location ?? currentLocation, hint: hint))
    }

    mutating func report(_ diagnostic: Diagnostic) {
        guard !tooDeep else { return }
        diagnostics.append(diagnostic)
    }

    /// Opens one more level of nesting (a statement, a value); past `maxDepth`, or where the
    /// thread's stack runs short first (a small one, a debug build's large frames), says so once,
    /// skips the rest of the input and returns false. Each `true` is matched by `depth -= 1`.
    mutating func enter() -> Bool {
        let tooMany = depth >= Parser.maxDepth
        guard !tooMany, !tooDeep, !StackGuard.hasLessThan(StackGuard.reserve / 2, above: stackLowEnd) else {
            error(
                tooMany ? "nested more than \(Parser.maxDepth) deep" : "nested deeper than the stack allows",
                hint: "give the inner parts names with 'let', or a 'def'")
            abandon()
            return false
        }
        depth += 1
        return true
    }

    /// Skips to the end of the input after nesting too deep (here or in a parser of part of it).
    mutating func abandon() {
        tooDeep = true
        // The rest of the input is read first: the window holds only the tokens read so far.
        while tokens[tokens.count - 1].kind != .eof { readTokens() }
        index = tokens.count - 1
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
        case .word: return "'\(lexed.text(of: token))'"
        case .rawString, .template: return "a string"
        case .variable: return "$\(lexed.variables[Int(token.payload)].name)"
        case .eof: return "end of input"
        }
    }

    /// Skips to the end of the statement that began at token `start`, after an error.
    ///
    /// Brackets the statement opened before the error still count, so `echo (1 + )` resumes
    /// after its `)` instead of reporting that `)` again. When the input ends inside a `(` or
    /// `[`, that bracket is reported: it swallowed the lines after it (newlines are spaces there).
    mutating func recover(from start: Int) {
        var open: [Token] = []
        for token in tokens[start..<index] {
            switch token.kind {
            case .lbrace, .lparen, .lbracket: open.append(token)
            case .rbrace, .rparen, .rbracket: if !open.isEmpty { open.removeLast() }
            default: break
            }
        }
        while true {
            switch currentKind {
            case .eof:
                for unclosed in open where unclosed.kind != .lbrace { reportUnclosed(unclosed) }
                return
            case .lbrace, .lparen, .lbracket: open.append(current)
            case .rbrace, .rparen, .rbracket:
                // A closer with no opener of its kind in this statement closes an outer block.
                guard let match = open.lastIndex(where: { Parser.closes(currentKind, $0.kind) }) else {
                    for unclosed in open where unclosed.kind != .lbrace { reportUnclosed(unclosed) }
                    return
                }
                open.removeSubrange(match...)
            case .newline, .semicolon:
                if open.isEmpty { return }
            default: break
            }
            advance()
        }
    }

    static func closes(_ closer: Token.Kind, _ opener: Token.Kind) -> Bool {
        switch (closer, opener) {
        case (.rbrace, .lbrace), (.rparen, .lparen), (.rbracket, .lbracket): return true
        default: return false
        }
    }

    /// "this '(' is never closed", once per bracket.
    mutating func reportUnclosed(_ opener: Token) {
        let text = opener.kind == .lparen ? "(" : opener.kind == .lbracket ? "[" : "{"
        let closer = opener.kind == .lparen ? ")" : opener.kind == .lbracket ? "]" : "}"
        guard !hasDiagnostic(at: opener.location) else { return }
        error("this '\(text)' is never closed", at: opener.location, hint: "close it with '\(closer)'")
    }

    /// Whether a diagnostic is already reported at `location`. A set kept up to date as
    /// diagnostics are added: searching them all for each of thousands of unclosed brackets was
    /// quadratic (issue 17's fuzzing).
    mutating func hasDiagnostic(at location: SourceLocation) -> Bool {
        while locatedCount < diagnostics.count {
            diagnosticLocations.insert(diagnostics[locatedCount].location)
            locatedCount += 1
        }
        return diagnosticLocations.contains(location)
    }

    // MARK: After the whole file

    mutating func checkUnresolved() {
        if hasComputedSource { return }
        let candidates = registry.topLevelNames + Array(definitions) + Parser.keywords
        for (name, at) in unresolved where !definitions.contains(name) {
            let hint = Suggest.didYouMean(name, in: candidates) ?? "run 'help' for the list of commands"
            diagnostics.append(Diagnostic("unknown command '\(name)'", at: at, hint: hint))
        }
    }

    static let keywordTable = WordTable(keywords)

    /// The words that begin (or continue) a statement.
    public static let keywords = [
        "let", "set", "if", "elif", "else", "for", "in", "while", "break", "continue", "return", "def",
        "phase", "retry", "try", "catch", "assert", "parallel", "source", "exit",
    ]
}
