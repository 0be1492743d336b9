import HLSCore
import HLSCrypto
import HLSFormats
import HLSLanguage
import HLSTransport
import Inventory
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension FluxCommands {
    static let bootstrap = CommandSpec(
        ["flux", "bootstrap"],
        summary: "Install Flux from its pinned release and sync the cluster with the inventory's GitOps repository",
        discussion: """
            From the inventory's gitops: (url ssh://git@HOST/OWNER/REPO, branch, path, flux_version, \
            install_sha256, age_key_file): downloads the release's install.yaml over HTTPS and checks its \
            SHA-256; makes the deploy key (ECDSA P-384, or keeps the one in the flux-system Secret) and \
            registers it read-only (GitHub's deploy-key API when GITHUB_TOKEN is set, replacing a key of its \
            title that an interrupted run registered but never stored; else prints it and waits until the host \
            accepts it); commits flux-system/gotk-components.yaml, gotk-sync.yaml and \
            kustomization.yaml under the path and pushes them with git as you (your SSH keys or agent); \
            then, on the cluster: the install manifests by server-side apply (Namespace and CRDs first), the \
            controllers waited for, the flux-system Secret (identity, identity.pub, known_hosts from a scan \
            of the git host's key), the sops-age Secret (age.agekey), and the sync objects with \
            spec.decryption, waited for until Ready. A git host that cannot be reached, a key it refuses \
            or a branch that moved stops the bootstrap before the cluster is touched. Every step is skipped \
            when already done, so a second run changes nothing, and a run that failed half-way is \
            completed by the next.
            """,
        flags: [timeoutFlag, KubeCommands.contextFlag],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [Example("flux bootstrap", "install Flux and sync the cluster with git", needsLab: true)],
        implementation: .mutation { inv in try FluxBootstrap(inv).plan() })
}

/// One `flux bootstrap`: what it reads first (the inventory, the release, the cluster's and the
/// git host's state) and the changes it then makes, each only when needed.
struct FluxBootstrap {
    let inv: Invocation
    let settings: GitOpsSettings
    let environment: [String: String]
    let host: String
    let port: UInt16
    /// `OWNER/REPO`.
    let repository: String

    init(_ inv: Invocation) throws {
        self.inv = inv
        environment = inv.context.environment
        let lab = try LabState.require(inv)
        guard let settings = lab.gitops else {
            throw inv.failure(
                "the inventory has no gitops: section", hint: "add gitops: {url: ssh://git@github.com/OWNER/REPO}")
        }
        self.settings = settings
        // ssh://git@github.com[:port]/OWNER/REPO[.git]
        guard settings.url.hasPrefix("ssh://"), let at = settings.url.firstIndex(of: "@") else {
            throw inv.failure(
                "gitops.url must be an ssh:// URL with a user, not \(settings.url)",
                hint: "ssh://git@github.com/OWNER/REPO: the cluster fetches it with the deploy key")
        }
        let rest = settings.url[settings.url.index(after: at)...]
        let authority = rest.prefix { $0 != "/" }
        let parts = authority.split(separator: ":")
        host = String(parts.first ?? "")
        port = parts.count > 1 ? UInt16(parts[1]) ?? 22 : 22
        var path = String(rest.dropFirst(authority.count + 1))
        if path.hasSuffix(".git") { path.removeLast(4) }
        repository = path
    }

    var namespace: String { FluxCommands.defaultNamespace }
    var client: KubeClient { get throws { try FluxCommands.client(inv) } }
    var cancellation: Cancellation { inv.context.cancellation }

