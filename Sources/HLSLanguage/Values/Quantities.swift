import HLSCore

/// Literal words that are numbers, durations or sizes, and how sizes print (durations print by
/// `Duration.text` in HLSCore).
///
/// Durations: `500ms`, `90s`, `5m`, `2h`, `1d`, `1w`, and sums like `1h30m` (lowercase units).
/// Sizes: `512M`, `8G`, `100GiB` (binary: K M G T P, KiB…PiB, Ki…Pi) and `10GB` (decimal: KB…PB),
/// `B` for bytes. Uppercase units, so `5m` (minutes) and `5M` (MiB) never collide.
enum Quantities {
    @_optimize(speed) static func parseWord(_ word: String) -> Value? {
        guard let first = word.utf8.first else { return nil }
        if first == UInt8(ascii: "t") || first == UInt8(ascii: "f") || first == UInt8(ascii: "n") {
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: return nil
            }
        }
        let startsNumeric =
            (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            || ((first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) && word.utf8.count > 1
                && word.utf8.dropFirst().first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } == true)
        guard startsNumeric else { return nil }
        if let i = plainInteger(word) { return .int(i) }
        let cleaned = word.replacingUnderscores
        if let i = Int(cleaned) { return .int(i) }
        if cleaned.utf8.contains(UInt8(ascii: ".")), !cleaned.hasSuffix("."), let d = Double(cleaned),
            cleaned.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" })
        {
            return .float(d)
        }
        // A duration ends in a lowercase unit; most sizes end in an uppercase one (`8G`): skip
        // the duration parser when it cannot match (the parser asks this of every numeric word).
        if let last = cleaned.utf8.last, last >= UInt8(ascii: "a") && last <= UInt8(ascii: "z"),
            let d = parseDuration(cleaned)
        {
            return .duration(d)
        }
        return parseSize(cleaned).map(Value.size)
    }

    /// `word` when it is only decimal digits after an optional sign and fits in an `Int`: the
    /// common case, read byte by byte; nil sends everything else (`1_000`, `8G`, too big) the
    /// long way.
    private static func plainInteger(_ word: String) -> Int? {
        var value = 0
        var negative = false
        var digits = 0
        var first = true
        for b in word.utf8 {
            defer { first = false }
            if first && (b == UInt8(ascii: "-") || b == UInt8(ascii: "+")) {
                negative = b == UInt8(ascii: "-")
                continue
            }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            let digit = Int(b - UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            // A negative number accumulates downwards, so `Int.min` is reachable.
            let (next, o2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Whether `word` is written as an integer (digits, `_`, a sign) that `parseWord` could not
    /// hold in 64 bits.
    static func isOversizedInteger(_ word: String) -> Bool {
        var bytes = word.utf8[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") else { return false }
        return bytes.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
            && Int(word.replacingUnderscores) == nil
    }

    static let durationUnits: [(String, Duration)] = [
        ("ns", .nanoseconds(1)), ("us", .microseconds(1)), ("ms", .milliseconds(1)), ("s", .seconds(1)),
        ("m", .seconds(60)), ("h", .seconds(3600)), ("d", .seconds(86400)), ("w", .seconds(604800)),
    ]

    /// The longest duration a value holds, either way: `Int64.max` seconds (about 292 billion
    /// years). Past it, arithmetic and literals are an error, never a trap or a wrap-around.
    static let longestDuration = Duration.seconds(Int64.max)

    static let durationRangeHint = "durations go up to \(longestDuration.text), about 292 billion years"

    static func parseDuration(_ text: String) -> Duration? {
        if case .duration(let d) = durationWord(text) { return d }
        return nil
    }

    /// Whether `word` is written as a duration (`99999999999999999h`) too long to hold.
    static func isOversizedDuration(_ word: String) -> Bool {
        if case .tooLong = durationWord(word.replacingUnderscores) { return true }
        return false
    }

    enum DurationWord {
        case duration(Duration)
        case tooLong
        case invalid
    }

    static func durationWord(_ text: String) -> DurationWord {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" {
            negative = true
            rest = rest.dropFirst()
        }
        var total: Duration? = .zero
        var any = false
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let amount = Double(number) else { return .invalid }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            guard let scale = durationUnits.first(where: { $0.0 == unit })?.1 else { return .invalid }
            rest = rest.dropFirst(unit.count)
            total = total.flatMap { sum in scaled(scale, by: amount, exactly: Int(number)).flatMap { added(sum, $0) } }
            any = true
        }
        guard any else { return .invalid }
        guard let total else { return .tooLong }
        return .duration(negative ? .zero - total : total)
    }

    /// `scale × amount` without the rounding drift of `Duration * Double` (`1w` is exactly
    /// 7 days): whole amounts multiply exactly, fractions are rounded to the nanosecond. Nil past
    /// `longestDuration`.
    static func scaled(_ scale: Duration, by amount: Double, exactly whole: Int?) -> Duration? {
        if let whole {
            let (product, overflow) = scale.attoseconds.multipliedReportingOverflow(by: Int128(whole))
            return overflow ? nil : inRange(Duration(attoseconds: product))
        }
        guard let nanoseconds = Int128(exactly: (Double(scale.attoseconds) / 1e9 * amount).rounded()) else {
            return nil
        }
        let (product, overflow) = nanoseconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : inRange(Duration(attoseconds: product))
    }

    /// `a + b`, nil past `longestDuration`.
    static func added(_ a: Duration, _ b: Duration) -> Duration? {
        let (sum, overflow) = a.attoseconds.addingReportingOverflow(b.attoseconds)
        return overflow ? nil : inRange(Duration(attoseconds: sum))
    }

    static func inRange(_ d: Duration) -> Duration? {
        d <= longestDuration && d >= .zero - longestDuration ? d : nil
    }

    /// A size with its unit (`8G`); a bare number is an int in the language, not a size.
    static func parseSize(_ text: String) -> Int64? {
        // Every unit ends in an ASCII letter: words that do not are not read further.
        guard let last = text.utf8.last, (last | 0x20) >= UInt8(ascii: "a") && (last | 0x20) <= UInt8(ascii: "z") else {
            return nil
        }
        return ByteSize.parse(text)
    }

    /// Whether `word` is written as a size (`9999999999G`) too big to hold.
    static func isOversizedSize(_ word: String) -> Bool {
        ByteSize.read(word.replacingUnderscores) == .tooBig
    }

    /// `8 GiB`, `1.5 GiB`, `512 MiB`, `100 B`.
    static func format(size bytes: Int64) -> String { ByteSize.format(bytes) }
}

extension String {
    /// Byte-wise: `contains("_")` on a String is Foundation's, which bridges to CFString.
    fileprivate var replacingUnderscores: String {
        utf8.contains(UInt8(ascii: "_")) ? String(filter { $0 != "_" }) : self
    }

}
