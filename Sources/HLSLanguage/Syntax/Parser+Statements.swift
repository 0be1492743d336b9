import HLSCore

extension Parser {
    /// Statements up to the `}` matching `opener` (a `{` token), or to the end of input.
    @_optimize(speed) mutating func parseStatements(until opener: Token?) -> [Statement] {
        let closer: Token.Kind? = opener == nil ? nil : .rbrace
        var statements: [Statement] = []
        while true {
            if opener == nil { forgetFinishedTokens() }
            skipNewlines()
            if currentKind == .eof {
                if let opener { reportUnclosed(opener) }
                return statements
            }
            if let closer, currentKind == closer { return statements }
            if currentKind == .rbrace || currentKind == .rparen {
                error("unexpected \(describe(current))")
                advance()
                continue
            }
            let before = diagnostics.count
            let start = index
            if let statement = parseStatement(), opener != nil || keepsStatements { statements.append(statement) }
            if diagnostics.count > before {
                recover(from: start)
            } else if !(atStatementEnd && currentKind != .pipe) {
                error("expected end of statement, found \(describe(current))")
                recover(from: start)
            }
            if index == start { advance() }
        }
    }

    @_optimize(speed) mutating func parseBlock() -> Block? {
        let location = currentLocation
        guard currentKind == .lbrace else {
            error("expected '{' to begin a block, found \(describe(current))")
            return nil
        }
        let opener = current
        advance()
        let statements = parseStatements(until: opener)
        if currentKind == .rbrace { advance() }
        return Block(statements: statements, location: location)
    }

    @_optimize(speed) mutating func parseStatement() -> Statement? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        let location = currentLocation
        guard let word = lexed.word(current, in: Parser.keywordTable) else {
            return parsePipeline().map(Statement.pipeline)
        }
        switch word {
        case "let", "set":
            advance()
            guard let name = currentWord, Parser.isIdentifier(name) else {
                if currentKind == .variable {
                    let name = lexed.variables[Int(current.payload)].name
                    error("write '\(word) \(name) = …' without the '$'")
                } else {
                    error("expected a variable name after '\(word)'")
                }
                return nil
            }
            let parts = Parser.dottedParts(name)
            advance()
            guard isWord("=") else {
                error("expected '=' after '\(word) \(name)'")
                return nil
            }
            advance()
            guard let value = parsePipeline() else { return nil }
            if word == "let" {
                if parts.count > 1 { error("'let' binds a plain name; use 'set' to change a field", at: location) }
                return .letBinding(name: parts[0], value: value, at: location)
            }
            return .assignment(name: parts[0], path: Array(parts.dropFirst()), value: value, at: location)
        case "if":
            guard let (branches, otherwise) = parseIf() else { return nil }
            return .ifElse(branches: branches, otherwise: otherwise, at: location)
        case "for":
            advance()
            return parseFor(parallel: nil, at: location)
        case "parallel":
            advance()
            guard isWord("for") else {
                error("expected 'for' after 'parallel'", hint: "parallel for x in $list --limit 4 { … }")
                return nil
            }
            advance()
            return parseFor(parallel: .literal(.int(4), text: "4", at: location), at: location)
        case "while":
            advance()
            guard let condition = parseCondition(after: "while"), let body = parseBlock() else { return nil }
            return .whileLoop(condition: condition, body: body, at: location)
        case "break":
            advance()
            return .breakLoop(at: location)
        case "continue":
            advance()
            return .continueLoop(at: location)
        case "return":
            advance()
            if atStatementEnd { return .returnValue(nil, at: location) }
            return .returnValue(parseExpression(), at: location)
        case "def":
            advance()
            return parseDefinition(at: location)
        case "phase":
            advance()
            guard let name = parseOperand(of: "phase", naming: "a name", example: #"phase "1 provision" { … }"#),
                let body = parseBlock()
            else { return nil }
            return .phase(name: name, body: body, at: location)
        case "retry":
            advance()
            guard
                let attempts = parseOperand(
                    of: "retry", naming: "the number of attempts", example: "retry 3 --delay 10s { … }")
            else { return nil }
            var delay: Expression? = nil
            if isWord("--delay") {
                advance()
                delay = parsePrimary()
            }
            guard let body = parseBlock() else { return nil }
            return .retry(attempts: attempts, delay: delay, body: body, at: location)
        case "try":
            advance()
            guard let body = parseBlock() else { return nil }
            let save = index
            while currentKind == .newline { advance() }
            guard isWord("catch") else {
                index = save
                return .tryCatch(body: body, errorName: nil, handler: nil, at: location)
            }
            advance()
            var name: String? = nil
            if let w = currentWord, Parser.isIdentifier(w) {
                name = w
                advance()
            } else if currentKind == .variable {
                name = lexed.variables[Int(current.payload)].name
                advance()
            }
            guard let handler = parseBlock() else { return nil }
            return .tryCatch(body: body, errorName: name, handler: handler, at: location)
        case "assert":
            advance()
            guard let condition = parseExpression() else { return nil }
            var message: Expression? = nil
            if !atStatementEnd { message = parsePrimary() }
            return .assertion(condition: condition, message: message, at: location)
        case "source":
            advance()
            guard let path = parseOperand(of: "source", naming: "a file", example: #"source "lib/common.hls""#) else {
                return nil
            }
            noteSourced(path)
            return .source(path: path, at: location)
        case "exit":
            advance()
            if atStatementEnd { return .exit(code: nil, at: location) }
            return .exit(code: parseExpression(), at: location)
        case "elif", "else", "catch", "in":
            error("'\(word)' without the statement it belongs to")
            return nil
        default:
            return parsePipeline().map(Statement.pipeline)
        }
    }