    func plan() throws -> ChangePlan {
        // nil: under --dry-run, a cluster an earlier step only planned; all of it is planned too.
        let client: KubeClient?
        do {
            client = try self.client
        } catch is NotThereYet {
            client = nil
        }
        // Read everything first: nothing below writes until the changes run.
        let install = try download()
        let knownHosts = try scanKnownHosts()
        let existing = try client?.getIfPresent(
            .secrets, "flux-system", namespace: namespace, cancellation: cancellation)
        let key: SSHKeyPair
        let madeNow: Bool
        if let identity = existing.flatMap({ decoded($0, "identity") }),
            let publicKey = existing.flatMap({ decoded($0, "identity.pub") })
        {
            key = SSHKeyPair(privateKey: identity, authorizedKey: publicKey)
            madeNow = false
        } else {
            key = SSHKeyPair.ecdsaP384(comment: "")
            madeNow = true
        }
        // The deploy key only reads (as flux's default); the user's own credentials push.
        let git = try FluxGit(privateKey: key.privateKey, knownHosts: knownHosts, environment: environment)
        let pusher = try FluxGit(privateKey: nil, knownHosts: knownHosts, environment: environment)
        // With a key the host already accepts, the repository is read now: what to commit, and the
        // head the push must still find. A deploy key the host does not know (yet, or any more:
        // removed on GitHub) leaves that to the user's key, which pushes: a branch that has the
        // files already gets no push. A key made just now is not asked about: no host knows it.
        let accepted = madeNow ? nil : (try? git.remoteHead(settings.url, branch: settings.branch))
        let head = accepted ?? (try? pusher.remoteHead(settings.url, branch: settings.branch))
        var changes: [Change] = []
        if accepted == nil {
            changes.append(
                Change(target: "deploy key of \(repository)", action: "register", detail: keyTitle) { _ in
                    try register(key, git: git)
                })
        }
        let files = self.files(install: install)
        let commit = try head.map { try commitNeeded(files, git: pusher, head: $0) } ?? true
        if commit {
            changes.append(
                Change(
                    target: "\(repository)@\(settings.branch)", action: "push",
                    detail: "\(settings.path)/flux-system: gotk-components.yaml, gotk-sync.yaml, kustomization.yaml"
                ) { _ in try push(files, git: pusher, expected: head) })
        }
        let documents = try YAMLCodec.decodeAll(String(decoding: install, as: UTF8.self)).filter { $0 != .null }
        if try !FluxApplied.unchanged(documents, client: client, cancellation: cancellation) {
            changes.append(
                Change(target: "Flux \(settings.fluxVersion)", action: "install", detail: "\(documents.count) objects")
                {
                    _ in try installComponents(documents, client: try self.client)
                })
        }
        var secretObjects = [
            secret(
                "flux-system",
                ["identity": key.privateKey, "identity.pub": key.authorizedKey, "known_hosts": knownHosts])
        ]
        if let ageFile = settings.ageKeyFile {
            let path = FilePaths.expandingHome(ageFile, environment: environment)
            if let age = FileManager.default.contents(atPath: path) {
                secretObjects.append(secret("sops-age", ["age.agekey": String(decoding: age, as: UTF8.self)]))
            } else if !inv.context.options.dryRun {
                // Under --dry-run, `secret age-keygen` may only have planned it.
                throw HLSError.unreadable(
                    path, "the age key file", kind: .configuration, at: .source(inv.location),
                    hint: "gitops.age_key_file in the inventory")
            }
        }
        let secrets = secretObjects
        let sync = try YAMLCodec.decodeAll(syncYAML).filter { $0 != .null }
        if try !FluxApplied.unchanged(secrets + sync, client: client, cancellation: cancellation) {
            changes.append(
                Change(target: "\(namespace)/flux-system", action: "sync", detail: "Secrets and the sync objects") {
                    _ in
                    let client = try self.client
                    for object in secrets + sync { try client.apply(object, force: true, cancellation: cancellation) }
                    for kind in [FluxKind.gitRepository, .kustomization] {
                        let object = try FluxCommands.object(
                            kind, "flux-system", namespace: namespace, client: client, inv: inv)
                        _ = try FluxCommands.waitReady(object, client: client, inv: inv)
                    }
                })
        }
        return ChangePlan(changes)
    }

    // MARK: Reading

    /// The release's install.yaml, over HTTPS (redirects followed, as GitHub's release downloads
    /// need), checked against the pinned SHA-256.
    func download() throws -> [UInt8] {
        var url = "https://github.com/fluxcd/flux2/releases/download/\(settings.fluxVersion)/install.yaml"
        for _ in 0..<5 {
            let response = try http.send(HTTPRequest(url: url), cancellation: cancellation)
            if (300..<400).contains(response.status), let location = response.headers["Location"] {
                url = location
                continue
            }
            let body = try response.checked(for: HTTPRequest(url: url)).body
            let sum = Hex.encode(SHA.sha256(body))
            if let pinned = settings.installSHA256, pinned.lowercased() != sum {
                throw inv.failure(
                    "install.yaml of Flux \(settings.fluxVersion) has SHA-256 \(sum), not the pinned \(pinned)",
                    hint: "the download was altered, or gitops.install_sha256 is of another release")
            }
            return body
        }
        throw inv.failure("too many redirects downloading \(url)")
    }

