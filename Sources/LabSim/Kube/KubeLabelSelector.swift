import HLSCore

/// A label selector in the query-string syntax (apimachinery `labels.Parse`): requirements joined
/// by commas, each `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>n` or `k<n`.
struct KubeLabelSelector: Sendable {
    enum Operator: Sendable { case exists, notExists, equals, notEquals, isIn, notIn, greater, less }
    struct Requirement: Sendable {
        var key: String
        var op: Operator
        var values: [String]
    }
    var requirements: [Requirement] = []

    static let everything = KubeLabelSelector()

    init() {}

    init(parsing text: String) throws(KubeStatus) {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        for part in parts {
            let p = part.trimmingSpaces
            if p.isEmpty {
                if parts.count == 1 { continue }
                throw KubeStatus.badRequest("unable to parse requirement: found '', expected: identifier")
            }
            requirements.append(try Self.requirement(p))
        }
    }

    private static func requirement(_ p: String) throws(KubeStatus) -> Requirement {
        if p.hasPrefix("!") { return Requirement(key: try key(String(p.dropFirst())), op: .notExists, values: []) }
        for (token, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals), (">", .greater), ("<", .less)]
        {
            if let range = p.firstRange(of: token) {
                let value = String(p[range.upperBound...]).trimmingSpaces
                return Requirement(key: try key(String(p[..<range.lowerBound])), op: op, values: [value])
            }
        }
        let words = p.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingSpaces
            for (word, op) in [("notin", Operator.notIn), ("in", .isIn)] where rest.hasPrefix(word) {
                let list = rest.dropFirst(word.count).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw KubeStatus.badRequest("unable to parse requirement: found '\(list)', expected: '('")
                }
                let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                    .map { String($0).trimmingSpaces }
                return Requirement(key: try key(words[0]), op: op, values: values)
            }
            throw KubeStatus.badRequest(
                "unable to parse requirement: found '\(rest)', expected: in, notin, =, ==, !=, gt, lt")
        }
        return Requirement(key: try key(p), op: .exists, values: [])
    }

    private static func key(_ text: String) throws(KubeStatus) -> String {
        let key = text.trimmingSpaces
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw KubeStatus.badRequest("unable to parse requirement: invalid label key \"\(key)\"")
        }
        return key
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let value = labels[r.key]
            switch r.op {
            case .exists: return value != nil
            case .notExists: return value == nil
            case .equals: return value == r.values.first
            case .notEquals: return value != r.values.first
            case .isIn: return value.map(r.values.contains) ?? false
            case .notIn: return !(value.map(r.values.contains) ?? false)
            case .greater, .less:
                guard let value, let have = Int(value), let want = r.values.first.flatMap({ Int($0) }) else {
                    return false
                }
                return r.op == .greater ? have > want : have < want
            }
        }
    }

    /// A `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`), as PDBs and
    /// Deployments hold it; an empty one matches everything.
    init(object: Document) {
        for (key, value) in (object["matchLabels"] ?? .object([])).stringMap.sorted(by: { $0.key < $1.key }) {
            requirements.append(Requirement(key: key, op: .equals, values: [value]))
        }
        for expression in (object["matchExpressions"] ?? .array([])).items {
            let op: Operator
            switch expression.text("operator") {
            case "In": op = .isIn
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            default: op = .notExists
            }
            requirements.append(
                Requirement(
                    key: expression.text("key") ?? "", op: op,
                    values: (expression["values"] ?? .array([])).items.compactMap(\.scalarText)))
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
