public import HLSCore
import HLSCrypto

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

/// Removing a host from an OpenSSH known_hosts file, as `ssh-keygen -R` does: when a VM is
/// destroyed its host key dies with it, and the next VM at that address has a new one, which
/// would otherwise be refused as a changed key forever.
public enum SSHKnownHostsFile {
    /// Removes `name` (`host` or `[host]:port`) from `path`: a line naming only it goes, a line
    /// naming it among others keeps the others; hashed names (`|1|salt|hash`) are matched too.
    /// Markers (`@revoked`, `@cert-authority`) and comments stay. Returns how many names went;
    /// the file is rewritten (atomically, same mode) only when something did.
    @discardableResult
    public static func forget(_ name: String, in path: String) throws(HLSError) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let text = String(decoding: data, as: UTF8.self)
        var removed = 0
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix("@"),
                let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" })
            else {
                kept.append(line)
                continue
            }
            let names = trimmed[..<space].split(separator: ",")
            let others = names.filter { !matches($0, name) }
            removed += names.count - others.count
            if others.count == names.count {
                kept.append(line)
            } else if !others.isEmpty {
                kept.append(Substring(others.joined(separator: ",") + trimmed[space...]))
            }
        }
        guard removed > 0 else { return 0 }
        let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0o600
        let temporary = path + ".hlsh-\(getpid())"
        let output = Data(kept.joined(separator: "\n").utf8)
        guard
            FileManager.default.createFile(atPath: temporary, contents: output, attributes: [.posixPermissions: mode]),
            rename(temporary, path) == 0
        else {
            unlink(temporary)
            throw HLSError(.failed, "cannot rewrite \(path) to forget \(name)", at: .host(name))
        }
        return removed
    }

    /// Whether a known_hosts name field entry (plain or `|1|salt|hash`) is `name`.
    static func matches(_ entry: Substring, _ name: String) -> Bool {
        guard entry.hasPrefix("|1|") else { return entry == name }
        let parts = entry.dropFirst(3).split(separator: "|")
        guard parts.count == 2, let salt = Data(base64Encoded: String(parts[0])),
            let hash = Data(base64Encoded: String(parts[1]))
        else { return false }
        return SHA.hmacSHA1(key: [UInt8](salt), message: Array(name.utf8)) == [UInt8](hash)
    }
}
