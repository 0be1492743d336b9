import HLSCore

/// Literal words that are numbers, durations or sizes, and how those print.
///
/// Durations: `500ms`, `90s`, `5m`, `2h`, `1d`, `1w`, and sums like `1h30m` (lowercase units).
/// Sizes: `512M`, `8G`, `100GiB` (binary: K M G T P, KiB…PiB, Ki…Pi) and `10GB` (decimal: KB…PB),
/// `B` for bytes. Uppercase units, so `5m` (minutes) and `5M` (MiB) never collide.
enum Quantities {
    static func parseWord(_ word: String) -> Value? {
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

    static func parseDuration(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" {
            negative = true
            rest = rest.dropFirst()
        }
        var total: Duration = .zero
        var any = false
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            guard let scale = durationUnits.first(where: { $0.0 == unit })?.1 else { return nil }
            rest = rest.dropFirst(unit.count)
            total += scaled(scale, by: amount, exactly: Int(number))
            any = true
        }
        guard any else { return nil }
        return negative ? .zero - total : total
    }

    /// `scale × amount` without the rounding drift of `Duration * Double` (`1w` is exactly
    /// 7 days): whole amounts multiply exactly, fractions are rounded to the nanosecond.
    static func scaled(_ scale: Duration, by amount: Double, exactly whole: Int?) -> Duration {
        if let whole { return scale * whole }
        let (seconds, atto) = scale.components
        let nanoseconds = (Double(seconds) * 1e9 + Double(atto / 1_000_000_000)) * amount
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }

    /// A size with its unit (`8G`); a bare number is an int in the language, not a size.
    static func parseSize(_ text: String) -> Int64? {
        guard let last = text.last, last.isLetter else { return nil }
        return ByteSize.parse(text)
    }

    /// `1h30m`, `90s` → `1m30s`, `250ms`, `0s`.
    static func format(_ d: Duration) -> String {
        let (seconds, atto) = d.components
        if seconds < 0 || (seconds == 0 && atto < 0) { return "-" + format(.zero - d) }
        if seconds == 0 {
            let ns = atto / 1_000_000_000
            if ns == 0 { return "0s" }
            if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
            // Measured times (elapsed, waited) rarely fall on a unit: show them to the
            // millisecond, or to the microsecond below one.
            if ns >= 1_000_000 { return "\((ns + 500_000) / 1_000_000)ms" }
            if ns % 1_000 == 0 || ns >= 1_000 { return "\((ns + 500) / 1_000)us" }
            return "\(ns)ns"
        }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        let ms = atto / 1_000_000_000_000_000
        if rest > 0 || ms > 0 || out.isEmpty {
            out += ms > 0 ? "\(rest).\(String(format3: ms))s" : "\(rest)s"
        }
        return out
    }

    /// `8 GiB`, `1.5 GiB`, `512 MiB`, `100 B`.
    static func format(size bytes: Int64) -> String { ByteSize.format(bytes) }

    /// Whole nanoseconds (durations in hls never need finer).
    static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, atto) = d.components
        return seconds * 1_000_000_000 + atto / 1_000_000_000
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}

extension String {
    /// Byte-wise: `contains("_")` on a String is Foundation's, which bridges to CFString.
    fileprivate var replacingUnderscores: String {
        utf8.contains(UInt8(ascii: "_")) ? String(filter { $0 != "_" }) : self
    }

    fileprivate init(format3 value: Int64) {
        var text = String(value)
        while text.count < 3 { text = "0" + text }
        while text.hasSuffix("0") { text.removeLast() }
        self = text
    }
}
