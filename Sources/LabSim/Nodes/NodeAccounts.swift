import Foundation
import HLSCore

#if canImport(Glibc)
    import Glibc
#endif

/// The accounts a simulated node's sshd needs in the node's own `/etc` (it looks users up there,
/// not on the host): `root`, sshd's privilege separation user `sshd` (used when it runs as root)
/// and the login the simulator's ssh_config names, which is the invoking user. As root that login
/// is `root`; as any other user it is that user, with the same uid (the node's user namespace maps
/// it to itself) and its home in the node. Missing entries are appended; existing ones stay.
enum NodeAccounts {
    static func ensure(root: String, login: String, home: String) throws(HLSError) {
        var users = [
            "root:x:0:0:root:/root:/bin/bash",
            "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        ]
        var groups = ["root:x:0:", "nogroup:x:65534:"]
        if geteuid() != 0 {
            users.append("\(login):x:\(geteuid()):\(getegid()):\(login):\(home):/bin/bash")
            groups.append("\(login):x:\(getegid()):")
        }
        try append(users, to: root + "/etc/passwd", mode: 0o644)
        try append(groups, to: root + "/etc/group", mode: 0o644)
        try append(
            ["passwd: files", "group: files", "shadow: files", "hosts: files dns"], to: root + "/etc/nsswitch.conf",
            mode: 0o644)
        for directory in ["/root", home] {
            try? FileManager.default.createDirectory(atPath: root + directory, withIntermediateDirectories: true)
        }
    }

    /// Appends the lines whose first field (up to `:`) has no line yet.
    private static func append(_ lines: [String], to path: String, mode: Int) throws(HLSError) {
        let fm = FileManager.default
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let names = Set(text.split(separator: "\n").map { String($0.prefix { $0 != ":" && $0 != " " }) })
        let missing = lines.filter { !names.contains(String($0.prefix { $0 != ":" && $0 != " " })) }
        guard !missing.isEmpty else { return }
        let separator = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
        let updated = text + separator + missing.joined(separator: "\n") + "\n"
        do {
            try fm.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(updated.utf8).write(to: URL(fileURLWithPath: path))
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch {
            throw HLSError(.failed, "cannot write \(path) of a simulated node", cause: "\(error)")
        }
    }
}
