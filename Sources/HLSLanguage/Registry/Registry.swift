/// Every verb hlsh knows, by path. Built once at start-up by the command modules, read-only after.
public struct Registry: Sendable {
    public private(set) var specs: [CommandSpec] = []
    /// The same specs by reference, for the syntax tree (`CommandCall.spec`).
    private var shared: [SharedSpec] = []
    private var byName: [String: Int] = [:]
    /// By first word: the most words a command beginning with it has (`vm` → 2), and the
    /// one-word command it names, so resolving a one-word call (`echo`, `where`) is one lookup
    /// and never joins words.
    private var firstWords: [String: (longest: Int, single: Int?)] = [:]
    /// First words that begin a multi-word command (`vm`, `node`), with their summaries.
    public private(set) var objects: [String: String] = [:]
    /// Live name providers by kind (`vm`, `node`, …), for `ValueKind.name(kind)` arguments.
    public private(set) var providers: [String: NameProvider] = [:]

    public init() {}

    public mutating func register(_ spec: CommandSpec) {
        let name = spec.name
        let earlier = byName.updateValue(specs.count, forKey: name)
        precondition(earlier == nil, "verb \(name) declared twice")
        var first = firstWords[spec.path[0]] ?? (0, nil)
        first.longest = max(first.longest, spec.path.count)
        if spec.path.count == 1 { first.single = specs.count }
        firstWords[spec.path[0]] = first
        specs.append(spec)
        shared.append(SharedSpec(spec))
    }

    public mutating func registerObject(_ name: String, summary: String) {
        objects[name] = summary
    }

    public mutating func registerProvider(_ provider: NameProvider) {
        providers[provider.kind] = provider
    }

    public func spec(_ name: String) -> CommandSpec? { byName[name].map { specs[$0] } }

    /// The longest registered command that `words` begins with, and how many words it used.
    public func resolve(_ words: [String]) -> (spec: CommandSpec, length: Int)? {
        resolveShared(words).map { ($0.spec.spec, $0.length) }
    }

    /// `resolve`, with the spec by reference (no copy of its fields).
    func resolveShared(_ words: [String]) -> (spec: SharedSpec, length: Int)? {
        guard let first = words.first, let entry = firstWords[first] else { return nil }
        for length in stride(from: min(words.count, entry.longest, 3), through: 2, by: -1) {
            if let i = byName[CommandSpec.name(words[0..<length])] { return (shared[i], length) }
        }
        return entry.single.map { (shared[$0], 1) }
    }

    public func verbs(of object: String) -> [CommandSpec] {
        specs.filter { $0.path.count > 1 && $0.path[0] == object }
    }

    public var topLevelNames: [String] {
        Array(Set(specs.map { $0.path[0] }).union(objects.keys)).sorted()
    }
}

/// A registered `CommandSpec` held by reference: every call of a verb in a syntax tree points
/// at one copy instead of holding its own (a spec is about a hundred bytes of references).
public final class SharedSpec: Sendable {
    public let spec: CommandSpec

    init(_ spec: CommandSpec) { self.spec = spec }
}