    /// `if COND { … } elif COND { … } else { … }`, from the `if`: a statement, or the first
    /// value of a pipeline (`let x = if …`, `(if … )`), where it is the chosen block's value.
    @_optimize(speed) mutating func parseIf() -> (branches: [(Expression, Block)], otherwise: Block?)? {
        advance()
        var branches: [(Expression, Block)] = []
        guard let condition = parseCondition(after: "if"), let body = parseBlock() else { return nil }
        branches.append((condition, body))
        var otherwise: Block? = nil
        while true {
            // `elif`/`else` may follow the closing brace on the same line or the next one.
            let save = index
            while currentKind == .newline { advance() }
            if isWord("elif") {
                advance()
                guard let c = parseCondition(after: "elif"), let b = parseBlock() else { return nil }
                branches.append((c, b))
            } else if isWord("else") {
                advance()
                if isWord("if") {
                    error("write 'elif', not 'else if'", hint: "hls uses 'elif COND { … }'")
                    return nil
                }
                otherwise = parseBlock()
                break
            } else {
                index = save
                break
            }
        }
        return (branches, otherwise)
    }

    /// The condition of `if`/`elif`/`while`; a `{` right after the keyword means it is missing
    /// (rather than an empty record).
    mutating func parseCondition(after keyword: String) -> Expression? {
        if currentKind == .lbrace || atStatementEnd {
            error("expected a condition after '\(keyword)'", hint: "\(keyword) $x > 1 { … }")
            return nil
        }
        return parseExpression()
    }

    /// The value after `phase`/`retry`, before its block.
    mutating func parseOperand(of keyword: String, naming what: String, example: String) -> Expression? {
        if currentKind == .lbrace || atStatementEnd {
            error("expected \(what) after '\(keyword)'", hint: example)
            return nil
        }
        return parsePrimary()
    }

    @_optimize(speed) mutating func parseFor(parallel: Expression?, at location: SourceLocation) -> Statement? {
        let variable: String
        if let w = currentWord, Parser.isIdentifier(w) && lexed.word(current, in: Parser.keywordTable) == nil {
            variable = w
        } else if currentKind == .variable, lexed.variables[Int(current.payload)].path.isEmpty {
            variable = lexed.variables[Int(current.payload)].name
        } else {
            error("expected a loop variable after 'for'")
            return nil
        }
        advance()
        guard isWord("in") else {
            error("expected 'in' after 'for \(variable)'")
            return nil
        }
        advance()
        guard let sequence = parseExpression() else { return nil }
        var limit = parallel
        if parallel != nil, isWord("--limit") {
            advance()
            limit = parsePrimary()
        }
        guard let body = parseBlock() else { return nil }
        return .forLoop(variable: variable, sequence: sequence, body: body, parallel: limit, at: location)
    }

