import HLSCore
import HLSCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SSH connections to git hosts that this hlsh process made with the user's own credentials
/// (`FluxGit` without a deploy key), shared by every verb of the process: `flux bootstrap` logs
/// in once, and the `flux scaffold --push` after it in the same runbook opens channels on that
/// login instead of logging in again (docs/adr/0061).
///
/// The sockets live in one private folder of this process (mode 0700, made on first use in
/// `TMPDIR`), never another process's nor another user's. A socket's name carries a digest of
/// what the connection was made with (the ssh_config hlsh wrote for git, the host keys it was
/// verified against, the identities and agent offered), then OpenSSH's `%C` (host, port, user):
/// a verb that would connect otherwise — another known_hosts, another config — logs in anew
/// and checks the host key itself, never riding a connection made under other terms. At the
/// process's exit every connection is ended (`ssh -O exit`) and the folder removed; one idle for
/// `FluxGit.persist` seconds ends before that, and so do those of a process killed outright.
enum UserGitConnections {
    private struct State {
        var folder: String?
        /// The `PATH` the connections' ssh was found in, for ending them.
        var path = "/usr/bin:/bin"
        var endsAtExit = false
    }
    private static let state = Mutex(State())

    /// The `ControlPath` for a connection made with `terms` (everything that decides how ssh
    /// connects and what it trusts), in this process's folder; nil when the folder cannot be made
    /// or the path would not fit a Unix socket's 107 bytes (ssh then logs in for each command).
    static func controlPath(terms: String, environment: [String: String]) -> String? {
        let digest = Hex.encode(Array(SHA.sha256(Array(terms.utf8)).prefix(8)))
        return state.withLock { state -> String? in
            if state.folder == nil {
                var template = Array("\(environment["TMPDIR"] ?? "/tmp")/hlsh-git-mux.XXXXXX".utf8CString)
                guard let made = mkdtemp(&template) else { return nil }
                state.folder = String(cString: made)
                state.path = environment["PATH"] ?? state.path
            }
            if !state.endsAtExit {
                state.endsAtExit = true
                atexit { UserGitConnections.endAll() }
            }
            guard let folder = state.folder else { return nil }
            let path = "\(folder)/\(FluxGit.controlPrefix)\(digest)-%C"
            // %C is 40 hex digits; ssh first binds the path with a 17-byte random suffix.
            return path.utf8.count - 2 + 40 + 17 < 108 ? path : nil
        }
    }

    /// Ends every connection of the process and removes its folder.
    static func endAll() {
        let (folder, path) = state.withLock { state in
            defer { state.folder = nil }
            return (state.folder, state.path)
        }
        guard let folder else { return }
        FluxGit.endConnections(in: folder, environment: ["PATH": path])
        try? FileManager.default.removeItem(atPath: folder)
    }
}
