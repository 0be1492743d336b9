public import HLSCore

/// JSON ↔ `Document`, written here rather than through Foundation so that key order, the
/// int/float/bool distinction and error positions (line:column) survive.
public enum JSONCodec {
    /// Compact (`{"a":1}`) or pretty (two-space indent, `"a": 1`).
    public static func encode(_ document: Document, pretty: Bool = false) -> String {
        var out = ""
        write(document, into: &out, pretty: pretty, indent: 0)
        return out
    }

    public static func decode(_ text: String, file: String = "<json>") throws(HLSError) -> Document {
        var parser = JSONParser(bytes: Array(text.utf8), file: file)
        return try parser.parseDocument()
    }

    /// A float written so it reads back as the same value and never as an int-looking `1`.
    public static func format(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(format: d) }
        return "\(d)"
    }

    static func write(_ doc: Document, into out: inout String, pretty: Bool, indent: Int) {
        switch doc {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += format(d)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                write(item, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                quote(pair.key, into: &out)
                out += pretty ? ": " : ":"
                write(pair.value, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ level: Int) {
        out += "\n"
        out += String(repeating: "  ", count: level)
    }

    /// Appends `s` as a JSON string literal.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Runs of bytes that need no escape are appended whole; the bytes escaped are ASCII, so
        // every cut falls on a scalar boundary. (Appending scalar by scalar was 60 % of the
        // simulated API's CPU when it listed 5,000 objects.)
        let scalars = s.unicodeScalars
        var run = s.utf8.startIndex
        var index = run
        while index != s.utf8.endIndex {
            let byte = s.utf8[index]
            guard byte == 0x22 || byte == 0x5C || byte < 0x20 else {
                s.utf8.formIndex(after: &index)
                continue
            }
            out += Substring(scalars[run..<index])
            switch byte {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = String(byte, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            s.utf8.formIndex(after: &index)
            run = index
        }
        out += Substring(scalars[run..<index])
        out += "\""
    }
}

extension String {
    /// `1.0` → "1.0", keeping a decimal point so the value reads back as a float.
    fileprivate init(format d: Double) {
        let i = Int64(d)
        self = "\(i).0"
    }
}

/// A recursive-descent JSON reader over UTF-8 bytes that reports line:column on error.
struct JSONParser {
    /// How deep arrays and objects may nest: deeper text is refused, not read into a stack overflow.
    static let maxDepth = 512

    let bytes: [UInt8]
    let file: String
    var pos = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parseDocument() throws(HLSError) -> Document {
        skipSpace()
        let value = try parseValue(depth: 0)
        skipSpace()
        if pos < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    private mutating func parseValue(depth: Int) throws(HLSError) -> Document {
        guard depth < Self.maxDepth else { throw error("JSON nested too deeply") }
        guard pos < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            var pairs: [(key: String, value: Document)] = []
            skipSpace()
            if peek(UInt8(ascii: "}")) {
                pos += 1
                return .object(pairs)
            }
            while true {
                skipSpace()
                guard peek(UInt8(ascii: "\"")) else { throw error("expected a string key") }
                let key = try parseString()
                skipSpace()
                guard peek(UInt8(ascii: ":")) else { throw error("expected ':' after key") }
                pos += 1
                skipSpace()
                pairs.append((key, try parseValue(depth: depth + 1)))
                skipSpace()
                if peek(UInt8(ascii: ",")) {
                    pos += 1
                    continue
                }
                if peek(UInt8(ascii: "}")) {
                    pos += 1
                    return .object(pairs)
                }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            pos += 1
            var items: [Document] = []
            skipSpace()
            if peek(UInt8(ascii: "]")) {
                pos += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                if peek(UInt8(ascii: ",")) {
                    pos += 1
                    continue
                }
                if peek(UInt8(ascii: "]")) {
                    pos += 1
                    return .array(items)
                }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return try parseNumber()
        }
    }

    private mutating func literal(_ word: String) throws(HLSError) {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else {
            throw error("unexpected character")
        }
        pos += w.count
    }

    private mutating func parseNumber() throws(HLSError) -> Document {
        let start = pos
        var isFloat = false
        if peek(UInt8(ascii: "-")) { pos += 1 }
        while pos < bytes.count {
            let c = bytes[pos]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                pos += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && pos > start)
            {
                isFloat = true
                pos += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if text.isEmpty || text == "-" {
            pos = start
            throw error("unexpected character")
        }
        if !isFloat, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw error("invalid number '\(text)'") }
        // Infinity has no JSON spelling: it would be written back as `null`.
        guard d.isFinite else {
            pos = start
            throw error("number \(text) is out of range")
        }
        return .double(d)
    }

    private mutating func parseString() throws(HLSError) -> String {
        pos += 1  // opening quote
        // Most strings have no escape: one scan, and the String made from the bytes in place.
        let start = pos
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: bytes[start..<pos - 1], as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") { break }
            pos += 1
        }
        var out = Array(bytes[start..<pos])
        while pos < bytes.count {
            let c = bytes[pos]
            pos += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), peek(UInt8(ascii: "\\")),
                        pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "u")
                    {
                        pos += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            pos -= 6  // a lone high surrogate (U+FFFD below); the next escape is read on its own
                        }
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(u).utf8))
                default: out.append(e)
                }
            default:
                out.append(c)
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(HLSError) -> UInt32 {
        guard pos + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16)
        else { throw error("invalid \\u escape") }
        pos += 4
        return v
    }

    private func peek(_ c: UInt8) -> Bool { pos < bytes.count && bytes[pos] == c }

    private mutating func skipSpace() {
        while pos < bytes.count, [32, 9, 10, 13].contains(bytes[pos]) { pos += 1 }
    }

    private func error(_ message: String) -> HLSError {
        var line = 1
        var column = 1
        for b in bytes[..<min(pos, bytes.count)] {
            if b == 10 {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return HLSError(
            .syntax, "invalid JSON: \(message)", at: .source(SourceLocation(file: file, line: line, column: column)))
    }
}
