#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Path arithmetic on strings, as `NSString`'s `deletingLastPathComponent` and
/// `lastPathComponent` did (those need full Foundation; docs/adr/0023).
public enum FilePaths {
    /// `~/x` with `$HOME` for the `~` (`home` from the run's environment); `~` alone is `$HOME`;
    /// any other path, and `~user/x`, as they are.
    public static func expandingHome(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
        return home + path.dropFirst()
    }

    /// The directory part: `/a/b` → `/a`, `/a/b/` → `/a`, `/a` → `/`, `/` → `/`, `b` → ``.
    public static func directory(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = trimmingTrailingSlashes(trimmed[..<slash])
        return parent.isEmpty ? "/" : String(parent)
    }

    /// The last component: `/a/b` → `b`, `/a/b/` → `b`, `/` → `/`, `b` → `b`.
    public static func lastComponent(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `path` with `.` and `name/..` components and doubled slashes taken out, as
    /// `filepath.Clean` does: `a/./b/../c` → `a/c`, `/a/../..` → `/`, `../a` stays.
    public static func normalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part != ".." || !absolute {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    public enum Kind: Sendable { case file, directory, other }

    /// What `path` names, following symbolic links; nil when nothing is there (or it cannot be
    /// looked at).
    public static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    private static func trimmingTrailingSlashes(_ path: some StringProtocol) -> Substring {
        var s = Substring(path)
        while s.count > 1, s.last == "/" { s.removeLast() }
        return s
    }
}
