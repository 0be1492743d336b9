import HLSCore

/// The part of LogQL the simulated Loki answers: a stream selector `{label="value", …}` (matchers
/// `=`, `!=`, `=~`, `!~`, regular expressions anchored at both ends as Prometheus matchers are)
/// followed by line filters (`|=`, `!=`, `|~`, `!~` with a string). Loki's own refusals come in
/// its words (`parse error at line L, col C: …`, logqlmodel.ParseError; the empty-compatible
/// selector of syntax/parser.go); valid LogQL beyond this (parsers, label filters) is refused as
/// not answered by the simulator. Metric queries over such a log query: `LogQLMetricQuery`.
struct LogQLQuery: Sendable, Equatable {
    struct Matcher: Sendable, Equatable {
        enum Kind: String, Sendable {
            case equal = "="
            case notEqual = "!="
            case regex = "=~"
            case notRegex = "!~"
        }
        var label: String
        var kind: Kind
        var value: String

        func matches(_ labels: [String: String]) -> Bool {
            let actual = labels[label] ?? ""
            switch kind {
            case .equal: return actual == value
            case .notEqual: return actual != value
            case .regex: return LogQLQuery.wholeMatch(value, actual)
            case .notRegex: return !LogQLQuery.wholeMatch(value, actual)
            }
        }
    }

    struct LineFilter: Sendable, Equatable {
        enum Kind: String, Sendable {
            case contains = "|="
            case notContains = "!="
            case regex = "|~"
            case notRegex = "!~"
        }
        var kind: Kind
        var value: String

        func keeps(_ line: String) -> Bool {
            switch kind {
            case .contains: return value.isEmpty || line.contains(value)
            case .notContains: return value.isEmpty || !line.contains(value)
            case .regex: return LogQLQuery.firstMatch(value, line)
            case .notRegex: return !LogQLQuery.firstMatch(value, line)
            }
        }
    }

    /// A query refused: `status` 400 and Loki's message.
    struct Refusal: Error, Sendable, Equatable {
        var message: String
    }

    var matchers: [Matcher]
    var filters: [LineFilter]

    func selects(_ labels: [String: String]) -> Bool { matchers.allSatisfy { $0.matches(labels) } }
    func keeps(_ line: String) -> Bool { filters.allSatisfy { $0.keeps(line) } }

    static func wholeMatch(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    static func firstMatch(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.firstMatch(in: text)) != nil
    }

    /// The message of one of Loki's parse errors at the 1-based column `col` of line 1.
    static func parseError(_ col: Int, _ message: String) -> Refusal {
        Refusal(message: "parse error at line 1, col \(col): \(message)")
    }

