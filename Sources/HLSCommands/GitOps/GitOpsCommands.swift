import HLSCore
import HLSFormats
import HLSLanguage
import Inventory
import Kube
import Secrets

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `flux scaffold DIR`: the seed's GitOps repository for the lab in use (`GitOpsTree`), written
/// beside what is already there: a missing file is added, a file as hlsh would write it is no
/// change, and a file the user changed is kept and reported, never overwritten. With `--push`
/// the working tree is a fresh clone of the inventory's gitops: remote, and what was added is
/// committed and pushed with a lease (docs/adr/0032).
enum GitOpsCommands {
    static func register(into registry: inout Registry) {
        registry.register(scaffold)
    }

    static let scaffold = CommandSpec(
        ["flux", "scaffold"], summary: "Write the lab's GitOps repository layout (never overwrites your changes)",
        discussion: """
            Writes kubernetes/clusters/<name>/ (the infrastructure, infrastructure-configs and apps \
            Kustomizations, in that dependsOn order), the controllers' HelmReleases (Traefik, \
            cert-manager, Longhorn with a replica count that fits the lab's nodes, kube-prometheus-stack, \
            Loki, Alloy), the ClusterIssuers with a SOPS-encrypted DNS-01 token (from \
            $CLOUDFLARE_API_TOKEN, else a placeholder to replace), the Traefik middlewares, the wildcard \
            certificate, an example app with an Ingress, a certificate and a Longhorn volume, .sops.yaml \
            and a CI workflow that runs `hlsh flux validate`. The age recipient comes from --age or the \
            age key file (--key-file, default sops's ~/.config/sops/age/keys.txt). --push instead of DIR \
            scaffolds a temporary clone of the inventory's gitops: branch and, when something was added, \
            commits it and pushes as you (your SSH keys or agent) with a lease: a branch that moved \
            meanwhile stops the push, and the next run reads it afresh.
            """,
        positionals: [
            Parameter("dir", .path, "the GitOps repository's working tree (or --push)", optional: true)
        ],
        flags: [
            Flag("age", .string, "the age recipient (age1…) the secrets are encrypted to"),
            Flag("key-file", .path, "an age identity file whose recipient to use"),
            Flag("push", "scaffold the inventory's gitops: remote and push what was added"),
        ],
        columns: ["target", "action", "detail", "status"],
        examples: [
            Example(
                "flux scaffold gitops",
                "the lab's repository in ./gitops, its secrets encrypted to the key `secret age-keygen` made",
                needsLab: true),
            Example(
                #"flux scaffold gitops | where action == "keep""#,
                "again, after edits: the files you changed, which it keeps", needsLab: true),
        ],
        implementation: .mutation { inv in
            switch (inv.string("dir"), inv.flag("push")) {
            case (nil, false):
                throw inv.usage(
                    "say where the tree goes: a working tree DIR to write it in, or --push to commit it to the lab's git remote"
                )
            case (_?, true): throw inv.usage("give the working tree DIR, or --push, not both")
            default: break
            }
            let lab = try LabState.require(inv)
            guard let domain = lab.domain else {
                throw inv.failure("the lab has no domain", hint: "add `domain: home.example.com` to \(lab.file)")
            }
            let recipient = try ageRecipient(inv)
            let tree = GitOpsTree(
                domain: domain, clusterPath: lab.gitops?.path ?? "kubernetes/clusters/\(lab.name)",
                nodes: lab.vms.count, ageRecipient: recipient?.text ?? "age1-the-key-secret-age-keygen-makes")
            guard let root = inv.string("dir") else { return try pushPlan(tree, recipient: recipient, inv: inv) }
            let (changes, kept) = try additions(tree, root: root, recipient: recipient, inv: inv)
            return plan(changes, kept: kept)
        })

