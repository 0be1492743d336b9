#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HLSError {
    /// A file or folder that hlsh was asked to read and cannot: one named on the command line or
    /// in a script (`kube apply -f`, `flux validate`, a kustomization's entry, `secret encrypt`,
    /// `source`, `hlsh FILE.hls`) or one it reads to reach the lab. The command was understood,
    /// so it is never a usage error: exit 1, as kubectl and ansible-playbook exit for a missing
    /// file (ADR 0054). Kind `.failed`, or `.configuration` for a file hlsh reads to reach the lab
    /// (ADR 0043); the cause is the system's word for why (`No such file or directory`).
    /// - Parameters:
    ///   - what: what the file is to the user, before its path (`the inventory`), if anything.
    ///   - folder: whether a folder was to be listed (a file there is "Not a directory").
    public static func unreadable(
        _ path: String, _ what: String? = nil, folder: Bool = false, kind: Kind = .failed, at place: Place? = nil,
        hint: String? = "check the path and its permissions"
    ) -> HLSError {
        HLSError(
            kind, "cannot read " + (what.map { $0 + " " } ?? "") + path, at: place, hint: hint,
            cause: whyUnreadable(path, folder: folder))
    }

    /// Why `path` cannot be opened (as a folder when `folder`), in the system's words; nil when it
    /// can be now.
    static func whyUnreadable(_ path: String, folder: Bool) -> String? {
        if folder {
            guard let directory = opendir(path) else { return String(cString: strerror(errno)) }
            closedir(directory)
            return nil
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        return FilePaths.kind(of: path) == .directory ? String(cString: strerror(EISDIR)) : nil
    }
}
