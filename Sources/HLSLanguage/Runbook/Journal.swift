import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a script's last run completed, so `--resume` can skip it. One JSON file per script
/// (keyed by its absolute path) in `$XDG_STATE_HOME/hlsh/journal/`.
final class Journal: Sendable {
    let file: String
    let scriptPath: String
    /// Phases finished in the previous run (consulted by `--resume`).
    let completedBefore: Set<String>
    /// Phases finished in this run, in order.
    private let completed: Mutex<[String]>
    /// False for a `--dry-run`: it reads the last run's record but never replaces it.
    private let persists: Bool

    init(scriptPath: String, directory: String, resume: Bool, persists: Bool = true) {
        self.persists = persists
        let absolute =
            scriptPath.hasPrefix("/") ? scriptPath : FileManager.default.currentDirectoryPath + "/" + scriptPath
        self.scriptPath = absolute
        self.file = directory + "/" + Journal.key(for: absolute) + ".json"
        var previous: [String] = []
        if resume, let text = try? String(contentsOfFile: file, encoding: .utf8),
            let doc = try? JSONCodec.decode(text), case .array(let items)? = doc["completed"]
        {
            previous = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
        }
        completedBefore = Set(previous)
        // A resumed run keeps what was done; a fresh run starts a new record.
        completed = Mutex(resume ? previous : [])
        save()
    }

    func markCompleted(_ phase: String) {
        completed.withLock { if !$0.contains(phase) { $0.append(phase) } }
        save()
    }

    private func save() {
        guard persists else { return }
        let doc = Document.object([
            ("script", .string(scriptPath)),
            ("completed", .array(completed.withLock { $0 }.map(Document.string))),
        ])
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
