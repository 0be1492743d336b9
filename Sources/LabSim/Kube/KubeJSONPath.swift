import HLSCore

/// The JSONPath subset printer columns use (`.status.conditions[?(@.type == "Ready")].status`,
/// `.spec.ports[0].port`): fields, list indexes, and a filter keeping the first item whose field
/// equals a string, as kubectl's table printer evaluates them for a single value.
enum KubeJSONPath {
    /// The value at `path` in `object`, nil when a step finds nothing.
    static func value(_ path: String, in object: Document) -> Document? {
        var current: Document? = object
        var rest = Substring(path)
        while let first = rest.first, let value = current {
            if first == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(name.count)
                current = value[String(name)]
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                current = step(String(inside), value)
            } else {
                return nil
            }
        }
        return current
    }

    /// One bracketed step: `0`, or `?(@.field == "value")`.
    private static func step(_ inside: String, _ value: Document) -> Document? {
        guard case .array(let items) = value else { return nil }
        if let index = Int(inside) { return items.indices.contains(index) ? items[index] : nil }
        guard inside.hasPrefix("?(@."), inside.hasSuffix(")") else { return nil }
        let test = inside.dropFirst(4).dropLast()
        let sides = test.split(separator: "==", maxSplits: 1).map { $0.trimmingWhitespace() }
        guard sides.count == 2 else { return nil }
        let wanted = sides[1].filter { $0 != "\"" && $0 != "'" }
        return items.first { $0.at(sides[0].split(separator: ".").map(String.init))?.scalarText == wanted }
    }
}
