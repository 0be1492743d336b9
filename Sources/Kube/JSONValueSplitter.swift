/// Cuts a byte stream of concatenated JSON values (a watch body: one object per event, usually
/// but not necessarily one per line) into whole values, whatever sizes the pieces arrive in.
struct JSONValueSplitter {
    private var buffer: [UInt8] = []
    /// Where scanning resumes in `buffer`, and the scanner's state there.
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?

    /// Adds a piece and returns the values it completed, in order.
    mutating func feed(_ piece: [UInt8]) -> [[UInt8]] {
        buffer += piece
        var values: [[UInt8]] = []
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 0 { start = index }
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0, let first = start {
                        values.append(Array(buffer[first...index]))
                        start = nil
                    }
                default:
                    break
                }
            }
            index += 1
        }
        // Drop what is done with: everything before the value in progress.
        let keep = depth > 0 ? (start ?? index) : index
        buffer.removeFirst(keep)
        if let first = start { start = first - keep }
        scanned = index - keep
        return values
    }

    /// Bytes of a value not yet complete.
    var pending: Int { depth > 0 ? buffer.count : 0 }
}
