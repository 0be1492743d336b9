/// Sizes as users write them in inventories: `512M`, `8G`, `100GiB` (binary), `10GB` (decimal),
/// `1073741824` (bytes). Uppercase units, as in the .hls language.
public enum ByteSize {
    static let unitNames: [(String, Int64)] = [
        ("B", 1),
        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("P", 1 << 50),
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("PiB", 1 << 50),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("PB", 1_000_000_000_000_000),
    ]

    /// `unitNames` with each name packed into an integer, its first byte lowest.
    private static let units: [(key: UInt32, scale: Int64)] = unitNames.map { name, scale in
        var key: UInt32 = 0
        for (i, b) in name.utf8.enumerated() { key |= UInt32(b) << (8 * UInt32(i)) }
        return (key, scale)
    }

    /// What a piece of text is as a size.
    public enum Reading: Equatable, Sendable {
        case bytes(Int64)
        /// Written as a size, but more bytes than 64 bits hold (`9999999999G`).
        case tooBig
        case invalid
    }

    /// The most a size holds, for messages: `Int64.max` bytes, just under 8 EiB.
    public static let rangeHint = "sizes go up to \(Int64.max) bytes (8191P, just under 8 EiB)"

    /// Bytes, or nil when `text` is not a size (or is one too big to hold: see `read`).
    public static func parse(_ text: String) -> Int64? {
        if case .bytes(let n) = read(text) { return n }
        return nil
    }

    /// `text` as a size: ASCII digits with at most one `.`, then one of `units` (spaces
    /// anywhere are ignored: `8 G`). Byte by byte, since the parser asks this of every word
    /// that starts with a digit and ends in a letter; a whole number of a unit is exact
    /// (`Int64` arithmetic), a fraction (`1.5G`) is rounded to the nearest byte.
    public static func read(_ text: String) -> Reading {
        text.utf8.withContiguousStorageIfAvailable { read(bytes: $0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { read(bytes: $0) }
    }

    private static func read(bytes: UnsafeBufferPointer<UInt8>) -> Reading {
        var whole: Int64 = 0
        var wholeOverflowed = false
        var digits = 0
        var dot: Int? = nil  // how many digits came before the `.`
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                digits += 1
                if dot == nil, !wholeOverflowed {
                    let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
                    if o1 || o2 { wholeOverflowed = true } else { whole = sum }
                }
            } else if b == UInt8(ascii: ".") {
                guard dot == nil else { return .invalid }
                dot = digits
            } else if b != UInt8(ascii: " ") {
                break
            }
            i += 1
        }
        let numberEnd = i
        guard digits > 0 else { return .invalid }
        var unit: UInt32 = 0
        var unitLength = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: " ") { continue }
            guard unitLength < 3 else { return .invalid }
            unit |= UInt32(b) << (8 * UInt32(unitLength))
            unitLength += 1
        }
        let scale: Int64
        if unitLength == 0 {
            guard dot == nil else { return .invalid }  // a byte count is whole
            scale = 1
        } else {
            guard let found = units.first(where: { $0.key == unit })?.scale else { return .invalid }
            scale = found
        }
        guard let dot, dot < digits else {
            // A whole number (`8G`, `8.G`): exact.
            if wholeOverflowed { return .tooBig }
            let (product, overflow) = whole.multipliedReportingOverflow(by: scale)
            return overflow ? .tooBig : .bytes(product)
        }
        let number = bytes[..<numberEnd].filter { $0 != UInt8(ascii: " ") }
        guard let amount = Double(String(decoding: number, as: UTF8.self)) else { return .invalid }
        let product = (amount * Double(scale)).rounded()
        // 2⁶³ is the first double past `Int64.max`; converting it or more would trap.
        return product < 0x1p63 ? .bytes(Int64(product)) : .tooBig
    }

    /// `8 GiB`, `1.5 GiB`, `512 MiB`, `100 B`.
    public static func format(_ bytes: Int64) -> String {
        let units: [(String, Int64)] = [
            ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
        ]
        for (name, scale) in units where abs(bytes) >= scale {
            if bytes % scale == 0 { return "\(bytes / scale) \(name)" }
            let value = Double(bytes) / Double(scale)
            return "\((value * 10).rounded() / 10) \(name)"
        }
        return "\(bytes) B"
    }
}

extension String {
    fileprivate var replacingSpaces: String { String(filter { $0 != " " }) }
}
