import Dispatch
import HLSCore
public import HLSLanguage
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tab completion from the registry: objects, verbs, flags and their values, live names from
/// the objects' providers (cached, with a deadline so a Tab never waits long on the network),
/// variables, `def`s and file paths.
public final class Completer: Sendable {
    let registry: Registry
    let context: ExecutionContext
    let names: @Sendable () -> (variables: [String], definitions: [String])
    /// How long a Tab waits for a provider before showing the cached (or static) answer.
    let deadline: Duration
    let cache: NameCache

    public convenience init(
        registry: Registry, context: ExecutionContext, deadline: Duration = .milliseconds(400),
        names: @escaping @Sendable () -> (variables: [String], definitions: [String]) = { ([], []) }
    ) {
        self.init(registry: registry, context: context, deadline: deadline, cache: NameCache(), names: names)
    }

    init(
        registry: Registry, context: ExecutionContext, deadline: Duration, cache: NameCache,
        names: @escaping @Sendable () -> (variables: [String], definitions: [String]) = { ([], []) }
    ) {
        self.registry = registry
        self.context = context
        self.deadline = deadline
        self.cache = cache
        self.names = names
    }

    public convenience init(interpreter: Interpreter, deadline: Duration = .milliseconds(400)) {
        self.init(registry: interpreter.registry, context: interpreter.context, deadline: deadline) {
            (interpreter.variableNames, interpreter.definitionNames)
        }
    }

    /// Candidates for the word under `cursor` (a character offset) in `line`.
    public func complete(line: String, cursor: Int) -> Completion {
        let ctx = CompletionContext(line: line, cursor: cursor)
        let word = ctx.current
        func done(_ candidates: [Completion.Candidate]) -> Completion {
            Completion(wordStart: ctx.currentStart, word: word, candidates: Completer.matching(candidates, word))
        }
        if ctx.inQuote {
            let unquoted = String(word.dropFirst())
            let quote = word.first.map(String.init) ?? "\""
            // A file closes the quote (and takes a space); a directory leaves it open.
            return done(
                files(unquoted).map {
                    $0.isFinal ? .init(quote + $0.text + quote) : .init(quote + $0.text, isFinal: false)
                })
        }
        if word.hasPrefix("$") {
            return done(names().variables.map { .init("$" + $0) })
        }
        guard let head = ctx.words.first else {
            return done(
                heads + names().definitions.map { .init($0, detail: "def") } + Completer.keywords.map { .init($0) })
        }
        if head == "source" && ctx.words.count == 1 { return done(files(word)) }
        if head == "help" { return done(helpTopics(after: Array(ctx.words.dropFirst()))) }
        // Resolve the longest verb the typed words name; offer the next word of a path otherwise.
        guard let (spec, length) = registry.resolve(Array(ctx.words.prefix(3))) else {
            return done(nextPathWords(after: ctx.words))
        }
        let args = Array(ctx.words.dropFirst(length))
        // A deeper verb may still be typed (`node k3s` → `server`, `agent`).
        if args.isEmpty {
            let deeper = registry.specs.filter { $0.path.count > length && Array($0.path.prefix(length)) == spec.path }
            if !deeper.isEmpty && !word.hasPrefix("-") {
                return done(deeper.map { .init($0.path[length], detail: $0.summary) })
            }
        }
        if word.hasPrefix("-") {
            var flags = spec.typableFlags.map {
                Completion.Candidate("--" + $0.name, detail: $0.kind.map { "<\($0.placeholder)>" } ?? $0.help)
            }
            flags.append(.init("--help", detail: "show this verb's help"))
            return done(flags)
        }
        // The value of a flag that takes one (`--namespace `, `-n `)?
        if let last = args.last, let flag = spec.flag(typed: last), let kind = flag.kind {
            return done(values(kind, command: spec.name, word: word, words: args))
        }
        // Otherwise the next positional.
        let index = spec.arguments(typed: args).positionals.count
        let positionals = spec.positionals
        guard !positionals.isEmpty else { return done([]) }
        let parameter =
            index < positionals.count ? positionals[index] : positionals.last!.isVariadic ? positionals.last! : nil
        guard let parameter else { return done([]) }
        return done(values(parameter.kind, command: spec.name, word: word, words: args))
    }

