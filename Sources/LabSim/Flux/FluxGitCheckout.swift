import HLSCore
import HLSCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// source-controller's git operations, with the real `git` over `ssh`: the Secret's `identity`
/// and `known_hosts` go to a private temporary directory (mode 0700, files 0600), passed to ssh
/// by path (never the key in an argument), with strict host key checking. Host names map to
/// loopback ports through an ssh_config the controller writes (`Host github.com` → `HostName
/// 127.0.0.1`, `Port N`, `HostKeyAlias github.com`), as the lab's `ssh_config` maps its nodes.
struct FluxGitCheckout {
    /// Host name → loopback port of the lab's git host.
    var hosts: [String: UInt16]
    var identity: String
    var knownHosts: String

    /// The key exchanges of Go's x/crypto/ssh client (its `defaultKexAlgos`) that OpenSSH 9.2's
    /// client also knows, in Go's order of preference.
    static let goKeyExchanges =
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256"

    struct Failure: Error {
        var message: String
    }

    /// The commit `branch` of `url` points at: asked for alone (`git ls-remote`) when `into` is
    /// nil; else cloned, its tree (without `.git`) moved to `into(commit)`.
    func fetch(_ url: String, branch: String, into: ((String) -> String)?) throws(Failure) -> String {
        // The simulator never reaches past loopback: a host the lab does not map does not resolve.
        let host = Self.host(of: url)
        guard hosts[host] != nil || host == "127.0.0.1" || host == "localhost" else {
            throw Failure(
                message:
                    "ssh: Could not resolve hostname \(host): Name or service not known\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists."
            )
        }
        let scratch = try Self.privateDirectory()
        defer { _ = try? FileManager.default.removeItem(atPath: scratch) }
        try write(scratch + "/identity", identity.hasSuffix("\n") ? identity : identity + "\n")
        try write(scratch + "/known_hosts", knownHosts)
        var config = ""
        for (host, port) in hosts.sorted(by: { $0.key < $1.key }) {
            config += "Host \(host)\n  HostName 127.0.0.1\n  Port \(port)\n  HostKeyAlias \(host)\n"
        }
        try write(scratch + "/ssh_config", config)
        // source-controller speaks SSH through Go's golang.org/x/crypto/ssh, whose key exchanges
        // are these (and mlkem768x25519-sha256, which this OpenSSH client does not know, nor the
        // git host's 9.2 server): never OpenSSH's default sntrup761x25519, which costs the
        // client ~70 ms of CPU per fetch here.
        let ssh = [
            "ssh", "-F", scratch + "/ssh_config", "-i", scratch + "/identity", "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + scratch + "/known_hosts",
            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10", "-o", "KexAlgorithms=" + Self.goKeyExchanges,
        ].joined(separator: " ")
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": scratch, "GIT_SSH_COMMAND": ssh, "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
        ]
        guard let into else {
            let listed = try run(["ls-remote", url, "refs/heads/" + branch], environment, scratch)
            guard let commit = listed.split(separator: "\t").first, commit.count == 40 else {
                throw Failure(message: "couldn't find remote ref \"refs/heads/\(branch)\"")
            }
            return String(commit)
        }
        let checkout = scratch + "/checkout"
        _ = try run(
            ["clone", "--quiet", "--depth", "1", "--single-branch", "--branch", branch, "--no-tags", url, checkout],
            environment, scratch)
        let commit = try run(["-C", checkout, "rev-parse", "HEAD"], environment, scratch)
            .trimmingWhitespace()
        _ = try? FileManager.default.removeItem(atPath: checkout + "/.git")
        let tree = into(commit)
        _ = try? FileManager.default.removeItem(atPath: tree)
        do {
            try FileManager.default.createDirectory(
                atPath: String(tree[..<(tree.lastIndex(of: "/") ?? tree.endIndex)]), withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: checkout, toPath: tree)
        } catch {
            throw Failure(message: "failed to store artifact: \(error)")
        }
        return commit
    }

    /// The host of an `ssh://[user@]host[:port]/path` or `[user@]host:path` URL.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(rest.prefix { $0 != ":" && $0 != "/" })
    }

    private func run(_ arguments: [String], _ environment: [String: String], _ scratch: String) throws(Failure)
        -> String
    {
        let out = scratch + "/out"
        let err = scratch + "/err"
        let status: Int32
        do {
            // From the scratch directory: git must not find a repository around the simulator's own
            // working directory.
            status = try ChildProcess(
                "/usr/bin/git", ["-C", scratch] + arguments, environment: environment,
                stdout: .file(out, append: false),
                stderr: .file(err, append: false)
            ).wait()
        } catch {
            throw Failure(message: error.message)
        }
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let text = ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { !$0.hasPrefix("Warning: Permanently added") }
                .joined(separator: "\n").trimmingWhitespace()
            throw Failure(message: text.isEmpty ? "git exited with status \(status)" : text)
        }
        return output
    }

    private func write(_ path: String, _ text: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Failure(message: "cannot write \(path)")
        }
    }

    private static func privateDirectory() throws(Failure) -> String {
        var template = Array("/tmp/source-controller-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(message: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// `sha256:<hex>` over the tree's files (path and content, in path order): the artifact's digest.
    static func digest(of directory: String) -> String {
        var bytes: [UInt8] = []
        func walk(_ relative: String) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory + relative)) ?? []).sorted()
            for name in names {
                let file = relative + "/" + name
                var isDirectory = false
                _ = FileManager.default.fileExists(atPath: directory + file, isDirectory: &isDirectory)
                if isDirectory {
                    walk(file)
                } else if let data = FileManager.default.contents(atPath: directory + file) {
                    bytes += Array(file.utf8) + [0] + Array(data) + [0]
                }
            }
        }
        walk("")
        return "sha256:" + Hex.encode(SHA.sha256(bytes))
    }
}
