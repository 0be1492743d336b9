import HLSCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `git` program run for `flux bootstrap`, as one of two identities: the cluster's deploy
/// key (`privateKey`: written to a 0600 file of a temporary folder and named by `-i` in
/// `GIT_SSH_COMMAND`, so it is never in an argument list or a log), which only reads; or, with
/// no key, the user's own SSH credentials (their keys and agent, as `git push` from their shell
/// would use), which push. The machine's system git configuration is left out
/// (`GIT_CONFIG_NOSYSTEM`: it may rewrite the host), and the user's too (`GIT_CONFIG_GLOBAL`);
/// ssh runs in batch mode (a refused key fails at once instead of asking). The host key
/// bootstrap scanned (the one the cluster will trust) is known to both identities beside the
/// system's and the user's known_hosts, so a first contact with the git host does not fail host
/// key verification.
///
/// OpenSSH finds `~/.ssh` (its config, default keys and known_hosts) under the passwd entry's
/// home, not `$HOME`; hlsh's own SSH reads them under `$HOME`. So ssh is given its own config
/// (`-F`, in the folder): it includes the ssh_config hlsh reads (`HLSH_SSH_CONFIG`, else
/// `$HOME/.ssh/config`), then names `$HOME/.ssh/known_hosts` and only the keys meant
/// (`IdentityFile none` when there are none, so ssh adds no default ones). A rehearsal in a
/// throwaway `HOME` thus never uses, nor is broken by, the real home's keys and config.
///
/// The git commands of one identity share one SSH connection (OpenSSH's connection sharing:
/// `ControlMaster=auto`, a `ControlPath` socket, `ControlPersist`): the first login stays open
/// in the background and the next `ls-remote`, `clone` or `push` opens a channel on it instead
/// of logging in again (docs/adr/0052). A deploy key's socket is in the folder, and `deinit`
/// ends its connection (`ssh -O exit`); the user's own connection serves every verb of the
/// process and ends at its exit (`UserGitConnections`, docs/adr/0061).
final class FluxGit: Sendable {
    let folder: String
    /// The environment git runs in (`GIT_SSH_COMMAND` among it).
    let environment: [String: String]
    /// Whose key this is, for messages: the deploy key, or the user's own.
    private let deployKey: Bool

