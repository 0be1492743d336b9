import HLSCore

extension Parser {
    @_optimize(speed) mutating func parseExpression() -> Expression? {
        // A one-token value followed by anything but a word (`,`, `}`, `]`, end of line) has no
        // operator after it: skip the ladder of operator levels, which would each find none.
        switch currentKind {
        case .rawString, .template, .variable:
            if token(at: index + 1).kind != .word { return parsePrimary() }
        case .word:
            if token(at: index + 1).kind != .word, !isWord("not"), !isWord("-") { return parsePrimary() }
        default: break
        }
        return parseOr()
    }

    @_optimize(speed) private mutating func parseOr() -> Expression? {
        guard var left = parseAnd() else { return nil }
        while isWord("or") {
            let at = currentLocation
            advance()
            guard let right = parseAnd() else { return nil }
            left = .binary(op: "or", left, right, at: at)
        }
        return left
    }

    @_optimize(speed) private mutating func parseAnd() -> Expression? {
        guard var left = parseNot() else { return nil }
        while isWord("and") {
            let at = currentLocation
            advance()
            guard let right = parseNot() else { return nil }
            left = .binary(op: "and", left, right, at: at)
        }
        return left
    }

    @_optimize(speed) private mutating func parseNot() -> Expression? {
        if isWord("not") {
            let at = currentLocation
            advance()
            guard let operand = parseNot() else { return nil }
            return .unary(op: "not", operand, at: at)
        }
        return parseComparison()
    }

    static let comparisons = WordTable(["==", "!=", "<", "<=", ">", ">=", "=~", "!~", "in"])

    @_optimize(speed) private mutating func parseComparison() -> Expression? {
        guard let left = parseAdditive() else { return nil }
        if let op = lexed.word(current, in: Parser.comparisons) {
            let at = currentLocation
            advance()
            guard let right = parseAdditive() else { return nil }
            if lexed.word(current, in: Parser.comparisons) != nil {
                error("comparisons do not chain; combine them with 'and'")
                return nil
            }
            return .binary(op: op, left, right, at: at)
        }
        return left
    }

    @_optimize(speed) private mutating func parseAdditive() -> Expression? {
        guard var left = parseMultiplicative() else { return nil }
        while isWord("+") || isWord("-") {
            let op = currentWord!
            let at = currentLocation
            advance()
            guard let right = parseMultiplicative() else { return nil }
            left = .binary(op: op, left, right, at: at)
        }
        return left
    }

    @_optimize(speed) private mutating func parseMultiplicative() -> Expression? {
        guard var left = parseUnary() else { return nil }
        while isWord("*") || isWord("/") || isWord("%") {
            let op = currentWord!
            let at = currentLocation
            advance()
            guard let right = parseUnary() else { return nil }
            left = .binary(op: op, left, right, at: at)
        }
        return left
    }

    @_optimize(speed) private mutating func parseUnary() -> Expression? {
        if isWord("-") {
            let at = currentLocation
            advance()
            guard let operand = parseUnary() else { return nil }
            return .unary(op: "-", operand, at: at)
        }
        return parsePrimary()
    }

    /// A single value. In argument position (`argument: true`) and inside list and record
    /// literals, a bare word is a string; in an expression it names a row field (inside
    /// `where`, `sort`, `wait --until`) and is an error elsewhere.
    @_optimize(speed) mutating func parsePrimary(argument: Bool = false) -> Expression? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        let token = current
        let at = token.location
        var result: Expression
        switch token.kind {
        case .word:
            let w = lexed.text(of: token)
            advance()
            // Only a word that begins like a number can be one too big to hold.
            let first = lexed.firstByte(token)
            let numeric =
                (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
            if let value = Quantities.parseWord(w) {
                result = .literal(value, text: w, at: at)
            } else if numeric && Quantities.isOversizedInteger(w) {
                error("integer \(w) is too big", at: at, hint: "integers go from \(Int.min) to \(Int.max)")
                return nil
            } else if numeric && Quantities.isOversizedDuration(w) {
                error("duration \(w) is too long", at: at, hint: Quantities.durationRangeHint)
                return nil
            } else if numeric && Quantities.isOversizedSize(w) {
                error("size \(w) is too big", at: at, hint: ByteSize.rangeHint)
                return nil
            } else if argument || bareWordsAreStrings > 0 {
                if !argument && lexed.word(token, in: Parser.operatorTable) != nil {
                    error("expected a value, found '\(w)'", at: at)
                    return nil
                }
                result = .literal(.string(w), text: w, at: at)
            } else if lexed.word(token, in: Parser.operatorTable) != nil {
                error("expected a value, found '\(w)'", at: at)
                return nil
            } else if rowContext > 0 {
                if w.hasPrefix(".") {
                    error("expected a field name, found '\(w)'", at: at)
                    return nil
                }
                let parts = Parser.dottedParts(w)
                result = .bareName(parts[0], at: at)
                if parts.count > 1 { result = .field(result, path: Array(parts.dropFirst()), at: at) }
            } else {
                let isCommand = registry.resolve([w]) != nil || registry.objects[w] != nil || definitions.contains(w)
                error(
                    "bare word '\(w)' in an expression", at: at,
                    hint: isCommand
                        ? "to use a command's value, wrap it: (\(w) …)"
                        : "quote text (\"\(w)\") or use a variable ($\(w))")
                return nil
            }
        case .rawString:
            let s = lexed.strings[Int(token.payload)]
            advance()
            result = .literal(.string(s), text: s, at: at)
        case .template:
            let parts = lexed.parts(of: token)
            advance()
            result = parseTemplate(parts, at: at)
        case .variable:
            let (name, path) = lexed.variables[Int(token.payload)]
            advance()
            result = .variable(name: name, path: path, at: at)
        case .lparen:
            advance()
            while currentKind == .newline { advance() }
            let savedRow = rowContext
            rowContext = 0
            defer { rowContext = savedRow }
            guard let inner = parsePipeline() else { return nil }
            while currentKind == .newline { advance() }
            if currentKind == .eof {
                reportUnclosed(token)
                return nil
            }
            guard expect(.rparen, "')'") else { return nil }
            result = .subpipeline(inner, at: at)
        case .lbracket:
            advance()
            bareWordsAreStrings += 1
            defer { bareWordsAreStrings -= 1 }
            var items: [Expression] = []
            while currentKind == .newline || currentKind == .comma { advance() }
            while currentKind != .rbracket {
                if currentKind == .eof {
                    reportUnclosed(token)
                    return nil
                }
                guard let item = parseExpression() else { return nil }
                items.append(item)
                while currentKind == .newline || currentKind == .comma { advance() }
            }
            advance()
            result = .list(items, at: at)
        case .lbrace:
            if looksLikeRecord() {
                guard let record = parseRecord() else { return nil }
                result = record
            } else {
                guard let block = parseBlock() else { return nil }
                return .block(block)
            }
        default:
            error("expected a value, found \(describe(token))", at: at)
            return nil
        }
        // `(expr).field.0` — a field path glued to the value.
        while currentKind == .word, lexed.firstByte(current) == UInt8(ascii: "."), let w = currentWord,
            w.hasPrefix("."),
            w.count > 1, !current.spaceBefore
        {
            let fieldAt = currentLocation
            advance()
            result = .field(result, path: w.dropFirst().split(separator: ".").map(String.init), at: fieldAt)
        }
        return result
    }

