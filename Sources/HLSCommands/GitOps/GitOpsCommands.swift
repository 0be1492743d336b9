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
/// change, and a file the user changed is kept and reported, never overwritten.
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
            age key file (--key-file, default sops's ~/.config/sops/age/keys.txt).
            """,
        positionals: [Parameter("dir", .path, "the GitOps repository's working tree")],
        flags: [
            Flag("age", .string, "the age recipient (age1…) the secrets are encrypted to"),
            Flag("key-file", .path, "an age identity file whose recipient to use"),
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
            let lab = try LabState.require(inv)
            guard let domain = lab.domain else {
                throw inv.failure("the lab has no domain", hint: "add `domain: home.example.com` to \(lab.file)")
            }
            let recipient = try ageRecipient(inv)
            let tree = GitOpsTree(
                domain: domain, clusterPath: lab.gitops?.path ?? "kubernetes/clusters/\(lab.name)",
                nodes: lab.vms.count, ageRecipient: recipient.text)
            let root = inv.string("dir")!
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
                            ? "SOPS-encrypted placeholder: set CLOUDFLARE_API_TOKEN and scaffold again"
                            : "SOPS-encrypted $CLOUDFLARE_API_TOKEN"
                    ) { _ in
                        let plain = try YAMLCodec.decodeAll(GitOpsTree.dnsTokenSecret(token ?? "REPLACE-ME"))
                        let encrypted = try SOPSFile.encrypt(
                            plain, to: [recipient], selection: .kubernetesSecret, lastModified: RFC3339.now())
                        try write(
                            encrypted.map(YAMLCodec.encode).joined(separator: "---\n"), to: root + "/" + tree.secretPath
                        )
                    })
            }
            let keptRows = kept
            return ChangePlan(changes) { outcomes in
                .list(
                    outcomes.map(\.record)
                        + keptRows.map { path in
                            .record(
                                Record([
                                    ("target", .string(path)), ("action", .string("keep")),
                                    ("detail", .string("differs from the scaffold: yours is kept")),
                                    ("status", .string("unchanged")), ("elapsed", .duration(.zero)),
                                ]))
                        })
            }
        })

    static func ageRecipient(_ inv: Invocation) throws -> AgeRecipient {
        if let text = inv.string("age") { return try AgeRecipient(parsing: text) }
        let file = inv.string("key-file") ?? SecretCommands.defaultKeyFile(inv.context.environment)
        guard FileManager.default.fileExists(atPath: file) else {
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
            throw HLSError(.failed, "cannot create the directory of \(file)", cause: "\(error)")
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw HLSError(.failed, "cannot write \(file)")
        }
    }
}