    @_optimize(speed) mutating func parseDefinition(at location: SourceLocation) -> Statement? {
        let form = "def NAME(a, b = 1, --force) { … }: a name, the parameters in parentheses, then the body"
        guard let name = currentWord, Parser.isCommandName(name) else {
            error("expected a procedure name after 'def'", hint: form)
            return nil
        }
        if registry.spec(name) != nil || registry.objects[name] != nil {
            error("'\(name)' is already a command", hint: "choose another name for this procedure")
        }
        advance()
        var parameters: [Definition.Parameter] = []
        if currentKind == .lparen && !current.spaceBefore || currentKind == .lparen {
            advance()
            while currentKind != .rparen && currentKind != .eof {
                guard var p = currentWord else {
                    error("expected a parameter name, found \(describe(current))")
                    return nil
                }
                let isSwitch = p.hasPrefix("--")
                if isSwitch { p.removeFirst(2) }
                guard Parser.isIdentifier(p) else {
                    error("'\(p)' is not a valid parameter name")
                    return nil
                }
                advance()
                var defaultValue: Expression? = nil
                if isWord("=") {
                    advance()
                    defaultValue = parsePrimary()
                }
                parameters.append(.init(name: p, defaultValue: defaultValue, isSwitch: isSwitch))
                if currentKind == .comma { advance() }
            }
            guard expect(.rparen, "')' to close the parameter list") else { return nil }
        }
        definitions.insert(name)
        if currentKind != .lbrace {
            error(
                "expected '{' to begin the body of '\(name)', found \(describe(current))",
                hint: parameters.isEmpty && currentKind == .word
                    ? "parameters go in parentheses: def \(name)(a, b = 1, --force) { … }" : nil)
            return nil
        }
        guard let body = parseBlock() else { return nil }
        return .definition(Definition(name: name, parameters: parameters, body: body, location: location))
    }

    /// `a.b.c` split at its dots; a name without a dot (the usual case) as it is.
    static func dottedParts(_ name: String) -> [String] {
        name.utf8.contains(UInt8(ascii: ".")) ? name.split(separator: ".").map(String.init) : [name]
    }

    static func isIdentifier(_ word: String) -> Bool { isName(word, extra: UInt8(ascii: ".")) }

    static func isCommandName(_ word: String) -> Bool { isName(word, extra: UInt8(ascii: "-")) }

    /// A letter or `_`, then letters, digits, `_` and `extra`. ASCII is checked byte by byte;
    /// only a word with other characters pays for Unicode's letter properties.
    private static func isName(_ word: String, extra: UInt8) -> Bool {
        var word = word
        return word.withUTF8 { isASCIIName($0, extra: extra) } ?? isUnicodeName(word, extra: Unicode.Scalar(extra))
    }

    /// `isName` of the word `bytes` spell when they are ASCII; nil when they are not (the
    /// caller then asks `isUnicodeName`).
    static func isASCIIName(_ utf8: UnsafeBufferPointer<UInt8>, extra: UInt8) -> Bool? {
        guard let first = utf8.first else { return false }
        if first >= 0x80 { return nil }
        guard first == UInt8(ascii: "_") || isASCIILetter(first) else { return false }
        for b in utf8.dropFirst() {
            if b >= 0x80 { return nil }
            guard
                isASCIILetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
                    || b == extra
            else { return false }
        }
        return true
    }

    private static func isASCIILetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    private static func isUnicodeName(_ word: String, extra: Unicode.Scalar) -> Bool {
        guard let first = word.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return word.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == extra || $0.properties.isAlphabetic || ("0"..."9").contains($0)
        }
    }
}
