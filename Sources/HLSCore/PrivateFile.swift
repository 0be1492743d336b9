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

/// Files that hold a secret (a key, a kubeconfig, a decrypted SOPS file): written so that no
/// one else can read them at any moment, and replaced whole.
public enum PrivateFile {
    /// Writes `text` to `path` with mode 0600 from the start (never a moment at the umask's
    /// mode), through a temporary file renamed into place; a missing directory is made with mode
    /// 0700. `exclusive` refuses an existing file.
    public static func write(_ text: String, to path: String, exclusive: Bool = false) throws(HLSError) {
        let directory = FilePaths.directory(of: path)
        if !directory.isEmpty && FilePaths.kind(of: directory) == nil {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw HLSError(.failed, "cannot create \(directory)", at: .host(path), cause: HLSError.describe(error))
            }
        }
        if exclusive && FilePaths.kind(of: path) != nil {
            throw HLSError(.failed, "\(path) exists; it is never overwritten", at: .host(path))
        }
        let temporary = path + ".hlsh-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HLSError(.failed, "cannot write \(path)", at: .host(path), cause: String(cString: strerror(errno)))
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { writeBytes(fd, $0) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            let cause = String(cString: strerror(errno))
            unlink(temporary)
            throw HLSError(.failed, "cannot write \(path)", at: .host(path), cause: cause)
        }
    }
}

/// `write(2)` of all of `bytes` at once (outside `PrivateFile`, whose `write` would shadow it).
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    write(fd, bytes.baseAddress, bytes.count)
}