    /// Makes the folder in `TMPDIR` (default /tmp) and writes the key and known_hosts into it.
    /// `deinit` removes it, whatever ends the run (an error, Ctrl-C), also a failed write here:
    /// every property is set before the first write, so a throwing init still runs `deinit`.
    /// - Parameter sharesConnection: whether the commands share one SSH connection. Under
    ///   `ControlPersist` OpenSSH sends a `ProxyCommand`'s standard error to /dev/null, so a
    ///   check that must show the remote's own words (`lab doctor`) passes false.
    init(privateKey: String?, knownHosts: String, environment: [String: String], sharesConnection: Bool = true) throws {
        let temporary = environment["TMPDIR"] ?? "/tmp"
        Self.sweepLeftovers(in: temporary)
        var template = Array("\(temporary)/\(Self.folderPrefix)\(getpid()).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HLSError(.failed, "cannot make a temporary folder") }
        let folder = String(cString: made)
        let userHome = environment["HOME"] ?? folder
        let knownFiles = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2", "\(folder)/known_hosts"]
        let sshConfig = folder + "/ssh_config"
        var ssh = "ssh -F \(sshConfig.shellQuoted) -o BatchMode=yes"
        ssh += " -o " + Self.option("GlobalKnownHostsFile", knownFiles, tokens: false).shellQuoted
        var home = folder
        let keyFile = folder + "/identity"
        var identities: [String] = []
        if privateKey != nil {
            // `-i` is one word already; ssh expands `%` tokens in it.
            ssh += " -i \(keyFile.replacing("%", with: "%%").shellQuoted) -o IdentitiesOnly=yes"
        } else {
            home = userHome
            // The user's default keys under hlsh's HOME, as its own SSH finds them. The agent's
            // keys count too.
            identities = ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
                .filter { FileManager.default.fileExists(atPath: $0) }
        }
        var userConfig =
            environment["HLSH_SSH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? userHome + "/.ssh/config"
        // An Include that is not absolute would be looked for under the passwd entry's ~/.ssh.
        if !userConfig.hasPrefix("/") { userConfig = FileManager.default.currentDirectoryPath + "/" + userConfig }
        var config = ""
        // The first value ssh reads wins: the user's config first, then these defaults.
        if FileManager.default.fileExists(atPath: userConfig) {
            config += Self.option("Include", [userConfig], tokens: false) + "\n"
        }
        config += "Host *\n"
        config += "  " + Self.option("UserKnownHostsFile", [userHome + "/.ssh/known_hosts"], tokens: true) + "\n"
        for identity in privateKey == nil ? (identities.isEmpty ? ["none"] : identities) : [] {
            config += "  " + Self.option("IdentityFile", [identity], tokens: true) + "\n"
        }
        // A Unix socket's path has room for 107 bytes (ssh first binds it with a 17-byte random
        // suffix): with a TMPDIR too long for it, every command logs in on its own. The user's
        // own connection serves the whole process (`UserGitConnections`); a deploy key's, this
        // identity's commands only.
        var controlPath: String?
        if sharesConnection, privateKey == nil {
            // The terms of the connection: hlsh's config for git, the user's config it includes
            // (as it reads now), the host keys trusted, the agent.
            let included = FileManager.default.contents(atPath: userConfig).map { String(decoding: $0, as: UTF8.self) }
            let terms = [config, included ?? "", knownHosts, environment["SSH_AUTH_SOCK"] ?? ""]
            controlPath = UserGitConnections.controlPath(terms: terms.joined(separator: "\n"), environment: environment)
        } else if sharesConnection, (folder + "/" + Self.controlPrefix).utf8.count + 40 + 17 < 108 {
            controlPath = folder + "/" + Self.controlPrefix + "%C"
        }
        if let controlPath {
            ssh +=
                " -o ControlMaster=auto -o \(("ControlPath=" + controlPath).shellQuoted) -o ControlPersist=\(Self.persist)"
        }
        var variables = [
            "PATH": environment["PATH"] ?? "/usr/bin:/bin", "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_SSH_COMMAND": ssh, "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "hlsh", "GIT_AUTHOR_EMAIL": "hlsh@localhost", "GIT_COMMITTER_NAME": "hlsh",
            "GIT_COMMITTER_EMAIL": "hlsh@localhost",
        ]
        if privateKey == nil, let agent = environment["SSH_AUTH_SOCK"] { variables["SSH_AUTH_SOCK"] = agent }
        self.folder = folder
        self.environment = variables
        deployKey = privateKey != nil
        try PrivateFile.write(knownHosts + "\n", to: folder + "/known_hosts")
        try PrivateFile.write(config, to: sshConfig)
        if let privateKey { try PrivateFile.write(privateKey, to: keyFile) }
    }

    /// `Name=a b` as ssh reads an option of file names (`-o` or a config line): each name one
    /// word, double-quoted when it has a space, a quote or a backslash (those escaped), so a path
    /// with a space stays one; `%` doubled for an option whose `tokens` ssh expands.
    static func option(_ name: String, _ paths: [String], tokens: Bool) -> String {
        let words = paths.map { path in
            let text = tokens ? path.replacing("%", with: "%%") : path
            guard text.contains(where: { " \t\"'\\".contains($0) }) else { return text }
            return "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return name + "=" + words.joined(separator: " ")
    }

    /// The name of the shared connections' sockets in the folder, ahead of ssh's hash of the
    /// connection (`%C`: host, port, user).
    static let controlPrefix = "mux-"
    /// How long a shared connection stays open after its last command, should `deinit` not
    /// run (the process killed): it then ends on its own.
    static let persist = "60"

    deinit {
        stopSharedConnections()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The folders' names: the prefix, the PID of the hlsh that made it, a random suffix.
    static let folderPrefix = "hlsh-flux-git."
    /// The temporary folders this process has swept.
    private static let swept = Mutex<Set<String>>([])

    /// Removes the folders that an hlsh killed before its `deinit` ran left in `temporary` (a
    /// deploy key's among them): ours (same user) whose PID no longer runs. A folder of a live
    /// process, another user's, or one of unknown shape is left alone.
    static func sweepLeftovers(in temporary: String) {
        // Once per folder and process: a /tmp of thousands of entries is not listed for each verb.
        guard swept.withLock({ $0.insert(temporary).inserted }),
            let names = try? FileManager.default.contentsOfDirectory(atPath: temporary)
        else { return }
        for name in names where name.hasPrefix(folderPrefix) {
            let fields = name.dropFirst(folderPrefix.count).split(separator: ".")
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, pid != getpid() else { continue }
            // Alive, or another user's (EPERM): not ours to remove.
            guard kill(pid, 0) == -1, errno == ESRCH else { continue }
            let path = temporary + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_uid == getuid(), info.st_mode & S_IFMT == S_IFDIR else { continue }
            endConnections(in: path, environment: ["PATH": "/usr/bin:/bin"])
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Ends the shared connections this identity's git commands opened in its folder (a deploy
    /// key's; the user's own serve the process and end at its exit: `UserGitConnections`).
    func stopSharedConnections() {
        Self.endConnections(in: folder, environment: environment)
    }

    /// Ends the shared connections whose sockets are in `folder` (`ssh -O exit`, by socket).
    static func endConnections(in folder: String, environment: [String: String]) {
        let sockets = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for socket in sockets where socket.hasPrefix(controlPrefix) {
            let stop = try? ChildProcess(
                "/usr/bin/env", ["ssh", "-o", "ControlPath=\(folder)/\(socket)", "-O", "exit", "git-host"],
                environment: environment)
            stop?.wait()
        }
    }

    /// Runs `git ARGS` (in `directory`); its status and what it wrote (stdout and stderr together).
    @discardableResult
    func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let log = folder + "/git.log"
        let child = try ChildProcess(
            "/usr/bin/git", ["-C", directory ?? folder] + arguments, environment: environment,
            stdout: .file(log, append: false), stderr: .file(log, append: true))
        let status = child.wait()
        let output = FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, output.trimmingWhitespace())
    }

    /// The commit `branch` points at on `url` ("" for a branch that does not exist yet).
    /// - Throws: the host refusing the key or not answering, with git's words.
    func remoteHead(_ url: String, branch: String) throws -> String {
        let (status, output) = try run(["ls-remote", url, "refs/heads/\(branch)"])
        guard status == 0 else {
            throw HLSError(
                .failed,
                "the git host refuses \(deployKey ? "the deploy key" : "your SSH key"), or cannot be reached: \(url)",
                hint: deployKey
                    ? "is the key registered (GitHub: Settings → Deploy keys)?"
                    : "can you push to it with git from this shell (your keys or agent)? `hlsh lab doctor` shows "
                        + "what the way to the remote says", cause: output)
        }
        return output.split(separator: "\t").first.map(String.init) ?? ""
    }
}
