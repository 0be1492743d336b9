import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A file of shell `export NAME='VALUE'` lines that another shell sources (`. DIR/env`) to reach
/// a simulated lab. It holds secrets (a token, a password), so only its owner may read it.
enum EnvironmentFile {
    /// Writes `variables`, sorted by name, to `path` with mode 0600, replacing what was there.
    static func write(_ variables: [String: String], to path: String) throws(HLSError) {
        let text = variables.sorted { $0.key < $1.key }.map { "export \($0.key)=\($0.value.shellQuoted)\n" }.joined()
        try writePrivate(text, to: path)
    }

    /// Writes `text` to `path` with mode 0600 (making its directory), replacing what was there.
    static func writePrivate(_ text: String, to path: String) throws(HLSError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot write \(path)", cause: "\(error)")
        }
        try? fm.removeItem(atPath: path)
        guard fm.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw HLSError(.failed, "cannot write \(path)")
        }
    }
}
