import HLSCore

/// What a plain YAML scalar reads as: the YAML 1.1 resolution rules hlsh had through Yams'
/// default resolver (docs/adr/0023), in the same order. `yes`/`on` are booleans, `0o17` and
/// `017` octal, `1:30` sexagesimal; timestamps, `<<` and `=` are recognised only so that a string
/// that looks like one is quoted on output (a YAML 1.1 reader such as kubectl's would not read it
/// back as a string).
enum YAMLScalar {
    enum Kind: Equatable { case bool, int, float, merge, null, timestamp, value, string }

    /// The kind of a plain scalar's text.
    static func kind(of text: Substring) -> Kind {
        let b = Array(text.utf8)
        if isBool(b) { return .bool }
        if isInt(b) { return .int }
        if isFloat(b) { return .float }
        if b == [UInt8(ascii: "<"), UInt8(ascii: "<")] { return .merge }
        if isNull(b) { return .null }
        if isTimestamp(b) { return .timestamp }
        if b == [UInt8(ascii: "=")] { return .value }
        return .string
    }

    /// The kind a string is given when written as a plain scalar. As the regular expressions
    /// Yams resolved with, `$` also matches before one final line break, so `"true\n"` counts as
    /// a boolean there and is quoted.
    static func kindWhenWritten(_ text: String) -> Kind {
        let kind = kind(of: Substring(text))
        if kind == .string, let last = text.unicodeScalars.last, isLineBreak(last) {
            var trimmed = Substring(text)
            if trimmed.hasSuffix("\r\n") { trimmed.removeLast(2) } else { trimmed.unicodeScalars.removeLast() }
            return self.kind(of: trimmed)
        }
        return kind
    }

    /// A scalar as a value. Quoted and block scalars are strings; a plain one is typed by its
    /// explicit tag (`!!str 42`) or else by `kind(of:)`; what does not convert (an int beyond
    /// 64 bits) stays a string.
    static func document(_ text: String, tag: String?, plain: Bool) -> Document {
        guard plain else { return .string(text) }
        let kind: Kind
        switch tag {
        case nil: kind = self.kind(of: Substring(text))
        case "tag:yaml.org,2002:null": kind = .null
        case "tag:yaml.org,2002:bool": kind = .bool
        case "tag:yaml.org,2002:int": kind = .int
        case "tag:yaml.org,2002:float": kind = .float
        default: kind = .string
        }
        switch kind {
        case .null: return .null
        case .bool: return bool(text).map(Document.bool) ?? .string(text)
        case .int: return int(text).map(Document.int) ?? .string(text)
        case .float: return double(text).map(Document.double) ?? .string(text)
        case .merge, .timestamp, .value, .string: return .string(text)
        }
    }

    /// Whether a plain scalar with this tag is YAML's null (for `LocatedYAML`).
    static func isNull(_ text: String, tag: String?) -> Bool {
        tag == "tag:yaml.org,2002:null" || (tag == nil && kind(of: Substring(text)) == .null)
    }

