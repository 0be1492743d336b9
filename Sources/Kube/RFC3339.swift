/// RFC 3339 timestamps as the Kubernetes API writes them (`2026-05-01T12:00:00Z`, with optional
/// fractional seconds and a `±hh:mm` offset), as seconds since the Unix epoch.
public enum RFC3339 {
    public static func seconds(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<(from + count)] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 20, let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
            let day = number(8, 2), chars[10] == 84 || chars[10] == 116 || chars[10] == 32, let hour = number(11, 2),
            chars[13] == 58, let minute = number(14, 2), chars[16] == 58, let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count && chars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48 && chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < chars.count else { return nil }
        var offset = 0
        switch chars[index] {
        case 90, 122:  // Z z
            guard index + 1 == chars.count else { return nil }
        case 43, 45:  // + -
            guard index + 6 == chars.count, let h = number(index + 1, 2), chars[index + 3] == 58,
                let m = number(index + 4, 2)
            else { return nil }
            offset = (h * 60 + m) * 60 * (chars[index] == 43 ? 1 : -1)
        default:
            return nil
        }
        // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds) for `seconds` since the epoch, as the API
    /// writes times (Howard Hinnant's civil_from_days).
    public static func format(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let second = total - days * 86400
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RFC3339 {
    /// The time now as `format` writes it (UTC, whole seconds): as sops writes `lastmodified`
    /// and age-keygen `# created:`.
    public static func now() -> String { format(Double(time(nil))) }

    /// The time now as Go's `time.RFC3339Nano` writes it in UTC (`2026-05-01T12:00:00.123456789Z`,
    /// trailing zeros of the fraction dropped): the token flux writes into
    /// `reconcile.fluxcd.io/requestedAt`.
    public static func nowNano() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var fraction = pad(Int(ts.tv_nsec), 9)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + (fraction.isEmpty ? "" : ".\(fraction)") + "Z"
    }
}
