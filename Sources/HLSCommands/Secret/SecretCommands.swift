import HLSCore
import HLSFormats
import HLSLanguage
import Kube
import Secrets

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `secret age-keygen`, `secret encrypt`, `secret decrypt`: age keys and SOPS files, as
/// `age-keygen` and `sops` make and read them, so the GitOps repository holds only ciphertext
/// and Flux decrypts it with the key in the `sops-age` Secret. A key or a plaintext value never
/// appears in a result, a message or the log; files that hold one are written with mode 0600.
enum SecretCommands {
    static func register(into registry: inout Registry) {
        // The language's `secret env` and `secret file` come first; the summary covers both.
        registry.registerObject(
            "secret", summary: "secret values (*** in output, never logged), age keys and SOPS files")
        registry.register(ageKeygen)
        registry.register(encrypt)
        registry.register(decrypt)
    }

    /// Where sops looks for age keys when nothing says otherwise.
    static func defaultKeyFile(_ environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/sops/age/keys.txt" }
        return (environment["HOME"] ?? "") + "/.config/sops/age/keys.txt"
    }

    static let ageKeygen = CommandSpec(
        ["secret", "age-keygen"], summary: "Make an age identity file (mode 0600), as age-keygen -o FILE does",
        discussion: """
            Writes `# created:`, `# public key: age1…` and the secret key, in age-keygen's format. An \
            existing file is never overwritten: it is read, and its public key is the result. The \
            public key goes in .sops.yaml; the file goes into the cluster as the sops-age Secret.
            """,
        flags: [
            Flag("file", short: "f", .path, "the identity file (default: sops's ~/.config/sops/age/keys.txt)")
        ],
        columns: ["file", "public_key", "status"],
        examples: [
            Example("secret age-keygen", "make sops's default key file, ~/.config/sops/age/keys.txt, once")
        ],
        implementation: .mutation { inv in
            let file = inv.string("file") ?? defaultKeyFile(inv.context.environment)
            if FileManager.default.fileExists(atPath: file) {
                let text = try readText(file)
                let identities = try AgeIdentity.parseFile(text, file: file)
                let key = identities[0].recipient.text
                return ChangePlan([]) { _ in keyRecord(file, key, "exists") }
            }
            let identity = AgeIdentity.generate()
            let key = identity.recipient.text
            let change = Change(target: file, action: "create", detail: "age identity \(key), mode 0600") { _ in
                try PrivateFile.write(identity.keygenFile(created: RFC3339.now()), to: file, exclusive: true)
            }
            return ChangePlan([change]) { outcomes in
                keyRecord(file, key, outcomes.first?.status.rawValue ?? "planned")
            }
        })

    static func keyRecord(_ file: String, _ key: String, _ status: String) -> Value {
        .record(Record([("file", .string(file)), ("public_key", .string(key)), ("status", .string(status))]))
    }

