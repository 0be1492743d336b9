import HLSCore
import HLSFormats

/// Reads a located YAML mapping field by field, collecting every problem (with its file, line
/// and field path) instead of stopping at the first, and flagging keys nobody read.
final class InventoryReader {
    /// Each problem with where it sorts: its place, or just after the unknown field that explains it.
    private var found: [(order: SourceLocation, explained: Bool, error: HLSError)] = []

    /// Every problem, in the order of the file; a required field reported missing comes right
    /// after an unknown field that is a typo of it.
    var problems: [HLSError] {
        found.enumerated().sorted { a, b in
            (a.element.order, a.element.explained ? 1 : 0, a.offset) < (
                b.element.order, b.element.explained ? 1 : 0, b.offset
            )
        }.map(\.element.error)
    }

    func problem(_ path: String, _ message: String, at: SourceLocation, hint: String? = nil) {
        add(HLSError(.configuration, "\(path): \(message)", at: .source(at), hint: hint), at: at)
    }

    @discardableResult
    func add(_ error: HLSError, at: SourceLocation) -> Int {
        found.append((at, false, error))
        return found.count - 1
    }

    /// Sorts problem `index` just after a problem at `location`.
    func explain(_ index: Int, by location: SourceLocation) {
        found[index].order = location
        found[index].explained = true
    }

    /// A mapping's fields, or a problem when the node is not a mapping.
    final class Fields {
        let reader: InventoryReader
        let path: String
        let at: SourceLocation
        let pairs: [(key: String, keyAt: SourceLocation, value: LocatedYAML)]
        private var read: Set<String> = []
        /// Required fields reported missing, with their problem's index in the reader.
        private var missingProblems: [String: Int] = [:]

        init(_ reader: InventoryReader, _ node: LocatedYAML, path: String) {
            self.reader = reader
            self.path = path
            self.at = node.location
            if case .mapping(let pairs, _) = node {
                self.pairs = pairs
            } else {
                self.pairs = []
                if case .null = node {
                    reader.problem(
                        path.isEmpty ? "document" : path, "is empty; expected a mapping of fields", at: node.location)
                } else {
                    reader.problem(path.isEmpty ? "document" : path, "expected a mapping of fields", at: node.location)
                }
            }
        }

        func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func node(_ key: String) -> LocatedYAML? {
            read.insert(key)
            guard let v = pairs.first(where: { $0.key == key })?.value else { return nil }
            if case .null = v { return nil }
            return v
        }

        func missing(_ key: String, _ expected: String) {
            missingProblems[key] = reader.add(
                HLSError(.configuration, "\(sub(key)): is required (\(expected))", at: .source(at)), at: at)
        }

        func string(_ key: String, required: Bool = true, _ expected: String = "text") -> String? {
            guard let n = node(key) else {
                if required { missing(key, expected) }
                return nil
            }
            guard case .scalar(let s, _, _) = n, !s.isEmpty else {
                reader.problem(sub(key), "expected \(expected)", at: n.location)
                return nil
            }
            return s
        }

        func int(_ key: String, required: Bool = true, range: ClosedRange<Int>) -> Int? {
            guard let n = node(key) else {
                if required { missing(key, "a number") }
                return nil
            }
            guard case .scalar(let s, false, _) = n, let i = Int(s), range.contains(i) else {
                reader.problem(
                    sub(key),
                    "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(describe(n))",
                    at: n.location)
                return nil
            }
            return i
        }

        func size(_ key: String, required: Bool = true, minimum: Int64) -> Int64? {
            guard let n = node(key) else {
                if required { missing(key, "a size such as 8G") }
                return nil
            }
            if case .scalar(let s, _, _) = n, ByteSize.read(s) == .tooBig {
                reader.problem(sub(key), "\(s) is too big: \(ByteSize.rangeHint)", at: n.location)
                return nil
            }
            guard case .scalar(let s, _, _) = n, let bytes = ByteSize.parse(s) else {
                reader.problem(
                    sub(key), "expected a size such as 8G, 512M or 100GiB, got \(describe(n))", at: n.location)
                return nil
            }
            guard bytes >= minimum else {
                reader.problem(sub(key), "\(s) is too small (at least \(ByteSize.format(minimum)))", at: n.location)
                return nil
            }
            return bytes
        }

        func bool(_ key: String, default value: Bool) -> Bool {
            guard let n = node(key) else { return value }
            guard case .scalar(let s, false, _) = n, ["true", "false"].contains(s) else {
                reader.problem(sub(key), "expected true or false, got \(describe(n))", at: n.location)
                return value
            }
            return s == "true"
        }

        /// A list of strings; a single string is a list of one.
        func strings(_ key: String) -> [String] {
            guard let n = node(key) else { return [] }
            switch n {
            case .scalar(let s, _, _): return [s]
            case .sequence(let items, _):
                return items.enumerated().compactMap { i, item in
                    guard case .scalar(let s, _, _) = item else {
                        reader.problem("\(sub(key))[\(i)]", "expected text", at: item.location)
                        return nil
                    }
                    return s
                }
            default:
                reader.problem(sub(key), "expected a list of text", at: n.location)
                return []
            }
        }

        func fields(_ key: String, required: Bool = true) -> Fields? {
            guard let n = node(key) else {
                if required { missing(key, "a mapping of fields") }
                return nil
            }
            return Fields(reader, n, path: sub(key))
        }

        func list(_ key: String) -> [(Fields, String)] {
            guard let n = node(key) else {
                missing(key, "a list")
                return []
            }
            guard case .sequence(let items, _) = n else {
                reader.problem(sub(key), "expected a list", at: n.location)
                return []
            }
            return items.enumerated().map { i, item in
                let p = "\(sub(key))[\(i)]"
                return (Fields(reader, item, path: p), p)
            }
        }

        /// Reports fields that were never read: typos (`memroy:`) and secrets.
        func finish() {
            let known = Array(read)
            for (key, keyAt, _) in pairs where !read.contains(key) {
                if Fields.secretKeys.contains(key.lowercased()) {
                    reader.problem(
                        sub(key), "secrets are never stored in homelab.yaml", at: keyAt,
                        hint: "put the token in PROXMOX_VE_API_TOKEN (or the variable named by proxmox.token_env)")
                    continue
                }
                let message = "unknown field '\(key)'" + (path.isEmpty ? "" : " in \(path)")
                guard let near = Suggest.nearest(key, in: known) else {
                    reader.add(
                        HLSError(
                            .configuration, message, at: .source(keyAt),
                            hint: "known fields: \(known.sorted().joined(separator: ", "))"), at: keyAt)
                    continue
                }
                reader.add(
                    HLSError(.configuration, "\(message); did you mean '\(near)'?", at: .source(keyAt)), at: keyAt)
                if let missing = missingProblems[near] { reader.explain(missing, by: keyAt) }
            }
        }

        static let secretKeys: Set<String> = ["token", "api_token", "password", "secret", "token_value", "private_key"]

        func describe(_ n: LocatedYAML) -> String {
            switch n {
            case .scalar(let s, _, _): return "'\(s)'"
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .null: return "nothing"
            }
        }
    }
}