    /// The git host's key, scanned as `ssh-keyscan` does (through ssh_config's HostName and Port,
    /// as git's ssh reaches it), as the known_hosts line for the URL's host. A key the user's
    /// known_hosts (ssh_config's UserKnownHostsFile, else ~/.ssh/known_hosts) records otherwise,
    /// under the URL's host or the address, is refused before anything is registered or pushed.
    func scanKnownHosts() throws -> String {
        var address = host
        var connectPort = port
        let home = environment["HOME"] ?? "/"
        var knownHosts = [home + "/.ssh/known_hosts"]
        if let path = environment["HLSH_SSH_CONFIG"] {
            let config = try SSHConfig.load(path: path, home: home)
            let resolved = config.resolve(alias: host)
            address = resolved.hostName ?? host
            connectPort = resolved.port ?? port
            knownHosts = resolved.userKnownHostsFiles ?? knownHosts
        }
        let scanned = SSHEndpoint(user: "git", host: address, port: connectPort)
        let key: SSHHostKey
        do {
            key = try SSHSession.scanHostKey(scanned, cancellation: cancellation)
        } catch {
            throw inv.failure(
                "the git host \(host) cannot be reached: \(error.message)", hint: "check gitops.url and the network")
        }
        try key.checkRecorded(in: knownHosts, for: [SSHEndpoint(user: "git", host: host, port: port), scanned])
        return key.knownHostsLine(host: host, port: port)
    }

    /// The HTTPS client for GitHub: under a simulated lab, through its `HLSH_SIM_CONNECT_TO`
    /// mapping and with its CA (`HLSH_SIM_CA_FILE`), as the Kubernetes API is reached.
    var http: HTTPClient {
        HTTPClient(
            tls: TLSOptions(caFile: environment["HLSH_SIM_CA_FILE"]),
            connectTo: (environment["HLSH_SIM_CONNECT_TO"] ?? "").split(separator: ",").map(String.init))
    }

