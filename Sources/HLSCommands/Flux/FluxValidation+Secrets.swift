import HLSCore
import Secrets

extension FluxValidation {
    /// Every Secret in a file a `.sops.yaml` creation rule covers (its path_regex matches, as
    /// sops matches it) is encrypted: it has the `sops` block, and each value the rule selects
    /// (its encrypted_regex) is an `ENC[…]` value.
    mutating func checkSecrets() {
        for file in files.keys.sorted() {
            let rule: SOPSConfig.Rule
            do throws(HLSError) {
                guard let matching = try SOPSConfig.matchingRule(for: file) else { continue }
                rule = matching
            } catch {
                report(error, check: "sops", fallback: SourceLocation(file: file, line: 1, column: 1))
                continue
            }
            for manifest in files[file] ?? [] {
                let object = Object(
                    document: manifest.document, at: manifest.located.location, located: manifest.located)
                guard object.kind == "Secret", object.apiVersion == "v1" else { continue }
                let secret = "Secret \(object.ref)"
                guard SOPSFile.isEncrypted(object.document) else {
                    add(
                        .error, "sops", at: object.at,
                        "\(secret) is not encrypted (no sops metadata) though .sops.yaml's rule covers it: "
                            + "encrypt it with `secret encrypt \(typed(file))`")
                    continue
                }
                let plaintext: [[String]]
                do throws(HLSError) {
                    plaintext = try SOPSFile.plaintextValues(object.document, selection: rule.selection)
                } catch {
                    report(error, check: "sops", fallback: object.at)
                    continue
                }
                for keys in plaintext {
                    add(
                        .error, "sops", at: object.location(keys.map(Step.key)),
                        "\(keys.joined(separator: ".")) of \(secret) is in plaintext (not an ENC[…] value): decrypt "
                            + "the file, then encrypt it again with `secret encrypt \(typed(file))`")
                }
            }
        }
    }
}
