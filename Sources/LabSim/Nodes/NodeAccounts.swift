import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The accounts a simulated node's sshd needs in the node's own `/etc` (it looks users up there,
/// not on the host): `root`, sshd's privilege separation user `sshd` (used when it runs as root)
/// and the login the simulator's ssh_config names, which is the invoking user. As root that login
/// is `root`; as any other user it is that user, with the same uid (the node's user namespace maps
/// it to itself) and its home in the node. Missing entries are appended; existing ones stay. A
/// login other than the invoking user's (a git host's `git`) has the invoking user's uid too.
enum NodeAccounts {
    static func ensure(root: String, login: String, home: String) throws(HLSError) {
        var users = [
            "root:x:0:0:root:/root:/bin/bash",
            "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        ]
        var groups = ["root:x:0:", "nogroup:x:65534:"]
        var own: [String] = []
        if geteuid() != 0 || login != "root" {
            // As root, another login (a git host's `git`) is root under that name: sshd then
            // needs no user switch it may not make, and the login owns the tree's files.
            let user = "\(login):x:\(geteuid()):\(getegid()):\(login):\(home):/bin/bash"
            users = [user] + users.filter { name(of: $0) != login }
            groups = ["\(login):x:\(getegid()):"] + groups.filter { name(of: $0) != login }
            own = [login]
        }
        try merge(users, into: root + "/etc/passwd", replacing: own)
        try merge(groups, into: root + "/etc/group", replacing: own)
        try merge(
            ["passwd: files", "group: files", "shadow: files", "hosts: files dns"], into: root + "/etc/nsswitch.conf",
            replacing: [])
        for directory in ["/root", home] {
            try? FileManager.default.createDirectory(atPath: root + directory, withIntermediateDirectories: true)
        }
    }

    /// The first field of a passwd, group or nsswitch.conf line.
    private static func name<S: StringProtocol>(of line: S) -> String {
        String(line.prefix { $0 != ":" && $0 != " " })
    }

    /// Adds each of `lines` whose name has no line in the file yet, and puts the lines of the
    /// names in `replacing` in place of the file's.
    private static func merge(_ lines: [String], into path: String, replacing: [String]) throws(HLSError) {
        let fm = FileManager.default
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let existing = text.split(separator: "\n").map(String.init)
        let wanted = Dictionary(lines.map { (name(of: $0), $0) }) { first, _ in first }
        var merged = existing.map { line in replacing.contains(name(of: line)) ? wanted[name(of: line)] ?? line : line }
        let present = Set(existing.map { name(of: $0) })
        merged += lines.filter { !present.contains(name(of: $0)) }
        guard merged != existing else { return }
        do {
            try fm.createDirectory(
                atPath: FilePaths.directory(of: path), withIntermediateDirectories: true)
            try Data((merged.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        } catch {
            throw HLSError(.failed, "cannot write \(path) of a simulated node", cause: "\(error)")
        }
    }
}