    // MARK: Values

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// `0x1f`, `0b101`, `0o17` and `017` (octal), `1_000`, `1:30` (90).
    static func int(_ text: String) -> Int? {
        var digits = Substring(text.filter { $0 != "_" })
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits.removeFirst() }
        let sign = negative ? "-" : ""
        if digits == "0" { return 0 }
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(sign + digits.dropFirst(prefix.count), radix: radix)
        }
        if digits.contains(":") { return sexagesimal(digits, negative: negative).flatMap { Int(exactly: $0) } }
        return Int(sign + digits)
    }

    /// `1.5`, `1e3`, `.5`, `.inf`, `-.inf`, `.nan`, `1:30.5` (90.5).
    static func double(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: break
        }
        var digits = Substring(text.filter { $0 != "_" })
        guard digits.contains(":") else { return Double(digits) }
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits.removeFirst() }
        return sexagesimal(digits, negative: negative)
    }

    /// Base-60 parts, most significant first; only the last may have a fraction.
    private static func sexagesimal(_ digits: Substring, negative: Bool) -> Double? {
        var value = 0.0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard let n = Double(part) else { return nil }
            value = value * 60 + n
        }
        return negative ? -value : value
    }

    // MARK: Resolution rules (each is one of Yams' regular expressions, anchored at both ends)

    private static let boolWords = words(
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
        "off", "Off", "OFF")
    private static let nullWords = words("~", "null", "Null", "NULL", "")
    private static let nanWords = words(".nan", ".NaN", ".NAN")
    private static let infinityWords = words("inf", "Inf", "INF")

    private static func words(_ w: String...) -> Set<[UInt8]> { Set(w.map { Array($0.utf8) }) }

    private static func isBool(_ b: [UInt8]) -> Bool { boolWords.contains(b) }

    /// `~`, `null`, `Null`, `NULL` or nothing.
    private static func isNull(_ b: [UInt8]) -> Bool { nullWords.contains(b) }

    /// What follows the `.` of `.inf` or `-.inf`.
    private static func isInfinity(_ b: [UInt8]) -> Bool { infinityWords.contains(b) }

    /// `[-+]?0b[01_]+ | [-+]?0o?[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
    /// [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
    private static func isInt(_ b: [UInt8]) -> Bool {
        var s = Scanner(b)
        s.sign()
        let start = s.i
        if s.literal("0b") { return s.many(isBinary) && s.atEnd }
        if s.literal("0x") { return s.many(isHex) && s.atEnd }
        s.i = start
        if s.literal("0") {
            let afterZero = s.i
            if s.atEnd { return true }
            _ = s.literal("o")
            if s.many(isOctal) && s.atEnd { return true }
            s.i = afterZero
            return false
        }
        guard s.one(isNonZeroDigit) else { return false }
        s.any(isDigitOrUnderscore)
        if s.atEnd { return true }
        return s.sexagesimalTail() && s.atEnd
    }

    /// `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? |
    /// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
    private static func isFloat(_ b: [UInt8]) -> Bool {
        if nanWords.contains(b) { return true }
        var s = Scanner(b)
        if s.literal(".") {
            if isInfinity(s.rest) { return true }
            // No sign, digits, and an exponent only with an explicit sign.
            guard s.many(isDigitOrUnderscore) else { return false }
            if s.atEnd { return true }
            return s.one { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } && s.one(isSign) && s.many(isDigit)
                && s.atEnd
        }
        s.sign()
        let afterSign = s.i
        if s.literal(".") { return isInfinity(s.rest) }
        s.i = afterSign
        guard s.one(isDigit) else { return false }
        s.any(isDigitOrUnderscore)
        let afterDigits = s.i
        if s.sexagesimalTail() {
            guard s.literal(".") else { return false }
            s.any(isDigitOrUnderscore)
            return s.atEnd
        }
        s.i = afterDigits
        if s.literal(".") { s.any(isDigitOrUnderscore) }
        if s.one({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            _ = s.one(isSign)
            guard s.many(isDigit) else { return false }
        }
        return s.atEnd
    }

    /// `YYYY-MM-DD`, or `YYYY-M-D` followed by `T`/`t`/blanks, `H:MM:SS`, an optional fraction and
    /// an optional zone (`Z`, `+1`, `-05:00`), blanks allowed before the zone.
    private static func isTimestamp(_ b: [UInt8]) -> Bool {
        var s = Scanner(b)
        guard s.digits(4, 4), s.literal("-") else { return false }
        let month = s.i
        if s.digits(2, 2), s.literal("-"), s.digits(2, 2), s.atEnd { return true }
        s.i = month
        guard s.digits(1, 2), s.literal("-"), s.digits(1, 2) else { return false }
        if !s.one({ $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }) {
            guard s.many(isBlank) else { return false }
        }
        guard s.digits(1, 2), s.literal(":"), s.digits(2, 2), s.literal(":"), s.digits(2, 2) else { return false }
        if s.literal(".") { s.any(isDigit) }
        if s.atEnd { return true }
        s.any(isBlank)
        if s.literal("Z") { return s.atEnd }
        guard s.one(isSign), s.digits(1, 2) else { return false }
        if s.literal(":") { guard s.digits(2, 2) else { return false } }
        return s.atEnd
    }

    private static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(c)
    }
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
private func isNonZeroDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "1") && c <= UInt8(ascii: "9") }
private func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == UInt8(ascii: "_") }
private func isBinary(_ c: UInt8) -> Bool { c == UInt8(ascii: "0") || c == UInt8(ascii: "1") || c == UInt8(ascii: "_") }
private func isOctal(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7")) || c == UInt8(ascii: "_")
}
private func isSign(_ c: UInt8) -> Bool { c == UInt8(ascii: "+") || c == UInt8(ascii: "-") }
private func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
private func isHex(_ c: UInt8) -> Bool {
    isDigitOrUnderscore(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
}

/// A cursor over the bytes of one scalar, for the resolution rules above.
private struct Scanner {
    let b: [UInt8]
    var i = 0

    init(_ b: [UInt8]) { self.b = b }

    var atEnd: Bool { i == b.count }
    var rest: [UInt8] { Array(b[i...]) }

    /// Consumes `text` if the bytes continue with it.
    mutating func literal(_ text: String) -> Bool {
        let t = Array(text.utf8)
        guard b.count - i >= t.count, Array(b[i..<i + t.count]) == t else { return false }
        i += t.count
        return true
    }

    mutating func one(_ test: (UInt8) -> Bool) -> Bool {
        guard i < b.count, test(b[i]) else { return false }
        i += 1
        return true
    }

    /// Zero or more.
    mutating func any(_ test: (UInt8) -> Bool) {
        while i < b.count, test(b[i]) { i += 1 }
    }

    /// One or more.
    mutating func many(_ test: (UInt8) -> Bool) -> Bool {
        let start = i
        any(test)
        return i > start
    }

    mutating func sign() { _ = one(isSign) }

    /// Between `min` and `max` decimal digits.
    mutating func digits(_ min: Int, _ max: Int) -> Bool {
        var n = 0
        while n < max, one(isDigit) { n += 1 }
        return n >= min
    }

    /// `(:[0-5]?[0-9])+`
    mutating func sexagesimalTail() -> Bool {
        var parts = 0
        while true {
            let start = i
            guard literal(":") else { break }
            let digitsStart = i
            if one({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "5") }), one(isDigit) {
                parts += 1
                continue
            }
            i = digitsStart
            guard one(isDigit) else {
                i = start
                break
            }
            parts += 1
        }
        return parts > 0
    }
}