    static let emptyCompatible = Refusal(
        message:
            "parse error : queries require at least one regexp or equality matcher that does not have an "
            + #"empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will"#)

    /// Parses `text`, a log query, or throws Loki's refusal.
    static func parse(_ text: String) throws(Refusal) -> LogQLQuery {
        var scanner = LogQLScanner(text)
        scanner.skipSpaces()
        guard scanner.peek == "{" else {
            if scanner.atEnd { throw parseError(scanner.column, "syntax error: unexpected $end") }
            if scanner.peek?.isLetter == true {
                // A function (a metric query, which `LogQLExpression` parses) or a bare word.
                let word = scanner.word()
                if LogQLMetricQuery.functions.contains(word) { throw unanswered("metric queries") }
                throw parseError(1, "syntax error: unexpected IDENTIFIER")
            }
            throw parseError(scanner.column, "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end")")
        }
        return try parse(&scanner, inRange: false)
    }

    /// Parses the log query at `scanner` (at its `{`); `inRange`: inside a range aggregation, where
    /// it ends at the range's `[`.
    static func parse(_ scanner: inout LogQLScanner, inRange: Bool) throws(Refusal) -> LogQLQuery {
        scanner.advance()
        var matchers: [Matcher] = []
        while true {
            scanner.skipSpaces()
            if scanner.peek == "}", matchers.isEmpty {
                scanner.advance()
                break
            }
            guard scanner.peek?.isLetter == true || scanner.peek == "_" else {
                throw parseError(
                    scanner.column,
                    "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end"), expecting IDENTIFIER")
            }
            let label = scanner.word()
            scanner.skipSpaces()
            let column = scanner.column
            guard let op = scanner.operatorToken(["=~", "!~", "!=", "="]), let kind = Matcher.Kind(rawValue: op) else {
                throw parseError(
                    column,
                    "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end"), expecting = or != or =~ or !~"
                )
            }
            scanner.skipSpaces()
            let value = try scanner.string(expecting: "STRING")
            matchers.append(Matcher(label: label, kind: kind, value: value))
            scanner.skipSpaces()
            if scanner.peek == "," {
                scanner.advance()
                continue
            }
            guard scanner.peek == "}" else {
                throw parseError(
                    scanner.column,
                    "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end"), expecting } or ,")
            }
            scanner.advance()
            break
        }
        var filters: [LineFilter] = []
        while true {
            scanner.skipSpaces()
            if scanner.atEnd || (inRange && scanner.peek == "[") { break }
            let column = scanner.column
            guard let op = scanner.operatorToken(["|=", "|~", "!=", "!~"]), let kind = LineFilter.Kind(rawValue: op)
            else {
                if scanner.peek == "|" { throw unanswered("parsers, formatters and label filters") }
                // A range outside a range aggregation (`{…}[5m]`); Loki's lexer gives it no line.
                if scanner.peek == "[" { throw unexpectedRange(column) }
                throw parseError(column, "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end")")
            }
            scanner.skipSpaces()
            let value = try scanner.string(expecting: "STRING or ip")
            if kind == .regex || kind == .notRegex, (try? Regex(value)) == nil {
                throw parseError(column, "invalid regular expression \(value)")
            }
            filters.append(LineFilter(kind: kind, value: value))
        }
        for matcher in matchers where matcher.kind == .regex || matcher.kind == .notRegex {
            guard (try? Regex(matcher.value)) != nil else {
                throw Refusal(message: "parse error : error parsing regexp: invalid pattern: `\(matcher.value)`")
            }
        }
        // Loki refuses a selector every stream (or none) would match.
        guard matchers.contains(where: { !$0.matches([:]) }) else { throw emptyCompatible }
        return LogQLQuery(matchers: matchers, filters: filters)
    }

    /// Loki's refusal of a `[range]` where no range aggregation takes it (as for
    /// `min({ foo = "bar" }[5m])` in syntax/parser_test.go): line 0, the range's column.
    static func unexpectedRange(_ column: Int) -> Refusal {
        Refusal(message: "parse error at line 0, col \(column): syntax error: unexpected RANGE")
    }

    /// Valid LogQL the simulated Loki does not answer.
    static func unanswered(_ what: String) -> Refusal {
        Refusal(message: "the simulated Loki answers stream selectors with line filters only, not \(what)")
    }
}

/// Characters of a query with their 1-based column (line 1; LogQL queries are one line here).
struct LogQLScanner {
    let characters: [Character]
    var index = 0

    init(_ text: String) { characters = Array(text) }

    var atEnd: Bool { index >= characters.count }
    var peek: Character? { atEnd ? nil : characters[index] }
    var column: Int { index + 1 }

    mutating func advance() { index += 1 }

    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" || c == "\n" { advance() } }

    mutating func word() -> String {
        var text = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" {
            text.append(c)
            advance()
        }
        return text
    }

    mutating func operatorToken(_ choices: [String]) -> String? {
        for choice in choices {
            let token = Array(choice)
            if index + token.count <= characters.count, Array(characters[index..<(index + token.count)]) == token {
                index += token.count
                return choice
            }
        }
        return nil
    }

    /// A `"…"` (Go escapes `\"`, `\\`, `\n`, `\t`) or `` `…` `` string literal.
    mutating func string(expecting: String) throws(LogQLQuery.Refusal) -> String {
        guard let quote = peek, quote == "\"" || quote == "`" else {
            throw LogQLQuery.parseError(
                column, "syntax error: unexpected \(peek.map(String.init) ?? "$end"), expecting \(expecting)")
        }
        let start = column
        advance()
        var text = ""
        while let c = peek {
            advance()
            if c == quote { return text }
            if c == "\\", quote == "\"", let next = peek {
                advance()
                switch next {
                case "n": text.append("\n")
                case "t": text.append("\t")
                default: text.append(next)
                }
                continue
            }
            text.append(c)
        }
        throw LogQLQuery.parseError(start, "literal not terminated")
    }
}
