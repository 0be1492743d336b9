extension Duration {
    /// `1h30m`, `90s` → `1m30s`, `250ms`, `0s`: how durations print in hlsh, in values, progress
    /// lines and messages. Measured times (elapsed, waited) show to the millisecond, or to the
    /// microsecond below one.
    public var text: String {
        if self < .zero { return "-" + (.zero - self).text }
        let seconds = wholeSeconds
        let atto = Int64(attoseconds % 1_000_000_000_000_000_000)
        if seconds == 0 {
            let ns = atto / 1_000_000_000
            if ns == 0 { return "0s" }
            if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
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
            out += ms > 0 ? "\(rest).\(Self.fraction(milliseconds: ms))s" : "\(rest)s"
        }
        return out
    }

    /// `5` → `005`, `250` → `25`: milliseconds as a decimal fraction without trailing zeros.
    private static func fraction(milliseconds: Int64) -> String {
        var text = String(milliseconds)
        while text.count < 3 { text = "0" + text }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
