import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Provider answers with their age, shared by Tab presses and the background fetches. With a
/// file (the outer shell's `hlsh __complete`, one process per Tab) the answers are also kept
/// on disk between processes, each until its provider's TTL, under a namespace naming the lab
/// they came from.
final class NameCache: Sendable {
    private struct Entry {
        var names: [Completion.Candidate]
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var fetching: Set<String> = []
    }

    private let state: Mutex<State>
    private let file: String?
    private let namespace: String

    /// A cache in memory only (the REPL), or kept in `file` with keys under `namespace`.
    init(file: String? = nil, namespace: String = "") {
        self.file = file
        self.namespace = namespace
        state = Mutex(State(entries: file.map(NameCache.load) ?? [:]))
    }

    func fresh(_ key: String) -> [Completion.Candidate]? {
        state.withLock { $0.entries[namespace + key].flatMap { $0.expires > .now ? $0.names : nil } }
    }

    func stale(_ key: String) -> [Completion.Candidate]? {
        state.withLock { $0.entries[namespace + key]?.names }
    }

    func store(_ key: String, _ names: [Completion.Candidate], ttl: Duration) {
        let entries = state.withLock { state in
            state.entries[namespace + key] = Entry(names: names, expires: .now + ttl)
            return state.entries
        }
        if let file { NameCache.save(entries, to: file) }
    }

    /// True when this caller should start a fetch (none is running for `key`).
    func beginFetch(_ key: String) -> Bool {
        state.withLock { $0.fetching.insert(namespace + key).inserted }
    }

    func endFetch(_ key: String) {
        _ = state.withLock { $0.fetching.remove(namespace + key) }
    }

    /// Answers stale for longer than this are dropped from the file when it is written.
    static let keepStale: Duration = .seconds(86_400)

    /// The file's entries, their expiry turned from wall-clock seconds back into instants; none
    /// when it is missing or unreadable (a cache may be lost at any time).
    private static func load(_ file: String) -> [String: Entry] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            case .array(let rows)? = try? JSONCodec.decode(text, file: file)
        else { return [:] }
        let now = Date().timeIntervalSince1970
        var entries: [String: Entry] = [:]
        for row in rows {
            guard case .string(let key)? = row["key"], case .array(let names)? = row["names"] else { continue }
            let expires: Double
            switch row["expires"] {
            case .int(let seconds)?: expires = Double(seconds)
            case .double(let seconds)?: expires = seconds
            default: continue
            }
            let candidates = names.compactMap { name -> Completion.Candidate? in
                guard case .string(let text)? = name["name"] else { return nil }
                guard case .string(let detail)? = name["detail"] else { return .init(text) }
                return .init(text, detail: detail)
            }
            entries[key] = Entry(names: candidates, expires: .now + .seconds(expires - now))
        }
        return entries
    }

    private static func save(_ entries: [String: Entry], to file: String) {
        let now = ContinuousClock.now
        let wallNow = Date().timeIntervalSince1970
        let rows: [Document] = entries.sorted { $0.key < $1.key }.compactMap { key, entry in
            guard entry.expires + keepStale > now else { return nil }
            let names: [Document] = entry.names.map { name in
                .object([("name", .string(name.text))] + (name.detail.map { [("detail", .string($0))] } ?? []))
            }
            let expires = wallNow + (entry.expires - now).inSeconds
            return .object([("key", .string(key)), ("expires", .double(expires)), ("names", .array(names))])
        }
        try? PrivateFile.write(JSONCodec.encode(.array(rows)), to: file)
    }
}
