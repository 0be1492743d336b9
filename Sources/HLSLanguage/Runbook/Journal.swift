import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a script's last run completed, so `--resume` can skip it. One JSON file per script
/// (keyed by its absolute path) in `$XDG_STATE_HOME/hlsh/journal/`; each phase is recorded with
/// the run's target (the lab it acted on, `ExecutionContext.target`), so a phase that a rehearsal
/// on the simulated lab completed is not skipped on the real one.
final class Journal: Sendable {
    let file: String
    let scriptPath: String
    /// Phases finished in the previous run, each with the target it ran against (nil in a
    /// journal written before targets were recorded, or when no lab was in use).
    let completedBefore: [String: String?]
    /// Phases finished in this run, in order, with their target.
    private let completed: Mutex<[(phase: String, target: String?)]>
    /// False for a `--dry-run`: it reads the last run's record but never replaces it.
    private let persists: Bool

    init(scriptPath: String, directory: String, resume: Bool, persists: Bool = true) {
        self.persists = persists
        let absolute =
            scriptPath.hasPrefix("/") ? scriptPath : FileManager.default.currentDirectoryPath + "/" + scriptPath
        self.scriptPath = absolute
        self.file = directory + "/" + Journal.key(for: absolute) + ".json"
        var previous: [(phase: String, target: String?)] = []
        if resume, let text = try? String(contentsOfFile: file, encoding: .utf8),
            let doc = try? JSONCodec.decode(text), case .array(let items)? = doc["completed"]
        {
            previous = items.compactMap { item in
                switch item {
                case .string(let phase): return (phase, nil)
                case .object:
                    guard case .string(let phase)? = item["phase"] else { return nil }
                    if case .string(let target)? = item["target"] { return (phase, target) }
                    return (phase, nil)
                default: return nil
                }
            }
        }
        completedBefore = Dictionary(previous.map { ($0.phase, $0.target) }) { _, last in last }
        // A resumed run keeps what was done; a fresh run starts a new record.
        completed = Mutex(resume ? previous : [])
        save()
    }

    /// Whether `--resume` skips `phase`: the last run completed it against `target` (or recorded
    /// no target); nil when it did not complete it. The other target when it was another lab's.
    func completion(of phase: String, target: String?) -> (skip: Bool, otherTarget: String?)? {
        guard let recorded = completedBefore[phase] else { return nil }
        guard let recorded, recorded != target else { return (true, nil) }
        return (false, recorded)
    }

    func markCompleted(_ phase: String, target: String?) {
        completed.withLock { list in
            list.removeAll { $0.phase == phase }
            list.append((phase, target))
        }
        save()
    }

    private func save() {
        guard persists else { return }
        let entries = completed.withLock { $0 }.map { entry in
            Document.object(
                [("phase", .string(entry.phase))] + (entry.target.map { [("target", Document.string($0))] } ?? []))
        }
        let doc = Document.object([("script", .string(scriptPath)), ("completed", .array(entries))])
        try? FileManager.default.createDirectory(
            atPath: FilePaths.directory(of: file), withIntermediateDirectories: true)
        try? (JSONCodec.encode(doc, pretty: true) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A file name for a path: its last component plus a stable FNV-1a hash of the whole.
    static func key(for path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let base = FilePaths.lastComponent(of: path).filter {
            $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_"
        }
        return base + "-" + String(hash, radix: 16)
    }
}