    static let encrypt = CommandSpec(
        ["secret", "encrypt"], summary: "Encrypt a YAML file with SOPS for age recipients, in place or to a file",
        discussion: """
            The recipients and which values to encrypt come from --age and --encrypted-regex, or from \
            the first creation rule of the nearest .sops.yaml whose path_regex matches the file (as sops \
            does). Kubernetes Secrets need `encrypted_regex: ^(data|stringData)$` so Flux can read the \
            rest. A file already encrypted is no change.
            """,
        positionals: [Parameter("file", .path, "the plaintext YAML file")],
        flags: [
            Flag("age", .string, "age recipients (age1…), comma-separated; default: .sops.yaml's rule"),
            Flag("encrypted-regex", .string, "encrypt only values under keys matching it (sops's encrypted_regex)"),
            Flag("to", .path, "write here instead of replacing the file"),
        ],
        columns: ["target", "action", "detail", "status"],
        examples: [
            Example("secret encrypt secrets/db.yaml", "encrypt it in place for the rule of .sops.yaml")
        ],
        implementation: .mutation { inv in
            let file = inv.string("file")!
            let output = inv.string("to") ?? file
            let documents = try YAMLCodec.decodeAll(try readText(file), file: file)
            if documents.contains(where: SOPSFile.isEncrypted) { return .none }
            let rule = try SOPSConfig.rule(for: file)
            let recipients = try
                (inv.string("age").map { $0.split(separator: ",").map(String.init) } ?? rule.recipients)
                .map { text throws(HLSError) in try AgeRecipient(parsing: text.trimmingWhitespace()) }
            guard !recipients.isEmpty else {
                throw HLSError(
                    .usage, "no age recipients for \(file)",
                    hint: "give --age age1…, or a creation rule in .sops.yaml with `age:`")
            }
            let selection =
                inv.string("encrypted-regex").map { SOPSFile.Selection(.encryptedRegex, $0) }
                ?? rule.selection
            let change = Change(
                target: output, action: "encrypt",
                detail: "\(recipients.count) age recipient(s), \(selection.kind.rawValue) \(selection.value)"
            ) { _ in
                let encrypted = try SOPSFile.encrypt(
                    documents, to: recipients, selection: selection, lastModified: RFC3339.now())
                try PrivateFile.write(encrypted.map(YAMLCodec.encode).joined(separator: "---\n"), to: output)
            }
            return ChangePlan([change])
        })

    static let decrypt = CommandSpec(
        ["secret", "decrypt"], summary: "Decrypt a SOPS file into a file of mode 0600 (or standard output)",
        discussion: """
            The age keys come from --key-file, else SOPS_AGE_KEY_FILE or SOPS_AGE_KEY, else \
            ~/.config/sops/age/keys.txt, as sops reads them. The MAC is checked: a file changed after \
            it was encrypted is refused. Without --to the plaintext goes to standard output only (nothing \
            else: the result is null), never into a result or the log.
            """,
        positionals: [Parameter("file", .path, "the SOPS-encrypted YAML file")],
        flags: [
            Flag("key-file", .path, "an age identity file"),
            Flag("to", .path, "write the plaintext here (mode 0600)"),
        ],
        columns: ["file", "output", "documents"],
        examples: [
            Example("secret decrypt secrets/db.yaml", "the plaintext, on standard output only"),
            Example("secret decrypt secrets/db.yaml --to secrets/db.plain.yaml", "into a file of mode 0600"),
        ],
        implementation: .query { inv in
            let file = inv.string("file")!
            let documents = try YAMLCodec.decodeAll(try readText(file), file: file)
            let identities = try SecretCommands.identities(inv)
            let plain: [Document]
            do throws(HLSError) {
                plain = try SOPSFile.decrypt(documents, identities: identities)
            } catch {
                throw HLSError(error.kind, "\(file): \(error.message)", hint: error.hint)
            }
            let text = plain.map(YAMLCodec.encode).joined(separator: "---\n")
            guard let output = inv.string("to") else {
                // Standard output holds the plaintext alone, as `sops -d` writes it: a result
                // row after it would end up in `> plain.yaml`.
                inv.context.out(text)
                return .null
            }
            try PrivateFile.write(text, to: output)
            return .record(
                Record([("file", .string(file)), ("output", .string(output)), ("documents", .int(plain.count))]))
        })

    static func identities(_ inv: Invocation) throws(HLSError) -> [AgeIdentity] {
        let env = inv.context.environment
        if let file = inv.string("key-file") ?? env["SOPS_AGE_KEY_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try AgeIdentity.parseFile(try readText(file), file: file)
        }
        if let keys = env["SOPS_AGE_KEY"], !keys.isEmpty {
            return try AgeIdentity.parseFile(keys, file: "$SOPS_AGE_KEY")
        }
        let file = defaultKeyFile(env)
        guard FileManager.default.fileExists(atPath: file) else {
            throw HLSError(
                .usage, "no age key to decrypt with",
                hint: "give --key-file, set SOPS_AGE_KEY_FILE, or make one with `secret age-keygen`")
        }
        return try AgeIdentity.parseFile(try readText(file), file: file)
    }

    static func readText(_ file: String) throws(HLSError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HLSError.unreadable(file)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