    private mutating func looksLikeRecord() -> Bool {
        var i = index + 1
        while token(at: i).kind == .newline { i += 1 }
        switch token(at: i).kind {
        case .rbrace: return true
        case .word:
            let w = lexed.text(of: tokens[i])
            if w.utf8.contains(UInt8(ascii: ":")) && !w.hasPrefix(":") && w.firstRange(of: "://") == nil { return true }
            return token(at: i + 1).kind == .colon
        case .rawString, .template:
            return token(at: i + 1).kind == .colon
        default: return false
        }
    }

    @_optimize(speed) private mutating func parseRecord() -> Expression? {
        let at = currentLocation
        advance()  // {
        bareWordsAreStrings += 1
        defer { bareWordsAreStrings -= 1 }
        var fields: [(key: String, value: Expression)] = []
        while true {
            while currentKind == .newline || currentKind == .comma { advance() }
            if currentKind == .rbrace {
                advance()
                return .record(fields, at: at)
            }
            let keyAt = currentLocation
            var key: String
            switch currentKind {
            case .word: key = lexed.text(of: current)
            case .rawString: key = lexed.strings[Int(current.payload)]
            case .template:
                key = lexed.parts(of: current).map { if case .literal(let t) = $0 { return t } else { return "" } }
                    .joined()
            default:
                error("expected a field name, found \(describe(current))")
                return nil
            }
            advance()
            if currentKind == .colon {
                advance()
            } else if let colon = key.firstIndex(of: ":") {
                // `{a:1}` lexes as one word: split it.
                let valueText = String(key[key.index(after: colon)...])
                key = String(key[..<colon])
                fields.append(
                    (key, .literal(Quantities.parseWord(valueText) ?? .string(valueText), text: valueText, at: keyAt)))
                continue
            } else {
                error("expected ':' after field name '\(key)'")
                return nil
            }
            while currentKind == .newline { advance() }
            guard let value = parseExpression() else { return nil }
            fields.append((key, value))
        }
    }

    @_optimize(speed) private mutating func parseTemplate(_ parts: ArraySlice<TemplatePart>, at: SourceLocation)
        -> Expression
    {
        // Most strings are one piece of text, or empty.
        if parts.isEmpty { return .literal(.string(""), text: "", at: at) }
        if parts.count == 1, case .literal(let t) = parts[parts.startIndex] {
            return .literal(.string(t), text: t, at: at)
        }
        var segments: [TemplateSegment] = []
        segments.reserveCapacity(parts.count)
        for part in parts {
            switch part {
            case .literal(let text):
                segments.append(.text(text))
            case .variable(let name, let path, let loc):
                segments.append(.expression(.variable(name: name, path: path, at: loc)))
            case .subexpression(let start, let end, let loc):
                var inner = Parser(
                    source: source, registry: registry, range: start..<end, line: loc.line, column: loc.column + 2)
                inner.definitions = definitions
                inner.depth = depth
                if let pipeline = inner.parsePipeline() {
                    if inner.currentKind != .eof {
                        inner.error("unexpected \(inner.describe(inner.current)) in $( … )")
                    }
                    segments.append(.expression(.subpipeline(pipeline, at: loc)))
                }
                diagnostics += inner.allDiagnostics()
                unresolved += inner.unresolved
                if inner.tooDeep { abandon() }
            }
        }
        if segments.count == 1, case .text(let t) = segments[0] { return .literal(.string(t), text: t, at: at) }
        if segments.isEmpty { return .literal(.string(""), text: "", at: at) }
        return .template(segments, at: at)
    }
}
