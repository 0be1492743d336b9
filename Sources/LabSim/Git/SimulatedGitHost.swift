public import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The simulated lab's git host, standing in for GitHub as Flux uses it: bare repositories behind
/// a real OpenSSH sshd on a loopback port, spoken to by the real `git` (over `ssh`), reached as
/// user `git`. Only deploy keys registered for a repository get in, each limited to its own
/// repository and, unless it may write, to fetching: the git commands run through a gate
/// (`git-gate.sh`, then `git-shell`) that answers with GitHub's messages.
///
/// The server runs in namespaces of its own, as a simulated node does (`SimulatedNodeServer`,
/// docs/adr/0022): its tree `DIR/root` is `/`, the repositories are `/srv/git/OWNER/NAME.git`.
/// Its host key is made once and kept in `DIR`, so a `known_hosts` line stays valid across
/// restarts in the same directory; so are the deploy keys (`DIR/deploy-keys.json`), as GitHub
/// keeps them. Thread-safe.
public final class SimulatedGitHost: Sendable {
    /// The name clients know the host by (`github.com`).
    public let hostName: String
    let directory: String
    private let server = Mutex<SimulatedNodeServer?>(nil)
    private let keys = Mutex<[DeployKey]>([])

    /// A deploy key: who may do what to which repository.
    public struct DeployKey: Sendable, Equatable, Codable {
        /// `OWNER/NAME`.
        public var repository: String
        public var title: String
        /// The OpenSSH public key, `TYPE BASE64` (a comment is dropped).
        public var key: String
        public var readOnly: Bool
        /// The host's number for it (the API's `id`), given when it is added; 0 before.
        public var id = 0
        /// When it was added (RFC 3339), given when it is added.
        public var createdAt = ""

        public init(repository: String, title: String, key: String, readOnly: Bool) {
            self.repository = repository
            self.title = title
            self.key = key
            self.readOnly = readOnly
        }
    }

    /// A key of the account `owner` (a user's own SSH key on GitHub): it may fetch and push every
    /// repository of that owner. Takes effect for the next connection.
    public func addAccountKey(owner: String, key: String) throws(HLSError) {
        // An account key is a deploy key for every repository of the owner, which the gate reads
        // from the `OWNER/*` it is given.
        try addDeployKey(DeployKey(repository: owner + "/*", title: "account key", key: key, readOnly: false))
    }

    public init(directory: String, hostName: String = "github.com") {
        self.directory = directory
        self.hostName = hostName
    }

    var root: String { directory + "/root" }