    /// Objects and top-level commands, with their summaries.
    var heads: [Completion.Candidate] {
        registry.topLevelNames.map { name in
            Completion.Candidate(name, detail: registry.objects[name] ?? registry.spec(name)?.summary)
        }
    }

    /// The words that can follow `typed` in some verb's path (`vm` → `apply`, `list`…).
    func nextPathWords(after typed: [String]) -> [Completion.Candidate] {
        registry.specs.filter { $0.path.count > typed.count && Array($0.path.prefix(typed.count)) == typed }
            .map { .init($0.path[typed.count], detail: $0.path.count == typed.count + 1 ? $0.summary : nil) }
    }

    /// What `help` takes after the topic words typed so far: an object, a command or a keyword,
    /// then the next word of a verb's path (`help vm ` → `apply`, `list`…).
    func helpTopics(after typed: [String]) -> [Completion.Candidate] {
        typed.isEmpty ? heads + Parser.keywords.map { .init($0, detail: "keyword") } : nextPathWords(after: typed)
    }

    /// The candidates that begin with `word`, each once, sorted.
    static func matching(_ candidates: [Completion.Candidate], _ word: String) -> [Completion.Candidate] {
        var seen = Set<String>()
        return candidates.filter { $0.text.hasPrefix(word) && seen.insert($0.text).inserted }.sorted {
            $0.text < $1.text
        }
    }

    /// The candidates for a value of `kind` taken by `command` (a verb's full name); `words`
    /// are the verb's arguments typed before it.
    func values(_ kind: ValueKind, command: String, word: String, words: [String] = []) -> [Completion.Candidate] {
        switch kind {
        case .choice(let words): return words.map { .init($0) }
        case .bool: return [.init("true"), .init("false")]
        case .path: return files(word)
        case .name(let what): return liveNames(what, command: command, words: words)
        default: return []
        }
    }

    /// Names from a provider: fresh cache, else a call bounded by `deadline`, else the stale
    /// cache (the slow call keeps running and fills the cache for the next Tab). Answers are
    /// kept per verb and the provider's scope of the words typed before the name.
    func liveNames(_ kind: String, command: String, words: [String] = []) -> [Completion.Candidate] {
        guard let provider = registry.providers[kind] else { return [] }
        let key = "\(kind)\u{0}\(command)\u{0}\(provider.scope(words))"
        if let fresh = cache.fresh(key) { return fresh }
        let query = NameQuery(command: command, context: context, words: words)
        let cache = self.cache
        let finished = DispatchSemaphore(value: 0)
        if cache.beginFetch(key) {
            Threads.detach {
                if let names = try? provider.fetch(query) {
                    cache.store(key, names.map { Completion.Candidate($0.name, detail: $0.detail) }, ttl: provider.ttl)
                }
                cache.endFetch(key)
                finished.signal()
            }
            _ = finished.wait(timeout: .now() + deadline.inSeconds)
        }
        return cache.fresh(key) ?? cache.stale(key) ?? []
    }

    /// Paths beginning with `prefix` (`~/` expanded for reading, kept as typed for display);
    /// directories end in `/` and take no space after them.
    func files(_ prefix: String) -> [Completion.Candidate] {
        let shownDir = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        var dir = shownDir
        dir = FilePaths.expandingHome(dir, environment: context.environment)
        let base = String(prefix.dropFirst(shownDir.count))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return entries.filter { !$0.hasPrefix(".") || base.hasPrefix(".") }.map { name in
            return FilePaths.kind(of: dir + name) == .directory
                ? .init(shownDir + name + "/", isFinal: false) : .init(shownDir + name)
        }
    }

    static let keywords = [
        "let", "set", "if", "for", "parallel", "while", "def", "phase", "retry", "try", "assert", "source", "exit",
    ]
}
