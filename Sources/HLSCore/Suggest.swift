/// "Did you mean" for names: the candidates closest by edit distance, if they are close enough.
public enum Suggest {
    /// Every candidate as close as the closest one (within a limit that grows with the word,
    /// or any distance for a candidate the word begins), those the word begins first, then by
    /// name: `ech` gives `echo`, `each`. Empty when nothing is close.
    public static func all(_ word: String, in candidates: [String]) -> [String] {
        let limit = max(1, min(3, word.count / 2))
        var best = Int.max
        var found: [(name: String, isPrefix: Bool)] = []
        for candidate in Set(candidates) {
            let isPrefix = !word.isEmpty && candidate.hasPrefix(word)
            let d = distance(word, candidate)
            guard d <= limit || isPrefix, d <= best else { continue }
            if d < best {
                best = d
                found.removeAll()
            }
            found.append((candidate, isPrefix))
        }
        return found.sorted { ($0.isPrefix ? 0 : 1, $0.name) < ($1.isPrefix ? 0 : 1, $1.name) }.map(\.name)
    }

    /// The first of `all`: the closest candidate, one the word begins if there is one.
    public static func nearest(_ word: String, in candidates: [String]) -> String? {
        all(word, in: candidates).first
    }

    /// `did you mean 'echo'?`, or with several equally close, `did you mean one of these?
    /// 'echo', 'each'` (as git asks); nil when nothing is close. `quote` writes one candidate.
    public static func didYouMean(
        _ word: String, in candidates: [String], quote: (String) -> String = { "'\($0)'" }
    ) -> String? {
        let names = all(word, in: candidates)
        switch names.count {
        case 0: return nil
        case 1: return "did you mean \(quote(names[0]))?"
        default: return "did you mean one of these? " + names.map(quote).joined(separator: ", ")
        }
    }

    /// Edit distance over Unicode scalars, counting a swap of two neighbours as one edit
    /// (optimal string alignment), so `srot` is next to `sort`, not to `from`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var beforePrevious = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var row = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            row[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, row) = (previous, row, beforePrevious)
        }
        return previous[y.count]
    }
}
