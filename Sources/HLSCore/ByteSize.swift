/// Sizes as users write them in inventories: `512M`, `8G`, `100GiB` (binary), `10GB` (decimal),
/// `1073741824` (bytes). Uppercase units, as in the .hls language.
public enum ByteSize {
    static let units: [(String, Int64)] = [
        ("B", 1),
        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("P", 1 << 50),
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("PiB", 1 << 50),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("PB", 1_000_000_000_000_000),
    ]

    /// Bytes, or nil when `text` is not a size.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.replacingSpaces
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = trimmed.dropFirst(number.count)
        guard !number.isEmpty, let amount = Double(number) else { return nil }
        if unit.isEmpty {
            return number.contains(".") ? nil : Int64(number)
        }
        guard let scale = units.first(where: { $0.0 == unit })?.1 else { return nil }
        return Int64((amount * Double(scale)).rounded())
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