    /// The files to create under `root` (the tree's, as changes) and those kept because they
    /// differ from the scaffold.
    static func additions(_ tree: GitOpsTree, root: String, recipient: AgeRecipient?, inv: Invocation) throws
        -> (changes: [Change], kept: [String])
    {
        var changes: [Change] = []
        var kept: [String] = []
        for (path, text) in tree.files() {
            let file = root + "/" + path
            if let existing = FileManager.default.contents(atPath: file) {
                if String(decoding: existing, as: UTF8.self) != text { kept.append(path) }
                continue
            }
            changes.append(
                Change(target: path, action: "create") { _ in try write(text, to: file) })
        }
        if !FileManager.default.fileExists(atPath: root + "/" + tree.secretPath) {
            let token = inv.context.environment["CLOUDFLARE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            changes.append(
                Change(
                    target: tree.secretPath, action: "create",
                    detail: token == nil
                        ? "SOPS-encrypted placeholder REPLACE-ME (no CLOUDFLARE_API_TOKEN): to replace it, set the "
                            + "variable, delete this file and scaffold again (scaffold never overwrites a file)"
                        : "SOPS-encrypted $CLOUDFLARE_API_TOKEN"
                ) { _ in
                    guard let recipient else { throw HLSError(.failed, "no age key to encrypt the DNS token to") }
                    let plain = try YAMLCodec.decodeAll(GitOpsTree.dnsTokenSecret(token ?? "REPLACE-ME"))
                    let encrypted = try SOPSFile.encrypt(
                        plain, to: [recipient], selection: .kubernetesSecret, lastModified: RFC3339.now())
                    try write(
                        encrypted.map(YAMLCodec.encode).joined(separator: "---\n"), to: root + "/" + tree.secretPath
                    )
                })
        }
        return (changes, kept)
    }

    /// `--push`: the additions to a temporary clone of the inventory's gitops: branch, then one
    /// commit of them pushed with a lease on the head the clone was made from.
    static func pushPlan(_ tree: GitOpsTree, recipient: AgeRecipient?, inv: Invocation) throws -> ChangePlan {
        let remote = try FluxBootstrap(inv)
        let git = try FluxGit(
            privateKey: nil, knownHosts: try remote.scanKnownHosts(), environment: inv.context.environment)
        let head = try git.remoteHead(remote.settings.url, branch: remote.settings.branch)
        let work = try remote.checkout(git, head: head)
        var (changes, kept) = try additions(tree, root: work, recipient: recipient, inv: inv)
        if !changes.isEmpty {
            changes.append(
                Change(
                    target: "\(remote.repository)@\(remote.settings.branch)", action: "push",
                    detail: "\(changes.count) file(s) added by flux scaffold"
                ) { _ in
                    try remote.commitAndPush(
                        work, git: git, head: head, message: "Scaffold the GitOps tree with hlsh flux scaffold")
                })
        }
        return plan(changes, kept: kept)
    }

    /// The changes, with a `keep` row for each file kept as the user has it.
    static func plan(_ changes: [Change], kept: [String]) -> ChangePlan {
        ChangePlan(changes) { outcomes in
            .list(
                outcomes.map(\.record)
                    + kept.map { path in
                        .record(
                            Record([
                                ("target", .string(path)), ("action", .string("keep")),
                                ("detail", .string("differs from the scaffold: yours is kept")),
                                ("status", .string("unchanged")), ("elapsed", .duration(.zero)),
                            ]))
                    })
        }
    }

    /// The recipient of --age or of the key file; nil under --dry-run when the key file is not
    /// made yet (a runbook's `secret age-keygen` just before only planned it).
    static func ageRecipient(_ inv: Invocation) throws -> AgeRecipient? {
        if let text = inv.string("age") { return try AgeRecipient(parsing: text) }
        let file = inv.string("key-file") ?? SecretCommands.defaultKeyFile(inv.context.environment)
        guard FileManager.default.fileExists(atPath: file) else {
            if inv.context.options.dryRun { return nil }
            throw inv.failure(
                "no age key to encrypt the repository's secrets to",
                hint: "make one with `secret age-keygen`, or give --age age1…")
        }
        return try AgeIdentity.parseFile(try SecretCommands.readText(file), file: file)[0].recipient
    }

    static func write(_ text: String, to file: String) throws(HLSError) {
        do {
            try FileManager.default.createDirectory(
                atPath: FilePaths.directory(of: file), withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot create the directory of \(file)", cause: HLSError.describe(error))
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw HLSError(.failed, "cannot write \(file)")
        }
    }
}