    /// Starts the SSH server (and makes the host key the first time).
    public func start() throws(HLSError) {
        let fm = FileManager.default
        for path in [root + "/srv/git", root + "/home/git", root + "/etc", root + "/tmp"] {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw HLSError(.failed, "cannot prepare the simulated git host in \(directory)", cause: "\(error)")
            }
        }
        try loadKeys()
        let started = try SimulatedNodeServer(
            name: hostName, directory: directory + "/server", root: root, home: "/home/git", path: "/usr/bin:/bin",
            authorizedKeys: authorizedKeys(keys.withLock { $0 }),
            handing: [("git-gate.sh", String(decoding: PackageResources.git_gate_sh, as: UTF8.self))], login: "git")
        server.withLock { $0 = started }
    }

    /// Stops the server and every git command it runs.
    public func stop() {
        server.withLock { server in
            server?.stop()
            server = nil
        }
    }

    /// The loopback port the server listens on, while it runs.
    public var port: UInt16? { server.withLock { $0?.port } }

    /// The host's public key, `TYPE BASE64`, while it runs.
    public var hostPublicKey: String? { server.withLock { $0?.hostPublicKey } }

    /// Creates the bare repository `OWNER/NAME` with `branch` as its HEAD; one that exists stays as it is.
    public func createRepository(_ repository: String, branch: String = "main") throws(HLSError) {
        try Self.checkName(repository)
        let path = root + "/srv/git/" + repository + ".git"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let status = try ChildProcess(
            "/usr/bin/git", ["init", "--quiet", "--bare", "--initial-branch", branch, path],
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory]
        ).wait()
        guard status == 0 else { throw HLSError(.failed, "git init --bare \(path) failed (exit \(status))") }
    }

    /// The commit a branch of `OWNER/NAME` points at, or nil when it has none.
    public func head(of repository: String, branch: String = "main") -> String? {
        let ref = root + "/srv/git/" + repository + ".git/refs/heads/" + branch
        guard let text = try? String(contentsOfFile: ref, encoding: .utf8) else { return nil }
        return String(text.prefix { !$0.isWhitespace })
    }

    /// Registers a deploy key for `OWNER/NAME`, as GitHub's `POST /repos/{owner}/{repo}/keys`
    /// does: a key is in use at most once on the whole host ("key is already in use"), and a
    /// malformed one is refused ("key is invalid. You must supply a key in OpenSSH public key
    /// format"). Takes effect for the next connection.
    @discardableResult
    public func addDeployKey(_ key: DeployKey) throws(HLSError) -> DeployKey {
        // An account key's `OWNER/*` is checked as a repository of that owner.
        try Self.checkName(key.repository.hasSuffix("/*") ? key.repository.dropLast() + "any" : key.repository)
        let words = key.key.split(separator: " ")
        guard words.count >= 2, Self.keyTypes.contains(String(words[0])), Base64.decode(String(words[1])) != nil else {
            throw HLSError(.usage, "key is invalid. You must supply a key in OpenSSH public key format")
        }
        var added = key
        added.key = words.prefix(2).joined(separator: " ")
        added.createdAt = KubeTime.rfc3339(KubeTime.now())
        let all = try keys.withLock { (keys: inout [DeployKey]) throws(HLSError) -> [DeployKey] in
            guard !keys.contains(where: { $0.key == added.key }) else {
                throw HLSError(.failed, "key is already in use")
            }
            added.id = (keys.map(\.id).max() ?? 100_000) + 1
            keys.append(added)
            return keys
        }
        try writeAuthorizedKeys(all)
        return added
    }

    /// Whether `OWNER/NAME` exists on the host.
    public func hasRepository(_ repository: String) -> Bool {
        (try? Self.checkName(repository)) != nil
            && FileManager.default.fileExists(atPath: root + "/srv/git/" + repository + ".git")
    }

    /// The deploy keys of `OWNER/NAME`.
    public func deployKeys(of repository: String) -> [DeployKey] {
        keys.withLock { $0.filter { $0.repository == repository } }
    }

    /// Removes a deploy key (`DELETE /repos/{owner}/{repo}/keys/{id}`).
    public func removeDeployKey(_ key: String, from repository: String) throws(HLSError) {
        let all = keys.withLock { keys in
            keys.removeAll { $0.repository == repository && $0.key == key }
            return keys
        }
        try writeAuthorizedKeys(all)
    }

    /// Removes the deploy key numbered `id` of `OWNER/NAME`; false when it has none such.
    public func removeDeployKey(id: Int, from repository: String) throws(HLSError) -> Bool {
        guard let key = deployKeys(of: repository).first(where: { $0.id == id }) else { return false }
        try removeDeployKey(key.key, from: repository)
        return true
    }

    static let keyTypes: Set<String> = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    /// `OWNER/NAME`, each part of GitHub's characters.
    static func checkName(_ repository: String) throws(HLSError) {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(allowed.contains) })
        else { throw HLSError(.usage, "not a repository name (OWNER/NAME): \(repository)") }
    }

    /// One `authorized_keys` line per key: no forwarding, no terminal, only the gate.
    private func authorizedKeys(_ keys: [DeployKey]) -> [String] {
        keys.map { key in
            let mode = key.readOnly ? "ro" : "rw"
            let gate = "/bin/sh \(NodeNamespace.handedPath)/git-gate.sh '\(key.repository)' \(mode)"
            return #"restrict,command="\#(gate)" "# + key.key
        }
    }

    private var keysFile: String { directory + "/deploy-keys.json" }

    /// The keys an earlier run in this directory registered, as they were.
    private func loadKeys() throws(HLSError) {
        guard let data = FileManager.default.contents(atPath: keysFile) else { return }
        do {
            let saved = try JSONDecoder().decode([DeployKey].self, from: data)
            keys.withLock { $0 = saved }
        } catch {
            throw HLSError(.failed, "cannot read the simulated git host's deploy keys \(keysFile)", cause: "\(error)")
        }
    }

    /// Writes the keys to `keysFile` (to outlive a restart) and the server's `authorized_keys`.
    private func writeAuthorizedKeys(_ keys: [DeployKey]) throws(HLSError) {
        let path = directory + "/server/handed/authorized_keys"
        let text = authorizedKeys(keys).joined(separator: "\n") + "\n"
        try? FileManager.default.createDirectory(
            atPath: directory + "/server/handed", withIntermediateDirectories: true)
        guard let saved = try? JSONEncoder().encode(keys),
            FileManager.default.createFile(atPath: keysFile + ".new", contents: saved),
            rename(keysFile + ".new", keysFile) == 0
        else { throw HLSError(.failed, "cannot write \(keysFile)") }
        guard FileManager.default.createFile(atPath: path + ".new", contents: Data(text.utf8)),
            rename(path + ".new", path) == 0
        else { throw HLSError(.failed, "cannot write \(path)") }
    }
}
