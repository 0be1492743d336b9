/// Splits hlsh's argv into its own options and the rest, at the first word that is not an
/// option of hlsh's (or `--`).
struct ArgvSplit {
    var own: [String] = []
    var rest: [String] = []

    /// Options of hlsh's that take a value as the next word.
    static let valued = HLSHOptions.valued

    init(_ argv: [String]) {
        var i = 0
        while i < argv.count {
            let word = argv[i]
            if word == "--" {
                rest = Array(argv[(i + 1)...])
                return
            }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            own.append(word)
            if ArgvSplit.valued.contains(word), i + 1 < argv.count {
                own.append(argv[i + 1])
                i += 1
            }
            i += 1
        }
        rest = Array(argv[i...])
    }
}
