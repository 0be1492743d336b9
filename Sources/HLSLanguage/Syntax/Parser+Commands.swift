import HLSCore

extension Parser {
    @_optimize(speed) mutating func parsePipeline() -> Pipeline? {
        let location = currentLocation
        var elements: [PipelineElement] = []
        guard let first = parseElement(first: true) else { return nil }
        elements.append(first)
        while currentKind == .pipe {
            advance()
            while currentKind == .newline { advance() }
            guard let next = parseElement(first: false) else { return nil }
            elements.append(next)
        }
        return Pipeline(elements: elements, location: location)
    }

    /// Whether `token` is a word that names a command: a command name that is neither an
    /// operator nor `true`, `false` or `null` (the only names that are values). Read from the
    /// source's bytes; only a word with non-ASCII letters becomes a `String`.
    func startsCommand(_ token: Token) -> Bool {
        guard token.kind == .word else { return false }
        if lexed.word(token, in: Parser.operatorTable) != nil || lexed.word(token, in: Parser.valueWords) != nil {
            return false
        }
        return lexed.isCommandName(token)
    }

    static let valueWords = WordTable(["true", "false", "null"])

    @_optimize(speed) mutating func parseElement(first: Bool) -> PipelineElement? {
        if first, isWord("if") {
            let at = currentLocation
            guard let (branches, otherwise) = parseIf() else { return nil }
            return .value(.conditional(branches: branches, otherwise: otherwise, at: at))
        }
        if startsCommand(current) {
            if first, peekIsWord("=") {
                error("to bind a variable write 'let \(currentWord!) = …' (or 'set' to change it)")
                return nil
            }
            let at = currentLocation
            guard let call = parseCommand() else { return nil }
            if !first, let shared = call.shared, !shared.spec.takesInput {
                error(
                    "'\(shared.spec.name)' does not read piped input", at: at,
                    hint: "use it on its own line, or pass the value as an argument: \(shared.spec.name) (…)")
            }
            return .command(call)
        }
        if !first {
            error("expected a command after '|', found \(describe(current))")
            return nil
        }
        return parseExpression().map(PipelineElement.value)
    }

    @_optimize(speed) mutating func parseCommand() -> CommandCall? {
        let location = currentLocation
        // Gather the words that may name the command (`node k3s server`).
        var words: [String] = []
        var i = index
        while words.count < 3, token(at: i).kind == .word, i == index || tokens[i].spaceBefore {
            // Checked on the bytes: an argument that is no command name never becomes a String here.
            guard lexed.isCommandName(tokens[i]) else { break }
            words.append(lexed.text(of: tokens[i]))
            i += 1
        }
        let shared: SharedSpec?
        let path: [String]
        if let (found, length) = registry.resolveShared(words) {
            shared = found
            path = length == words.count ? words : Array(words.prefix(length))
            for _ in 0..<length { advance() }
        } else if registry.objects[words[0]] != nil {
            let object = words[0]
            let verbs = registry.verbs(of: object).map { $0.path.dropFirst().joined(separator: " ") }
            advance()
            // `vm --help` is `help vm`.
            if words.count == 1, isWord("--help"), let (help, _) = registry.resolveShared(["help"]) {
                advance()
                let topic = Expression.literal(.string(object), text: object, at: location)
                return CommandCall(path: ["help"], arguments: [.positional(topic)], location: location, shared: help)
            }
            if words.count > 1 {
                error(
                    "unknown verb '\(words[1])' for '\(object)'", at: tokens[index].location,
                    hint: Suggest.didYouMean(words[1], in: verbs, quote: { "'\(object) \($0)'" })
                        ?? "'\(object)' has: \(verbs.joined(separator: ", "))")
            } else {
                error(
                    "'\(object)' needs a verb", at: location, hint: "'\(object)' has: \(verbs.joined(separator: ", "))")
            }
            return nil
        } else if let keyword = lexed.word(current, in: Parser.keywordTable) {
            // A statement's keyword where a command or value belongs (`let x = for …`).
            error(
                "'\(keyword)' is a statement, not a command", at: location,
                hint: keyword == "if"
                    ? "'if' begins a line, or gives a value first in ( ) or after '=': (if COND { … } else { … })"
                    : "'\(keyword)' begins a line (or follows ';' or '{'); run 'help \(keyword)'")
            return nil
        } else {
            shared = nil
            path = [words[0]]
            advance()
            unresolved.append((words[0], location))
        }
        var call = CommandCall(path: path, arguments: [], location: location, shared: shared)
        var positional = 0
        while !atStatementEnd {
            if let w = currentFlagWord, let (name, inline) = Parser.flagParts(w) {
                let flagToken = current
                let before = diagnostics.count
                advance()
                call.arguments.append(
                    parseFlag(name: name, inline: inline, token: flagToken, spec: shared, call: call.name))
                // After an unknown flag, what follows may be its value: stop rather than guess.
                if diagnostics.count > before { return nil }
                continue
            }
            var kind: ValueKind = .any
            if let shared {
                // Read through the shared reference: a copy of the spec costs a retain per field.
                if positional < shared.spec.positionals.count {
                    kind = shared.spec.positionals[positional].kind
                    if !shared.spec.positionals[positional].isVariadic { positional += 1 }
                } else {
                    error("too many arguments for '\(shared.spec.name)'", hint: "usage: \(Usage.line(shared.spec))")
                    return nil
                }
            }
            guard let value = parseArgument(kind) else { return nil }
            call.arguments.append(.positional(value))
        }
        if let shared {
            var given = 0
            for case .positional in call.arguments { given += 1 }
            if let missing = Parser.requiredPositional(after: given, of: shared.spec),
                !call.arguments.contains(where: {
                    if case .flag("help", _, _) = $0 { return true } else { return false }
                })
            {
                error(
                    "missing <\(missing.name)> for '\(shared.spec.name)'", at: location,
                    hint: "usage: \(Usage.line(shared.spec))")
                return nil
            }
        }
        return call
    }

