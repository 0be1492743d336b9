public import HLSCore
import HLSFormats

/// How values look: plain text, aligned tables, JSON and YAML.
public enum Render {
    public enum Format: String, Sendable, CaseIterable {
        case table, json, yaml
    }

    /// The text of a scalar as it appears in a string, a table cell or `echo`.
    public static func plain(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return JSONCodec.format(d)
        case .string(let s): return s
        case .duration(let d): return d.text
        case .size(let s): return Quantities.format(size: s)
        case .secret(let s): return s.description
        case .closure: return "{ … }"
        case .list(let items): return "[" + items.map(inline).joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.fields.map { "\($0.key): \(inline($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func inline(_ value: Value) -> String {
        if case .string(let s) = value, s.contains(",") || s.contains(" ") || s.isEmpty {
            var out = ""
            JSONCodec.quote(s, into: &out)
            return out
        }
        if case .null = value { return "null" }
        return plain(value)
    }

    /// A value as the user asked to see it. Strings print as themselves in every format
    /// that is not structured; tables and records become aligned text. `columns` are the
    /// declared columns of the verb that made the value: an empty list shows them as a header
    /// line, so "nothing there" reads differently from "nothing printed" (`[]` in JSON).
    public static func value(_ value: Value, format: Format, terminal: Terminal, columns: [String] = []) -> String {
        switch format {
        case .json:
            return JSONCodec.encode(value.document, pretty: true) + "\n"
        case .yaml:
            return YAMLCodec.encode(value.document)
        case .table:
            switch value {
            case .null: return ""
            case .list(let items) where items.isEmpty && !columns.isEmpty:
                return header(columns, terminal: terminal)
            case .list(let items) where Value.isTable(items):
                return table(
                    items.map { if case .record(let r) = $0 { return r } else { return Record() } }, terminal: terminal)
            case .list(let items):
                return items.map { plain($0) + "\n" }.joined()
            case .record(let r):
                return keyValue(r, terminal: terminal)
            default:
                let text = plain(value)
                return text.hasSuffix("\n") ? text : text + "\n"
            }
        }
    }

    /// The columns of a table: every field that any row has, in the order first seen.
    public static func columns(_ rows: [Record]) -> [String] {
        var columns: [String] = []
        var seen = Set<String>()
        for row in rows {
            for key in row.keys where !seen.contains(key) {
                seen.insert(key)
                columns.append(key)
            }
        }
        return columns
    }

    /// An aligned table; when it is wider than the terminal, one block of `key: value` lines
    /// per row instead, so nothing is ever cut off.
    public static func table(_ rows: [Record], terminal: Terminal) -> String {
        let keys = self.columns(rows)
        let columns = keys.map(visible)
        let cells = rows.map { row in keys.map { cell(row[$0] ?? .null) } }
        var widths = columns.map { displayWidth($0) }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], displayWidth(c)) } }
        let total = widths.reduce(0, +) + 2 * max(0, columns.count - 1)
        if let limit = terminal.width, total > limit, columns.count > 1 {
            return rows.map { keyValue($0, terminal: terminal) }.joined(separator: "\n")
        }
        let numeric = columns.indices.map { i in
            rows.allSatisfy { row in
                switch row[keys[i]] ?? .null {
                case .int, .float, .size, .null: return true
                default: return false
                }
            }
        }
        func line(_ values: [String], header: Bool) -> String {
            var parts: [String] = []
            for (i, v) in values.enumerated() {
                let last = i == values.count - 1
                // Numbers and their headers align right, so digits line up under the header's end.
                let padded = numeric[i] ? leftPad(v, widths[i]) : (last ? v : pad(v, widths[i]))
                let color = header ? .header : (columns[i] == "state" ? stateColors[v] : nil)
                parts.append(color?.paint(padded, on: terminal) ?? padded)
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }
        var out = line(columns, header: true)
        for row in cells { out += line(row, header: false) }
        return out
    }

    /// The header line of a table without rows.
    static func header(_ columns: [String], terminal: Terminal) -> String {
        table([Record(columns.map { (key: $0, value: Value.null) })], terminal: terminal).split(separator: "\n").first
            .map {
                String($0) + "\n"
            } ?? ""
    }

    static func keyValue(_ record: Record, terminal: Terminal) -> String {
        let width = record.keys.map { displayWidth(visible($0)) }.max() ?? 0
        var out = ""
        for (key, value) in record.fields {
            let label = TerminalColor.header.paint(pad(visible(key), width), on: terminal)
            let text = cell(value)
            let color = key == "state" ? stateColors[text] : nil
            out += label + "  " + (color?.paint(text, on: terminal) ?? text) + "\n"
        }
        return out
    }

    /// The colour of a `state` cell (`lab status`, `lab doctor`) by what it says: ok green,
    /// degraded yellow, failed and missing red, pending (not built yet) cyan; other words plain.
    static let stateColors: [String: TerminalColor] = [
        "ok": .green, "degraded": .yellow, "failed": .red, "missing": .red, "pending": .cyan,
    ]

    static func cell(_ value: Value) -> String { visible(plain(value)) }

    /// `text` safe for one line of a table: a line break (`\r\n`, `\n`, `\r`) becomes ⏎, a tab a
    /// space, and any other control character `\xNN`, so text from elsewhere (a remote's output,
    /// an escape sequence) can neither break the table's lines nor drive the terminal.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            switch scalar {
            case "\r":
                if next == "\n" { next = scalars.next() }
                out += "⏎"
            case "\n": out += "⏎"
            case "\t": out += " "
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0, DEL and C1 control characters.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Columns a string takes on a terminal: wide (CJK, emoji) characters count two.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + columns(of: $1) }
    }

    /// The longest start of `s` that takes at most `width` columns (whole characters only).
    static func prefix(_ s: String, columns width: Int) -> String {
        var n = 0
        var end = s.startIndex
        for character in s {
            n += character.unicodeScalars.reduce(0) { $0 + columns(of: $1) }
            if n > width { break }
            end = s.index(after: end)
        }
        return String(s[..<end])
    }

    /// Columns one scalar takes: 0 for combining marks and joiners, 2 for wide ones, else 1.
    private static func columns(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        // Below U+0300 (the first combining mark) every scalar is one column; reading the
        // general category of each was 8 % of printing a 5,000-row table.
        if v < 0x300 { return 1 }
        if scalar.properties.generalCategory == .nonspacingMark || v == 0x200D || (0xFE00...0xFE0F).contains(v) {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x1F300...0x1FAFF).contains(v)
        {
            return 2
        }
        return 1
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let w = displayWidth(s)
        return w >= width ? s : s + String(repeating: " ", count: width - w)
    }

    static func leftPad(_ s: String, _ width: Int) -> String {
        let w = displayWidth(s)
        return w >= width ? s : String(repeating: " ", count: width - w) + s
    }
}
