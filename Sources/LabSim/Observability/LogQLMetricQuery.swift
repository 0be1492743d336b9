import HLSCore

/// The LogQL metric queries the simulated Loki answers: a range aggregation of a log query
/// (`count_over_time`, `rate`, `bytes_over_time`, `bytes_rate` of `{…} |= "…" [5m]`), possibly
/// inside vector aggregations (`sum`, `count`, `min`, `max`, `avg`), grouped with `by (…)` or
/// `without (…)` before or after their parenthesis (syntax/expr.y). Loki's other functions
/// (`topk`, `sum_over_time`, …) and binary operations are refused as not answered by the
/// simulator; malformed queries get Loki's own words (syntax/parser_test.go).
indirect enum LogQLMetricQuery: Sendable, Equatable {
    enum RangeOperation: String, Sendable, CaseIterable {
        case countOverTime = "count_over_time"
        case rate
        case bytesOverTime = "bytes_over_time"
        case bytesRate = "bytes_rate"
    }

    enum VectorOperation: String, Sendable, CaseIterable {
        case sum, count, min, max, avg
    }

    /// `by (a, b)` keeps only those labels; `without (a, b)` drops them.
    struct Grouping: Sendable, Equatable {
        var without: Bool
        var labels: [String]
    }

    /// An aggregation over `[range]` nanoseconds of each stream of a log query.
    case range(RangeOperation, LogQLQuery, range: Int64)
    /// An aggregation across the series of a metric query; nil grouping: one series, no labels.
    case vector(VectorOperation, Grouping?, LogQLMetricQuery)

    /// Every function name of LogQL's metric queries, answered or not.
    static let functions: Set<String> =
        Set(RangeOperation.allCases.map(\.rawValue) + VectorOperation.allCases.map(\.rawValue)).union([
            "topk", "bottomk", "stddev", "stdvar", "sort", "sort_desc", "approx_topk", "sum_over_time",
            "avg_over_time", "max_over_time", "min_over_time", "first_over_time", "last_over_time",
            "stdvar_over_time", "stddev_over_time", "quantile_over_time", "absent_over_time", "rate_counter",
            "label_replace", "vector",
        ])

    /// Parses `text` as a metric query; nil when it is a log query (it starts with `{`).
    static func parse(_ text: String) throws(LogQLQuery.Refusal) -> LogQLMetricQuery? {
        var scanner = LogQLScanner(text)
        scanner.skipSpaces()
        guard scanner.peek != "{" else { return nil }
        guard scanner.peek?.isLetter == true else {
            // Not a function: the log query parser gives Loki's words for what it is.
            _ = try LogQLQuery.parse(text)
            return nil
        }
        let query = try expression(&scanner, depth: 0)
        scanner.skipSpaces()
        if let c = scanner.peek {
            if "+-*/%^=!<>".contains(c) || scanner.word() != "" {
                throw LogQLQuery.unanswered("binary operations")
            }
            throw LogQLQuery.parseError(scanner.column, "syntax error: unexpected \(c)")
        }
        return query
    }

    /// How deep aggregations may nest: the parser, the evaluation and the log query each recurse
    /// once per level, so a query of thousands of `sum(` would overflow the handler's stack.
    static let maximumDepth = 32

    private static func expression(_ scanner: inout LogQLScanner, depth: Int) throws(LogQLQuery.Refusal)
        -> LogQLMetricQuery
    {
        scanner.skipSpaces()
        let column = scanner.column
        guard scanner.peek?.isLetter == true else {
            throw unexpected(&scanner, scanner.peek.map(String.init) ?? "$end")
        }
        guard depth < maximumDepth else {
            throw LogQLQuery.Refusal(message: "the simulated Loki nests aggregations at most \(maximumDepth) deep")
        }
        let word = scanner.word()
        if let operation = RangeOperation(rawValue: word) {
            try open(&scanner)
            scanner.skipSpaces()
            guard scanner.peek == "{" else { throw unexpected(&scanner, scanner.peek.map(String.init) ?? "$end") }
            let log = try LogQLQuery.parse(&scanner, inRange: true)
            guard scanner.peek == "[" else { throw unexpected(&scanner, scanner.peek.map(String.init) ?? "$end") }
            let range = try duration(&scanner)
            try close(&scanner)
            scanner.skipSpaces()
            if scanner.peek?.isLetter == true {
                var lookahead = scanner
                if ["by", "without"].contains(lookahead.word()) {
                    throw LogQLQuery.Refusal(message: "parse error : grouping not allowed for \(word) aggregation")
                }
            }
            return .range(operation, log, range: range)
        }
        if let operation = VectorOperation(rawValue: word) {
            var grouping = try self.grouping(&scanner)
            try open(&scanner)
            scanner.skipSpaces()
            if scanner.peek == "{" {
                // `min({…}[5m])`: a range with no range aggregation to take it.
                _ = try LogQLQuery.parse(&scanner, inRange: true)
                if scanner.peek == "[" { throw LogQLQuery.unexpectedRange(scanner.column) }
                throw unexpected(&scanner, scanner.peek.map(String.init) ?? "$end")
            }
            if scanner.peek?.isNumber == true { throw LogQLQuery.unanswered("parameters of \(word)") }
            let inner = try expression(&scanner, depth: depth + 1)
            try close(&scanner)
            if grouping == nil { grouping = try self.grouping(&scanner) }
            return .vector(operation, grouping, inner)
        }
        if functions.contains(word) { throw LogQLQuery.unanswered(word) }
        throw LogQLQuery.parseError(column, "syntax error: unexpected IDENTIFIER")
    }

    /// `by (a, b)` or `without (a, b)` if it comes next.
    private static func grouping(_ scanner: inout LogQLScanner) throws(LogQLQuery.Refusal) -> Grouping? {
        scanner.skipSpaces()
        var lookahead = scanner
        let word = lookahead.word()
        guard word == "by" || word == "without" else { return nil }
        scanner = lookahead
        try open(&scanner)
        var labels: [String] = []
        while true {
            scanner.skipSpaces()
            if scanner.peek == ")", labels.isEmpty {
                scanner.advance()
                break
            }
            guard scanner.peek?.isLetter == true || scanner.peek == "_" else {
                throw LogQLQuery.parseError(
                    scanner.column,
                    "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end"), expecting IDENTIFIER or )")
            }
            labels.append(scanner.word())
            scanner.skipSpaces()
            if scanner.peek == "," {
                scanner.advance()
                continue
            }
            try close(&scanner)
            break
        }
        return Grouping(without: word == "without", labels: labels)
    }

    private static func open(_ scanner: inout LogQLScanner) throws(LogQLQuery.Refusal) {
        scanner.skipSpaces()
        guard scanner.peek == "(" else {
            throw LogQLQuery.parseError(
                scanner.column,
                "syntax error: unexpected \(scanner.peek.map(String.init) ?? "$end"), expecting (")
        }
        scanner.advance()
    }

    private static func close(_ scanner: inout LogQLScanner) throws(LogQLQuery.Refusal) {
        scanner.skipSpaces()
        guard scanner.peek == ")" else { throw unexpected(&scanner, scanner.peek.map(String.init) ?? "$end") }
        scanner.advance()
    }

    /// goyacc's message when more than four tokens could come: only what came.
    private static func unexpected(_ scanner: inout LogQLScanner, _ token: String) -> LogQLQuery.Refusal {
        let word = scanner.peek?.isLetter == true ? "IDENTIFIER" : token == "\"" ? "STRING" : token
        return LogQLQuery.parseError(scanner.column, "syntax error: unexpected \(word)")
    }

    /// `[5m]` in nanoseconds: Prometheus's duration (units ms, s, m, h, d, w, y, several in
    /// decreasing order: `1h30m`), with Loki's words for a bad one (line 0, the column of `[`).
    private static func duration(_ scanner: inout LogQLScanner) throws(LogQLQuery.Refusal) -> Int64 {
        let column = scanner.column
        scanner.advance()
        var text = ""
        while let c = scanner.peek, c != "]" {
            text.append(c)
            scanner.advance()
        }
        guard scanner.peek == "]" else {
            throw LogQLQuery.Refusal(message: "parse error at line 0, col \(column): missing closing ']' in duration")
        }
        scanner.advance()
        guard let nanoseconds = parseDuration(text) else {
            let unit = text.drop { $0.isNumber }.prefix { !$0.isNumber }
            let message =
                text.first?.isNumber == true && !unit.isEmpty
                ? "unknown unit \"\(unit)\" in duration \"\(text)\"" : "invalid duration \"\(text)\""
            throw LogQLQuery.Refusal(message: "parse error at line 0, col \(column): \(message)")
        }
        return nanoseconds
    }

    /// Prometheus's `model.ParseDuration` in nanoseconds; nil when `text` is none (or zero).
    static func parseDuration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
            ("d", 86_400_000_000_000), ("w", 604_800_000_000_000), ("y", 31_536_000_000_000_000),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnit = Int64.max
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == unitText })?.1, unit < lastUnit else { return nil }
            rest = rest.dropFirst(unitText.count)
            lastUnit = unit
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            let (sum, past) = total.addingReportingOverflow(product)
            guard !past else { return nil }
            total = sum
        }
        return total > 0 ? total : nil
    }
}