    /// The current token's text when it is a word that begins with `-`, the only words
    /// `flagParts` accepts.
    var currentFlagWord: String? {
        currentKind == .word && lexed.firstByte(current) == UInt8(ascii: "-") ? lexed.text(of: current) : nil
    }

    /// `--name`, `--name=value`, `-o`: the flag's name and inline value; nil for other words
    /// (including negative numbers and a lone `-`).
    static func flagParts(_ word: String) -> (String, String?)? {
        if word.hasPrefix("--"), word.count > 2 {
            let body = word.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                return (String(body[..<eq]), String(body[body.index(after: eq)...]))
            }
            return (String(body), nil)
        }
        if word.hasPrefix("-"), word.count == 2, let c = word.last, c.isLetter {
            return (String(c), nil)
        }
        return nil
    }

    /// A flag's name as it was most likely typed, once only the name is left: `-o`, `--desc`.
    static func spelling(ofFlag name: String) -> String {
        name.count == 1 ? "-\(name)" : "--\(name)"
    }

    /// The required positional of `spec` that comes after the first `given`, if any.
    static func requiredPositional(after given: Int, of spec: CommandSpec) -> Parameter? {
        var skipped = 0
        for parameter in spec.positionals where !parameter.isOptional {
            if skipped == given { return parameter }
            skipped += 1
        }
        return nil
    }

    mutating func parseFlag(name: String, inline: String?, token: Token, spec shared: SharedSpec?, call: String)
        -> Argument
    {
        let location = token.location
        if name == "help" { return .flag(name: "help", value: nil, at: location) }
        guard let spec = shared?.spec else {
            // A `def`'s flags are bound when it runs; a value follows unless it is a switch.
            return .flag(name: name, value: inline.flatMap { inlineValue($0, of: token, kind: .any) }, at: location)
        }
        guard let flag = spec.flag(named: name) ?? OutputFlag.flag(named: name) else {
            // Named as it was typed: `-x`, `--zz` (without an `=value`).
            let typed = lexed.text(of: token).prefix { $0 != "=" }
            error(
                "unknown flag '\(typed)' for '\(call)'", at: location,
                hint: Suggest.didYouMean(name, in: spec.flags.map(\.name), quote: { "'--\($0)'" })
                    ?? "usage: \(Usage.line(spec))")
            return .flag(name: name, value: nil, at: location)
        }
        if let inline {
            return .flag(name: flag.name, value: inlineValue(inline, of: token, kind: flag.kind ?? .bool), at: location)
        }
        guard let kind = flag.kind else { return .flag(name: flag.name, value: nil, at: location) }
        if atStatementEnd {
            error("'--\(flag.name)' needs a value (\(kind.placeholder))", at: location)
            return .flag(name: flag.name, value: nil, at: location)
        }
        return .flag(name: flag.name, value: parseArgument(kind), at: location)
    }

    /// The value after the `=` of `--name=value`: a word as it is; `$x.path`, parsed again as
    /// a variable; and, when the word ends at the `=` (`--name="two words"`, `--name=$(…)`),
    /// the value written right after it.
    mutating func inlineValue(_ text: String, of token: Token, kind: ValueKind) -> Expression? {
        let word = lexed.text(of: token)
        let prefix = word.dropLast(text.count)
        let at = SourceLocation(
            fileID: token.location.fileID, line: token.location.line,
            column: token.location.column + prefix.unicodeScalars.count)
        if text.isEmpty || text == "$", !current.spaceBefore, !atStatementEnd {
            return parseArgument(kind)
        }
        if text.hasPrefix("$") {
            let end = Int(token.end)
            var inner = Parser(
                source: source, registry: registry, range: (end - text.utf8.count)..<end, line: at.line,
                column: at.column)
            inner.definitions = definitions
            inner.depth = depth
            let value = inner.parsePrimary(argument: true)
            if value != nil, inner.currentKind != .eof {
                inner.error("unexpected \(inner.describe(inner.current)) in the value of '\(prefix.dropLast())'")
            }
            diagnostics += inner.allDiagnostics()
            if inner.tooDeep { abandon() }
            return value
        }
        return .literal(Quantities.parseWord(text) ?? .string(text), text: text, at: at)
    }

    @_optimize(speed) mutating func parseArgument(_ kind: ValueKind) -> Expression? {
        switch kind {
        case .condition:
            rowContext += 1
            defer { rowContext -= 1 }
            return parseExpression()
        case .block:
            guard let block = parseBlock() else { return nil }
            return .block(block)
        default:
            return parsePrimary(argument: true)
        }
    }

    static let operatorList = [
        "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "+", "-", "*", "/", "%", "and", "or", "not", "in", "=",
    ]
    static let operatorTable = WordTable(operatorList)
}