    /// The value of `key` of a Secret's `data`, decoded.
    func decoded(_ secret: Document, _ key: String) -> String? {
        guard let text = secret.string("data", key), let bytes = Data(base64Encoded: text) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    var keyTitle: String { "\(namespace)-\(settings.branch)-flux-system-./\(settings.path)" }

    // MARK: git

    /// The three files of `PATH/flux-system`, by their path in the repository.
    func files(install: [UInt8]) -> [(path: String, text: String)] {
        let folder = "\(settings.path)/flux-system"
        return [
            ("\(folder)/gotk-components.yaml", String(decoding: install, as: UTF8.self)),
            ("\(folder)/gotk-sync.yaml", syncYAML),
            (
                "\(folder)/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n"
            ),
        ]
    }

    /// gotk-sync.yaml as flux writes it, with the decryption of the age key when there is one.
    var syncYAML: String {
        let decryption =
            settings.ageKeyFile == nil
            ? "" : "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"
        return """
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata:
              name: flux-system
              namespace: flux-system
            spec:
              interval: 1m0s
              ref:
                branch: \(settings.branch)
              secretRef:
                name: flux-system
              url: \(settings.url)
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: flux-system
              namespace: flux-system
            spec:
            \(decryption)  interval: 10m0s
              path: ./\(settings.path)
              prune: true
              sourceRef:
                kind: GitRepository
                name: flux-system

            """
    }

    /// Clones the branch (or starts it, for an empty repository) into the key's folder.
    func checkout(_ git: FluxGit, head: String) throws -> String {
        let work = git.folder + "/repository"
        if FileManager.default.fileExists(atPath: work) { return work }
        if head.isEmpty {
            try check(git.run(["init", "-q", "-b", settings.branch, work]), "git init")
            try check(git.run(["remote", "add", "origin", settings.url], in: work), "git remote add")
        } else {
            try check(git.run(["clone", "-q", "-b", settings.branch, settings.url, work]), "git clone")
        }
        return work
    }

    /// Whether the branch lacks the files as they should be.
    func commitNeeded(_ files: [(path: String, text: String)], git: FluxGit, head: String) throws -> Bool {
        let work = try checkout(git, head: head)
        return files.contains { file in
            FileManager.default.contents(atPath: "\(work)/\(file.path)") != Data(file.text.utf8)
        }
    }

    /// Commits the files and pushes, provided the branch is still at `expected` (read now when nil).
    func push(_ files: [(path: String, text: String)], git: FluxGit, expected: String?) throws {
        let head = try expected ?? git.remoteHead(settings.url, branch: settings.branch)
        let work = try checkout(git, head: head)
        for file in files {
            let path = "\(work)/\(file.path)"
            try FileManager.default.createDirectory(
                atPath: String(path[..<path.lastIndex(of: "/")!]), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(file.text.utf8)) else {
                throw inv.failure("cannot write \(path)")
            }
        }
        try commitAndPush(work, git: git, head: head, message: "Add Flux \(settings.fluxVersion) sync manifests")
    }

    /// Commits what changed in the checkout `work` and pushes it with a lease: the branch must
    /// still be at `head` ("" for none yet), else the push stops, saying the branch moved.
    /// Nothing changed: no commit, no push, and the user is told so.
    func commitAndPush(_ work: String, git: FluxGit, head: String, message: String) throws {
        try check(git.run(["add", "-A"], in: work), "git add")
        if try git.run(["diff", "--cached", "--quiet"], in: work).status == 0 {
            inv.context.err("\(repository)@\(settings.branch): up to date, nothing pushed\n")
            return
        }
        try check(git.run(["commit", "-qm", message], in: work), "git commit")
        let pushed = try git.run(
            [
                "push", "-q", "--force-with-lease=refs/heads/\(settings.branch):\(head)", "origin",
                "HEAD:refs/heads/\(settings.branch)",
            ],
            in: work)
        guard pushed.status == 0 else {
            if pushed.output.contains("stale info") || pushed.output.contains("rejected") {
                throw inv.failure(
                    "branch \(settings.branch) of \(repository) moved under us (it was at \(head.isEmpty ? "nothing" : String(head.prefix(8))))",
                    hint: "run \(inv.spec.name) again: it reads the branch afresh", cause: pushed.output)
            }
            throw inv.failure("git push to \(settings.url) failed", cause: pushed.output)
        }
    }

    func check(_ result: (status: Int32, output: String), _ what: String) throws {
        guard result.status == 0 else { throw inv.failure("\(what) failed", cause: result.output) }
    }

    /// Registers the deploy key, read-only: through GitHub's API when GITHUB_TOKEN is set,
    /// else by asking the user to, waiting until the host accepts it. The key reaches the
    /// cluster only after Flux is installed, so a run stopped in between (Ctrl-C, a failure)
    /// leaves a registered key nobody holds: as flux's own bootstrap, a key of ours (by title)
    /// that is not this one is removed first.
    func register(_ key: SSHKeyPair, git: FluxGit) throws {
        if let token = environment["GITHUB_TOKEN"], !token.isEmpty {
            let keys = "https://api.github.com/repos/\(repository)/keys"
            func request(_ method: String, _ url: String, body: Document? = nil) throws -> HTTPResponse {
                var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/vnd.github+json")]
                if body != nil { headers.append(("Content-Type", "application/json")) }
                let text = body.map { JSONCodec.encode($0) }
                return try http.send(
                    HTTPRequest(
                        method: method, url: url, headers: HTTPHeaders(headers), body: text.map { Array($0.utf8) }),
                    cancellation: cancellation)
            }
            try removeStaleKeys(keeping: key, listed: request("GET", keys + "?per_page=100")) { id in
                try request("DELETE", keys + "/\(id)")
            }
            let response = try request(
                "POST", keys,
                body: .object([
                    ("title", .string(keyTitle)), ("key", .string(key.authorizedKey)), ("read_only", .bool(true)),
                ]))
            // 422 "key is already in use": registered by an earlier run, which the check below proves.
            guard response.isSuccess || response.status == 422 else {
                throw inv.failure(
                    "GitHub refused the deploy key of \(repository): HTTP \(response.status)",
                    hint: "GITHUB_TOKEN must be allowed to administer the repository's deploy keys",
                    cause: response.bodyText)
            }
            // Created on the repository the URL names, on GitHub itself: its SSH front takes it at
            // once, and the sync waits for source-controller's first fetch with it anyway. One
            // login less (~0.2 s); a key in use elsewhere (422), or another host, is still checked.
            if response.isSuccess, host == "github.com" { return }
        } else {
            inv.context.err(
                "Add this deploy key to \(repository), read-only (Settings → Deploy keys), titled \(keyTitle):\n\(key.authorizedKey)\nwaiting until the git host accepts it…\n"
            )
        }
        var poll = Poll(
            "the git host to accept the deploy key", timeout: inv.duration(defaulted: "timeout"), every: .seconds(2),
            cancellation: cancellation, at: .source(inv.location),
            hint: "register the key, then run flux bootstrap again")
        poll.timeoutMessage = "\(inv.spec.name): the git host refuses the deploy key of \(repository)"
        _ = try poll.until(showingOn: inv.context) { () throws -> Poll.Check<Void> in
            do {
                _ = try git.remoteHead(settings.url, branch: settings.branch)
                return .ready(())
            } catch let error as HLSError {
                return .pending(error.cause ?? "refused")
            }
        }
    }

    /// Deletes (with `delete`, by id) the deploy keys of `listed` (GitHub's list of them) that
    /// have this bootstrap's title but another key than `key`.
    func removeStaleKeys(keeping key: SSHKeyPair, listed: HTTPResponse, delete: (Int) throws -> HTTPResponse) throws {
        guard listed.isSuccess, case .array(let entries)? = try? JSONCodec.decode(listed.bodyText) else {
            throw inv.failure(
                "GitHub did not list the deploy keys of \(repository): HTTP \(listed.status)",
                hint: "GITHUB_TOKEN must be allowed to administer the repository's deploy keys",
                cause: listed.bodyText)
        }
        let ours = key.authorizedKey.split(separator: " ").prefix(2)
        for entry in entries {
            guard case .string(keyTitle)? = entry["title"], case .int(let id)? = entry["id"],
                case .string(let text)? = entry["key"], text.split(separator: " ").prefix(2) != ours
            else { continue }
            let deleted = try delete(id)
            guard deleted.isSuccess || deleted.status == 404 else {
                throw inv.failure(
                    "GitHub did not delete the stale deploy key \(id) of \(repository): HTTP \(deleted.status)",
                    cause: deleted.bodyText)
            }
            inv.context.err(
                "flux bootstrap: removed deploy key \(id) of \(repository), which the cluster does not hold (an earlier run stopped before storing it, or the cluster was rebuilt)\n"
            )
        }
    }

    // MARK: Cluster

    /// A Secret of flux-system with these entries.
    func secret(_ name: String, _ entries: [String: String]) -> Document {
        .object([
            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
            ("metadata", .object([("name", .string(name)), ("namespace", .string(namespace))])),
            ("type", .string("Opaque")),
            (
                "data",
                .object(
                    entries.sorted { $0.key < $1.key }.map {
                        ($0.key, .string(Data($0.value.utf8).base64EncodedString()))
                    })
            ),
        ])
    }

    /// Applies the install manifests: Namespaces and CRDs first (each CRD waited for until
    /// Established), then the rest; then waits for the controllers' Deployments.
    func installComponents(_ documents: [Document], client: KubeClient) throws {
        let first = documents.filter { ["Namespace", "CustomResourceDefinition"].contains($0.string("kind") ?? "") }
        for object in first {
            try client.apply(object, force: true, cancellation: cancellation)
            if object.string("kind") == "CustomResourceDefinition", let name = object.string("metadata", "name") {
                try KubeCommands.waitEstablished(name, client: client, inv: inv)
            }
        }
        for object in documents where !first.contains(object) {
            try client.apply(object, force: true, cancellation: cancellation)
        }
        for object in documents where object.string("kind") == "Deployment" {
            guard let name = object.string("metadata", "name") else { continue }
            var poll = Poll(
                "deployment \(name) (available)", timeout: inv.duration(defaulted: "timeout"), every: .seconds(2),
                cancellation: cancellation, at: .source(inv.location),
                hint: "look at its pods: kube get pods -n \(namespace)")
            poll.timeoutMessage = "\(inv.spec.name): the Flux controller \(name) is not available"
            _ = try KubeObjectWait(client: client, resource: .deployments, name: name, namespace: namespace).until(
                poll, context: inv.context
            ) { deployment -> Poll.Check<Void> in
                guard let deployment else { return .pending("not found") }
                return FluxCommands.deploymentState(deployment).map { .pending($0) } ?? .ready(())
            }
        }
    }
}

/// Whether objects are on the cluster as applying them would leave them: each exists and a
/// server-side dry-run apply changes none of its fields (the comparison of `flux diff`).
enum FluxApplied {
    /// - Parameter client: nil for a cluster that is not there yet (nothing is unchanged).
    static func unchanged(_ objects: [Document], client: KubeClient?, cancellation: Cancellation) throws -> Bool {
        guard let client else { return false }
        for object in objects {
            guard let apiVersion = object.string("apiVersion"), let kind = object.string("kind"),
                let name = object.string("metadata", "name"),
                let resource = try? client.resource(apiVersion: apiVersion, kind: kind, cancellation: cancellation),
                let existing = try client.getIfPresent(
                    resource, name, namespace: object.string("metadata", "namespace"), cancellation: cancellation)
            else { return false }
            let result = try client.apply(object, force: true, dryRun: true, cancellation: cancellation)
            if !FluxCommands.changedPaths(
                FluxCommands.comparable(existing), FluxCommands.comparable(result), prefix: ""
            ).isEmpty {
                return false
            }
        }
        return true
    }
}
