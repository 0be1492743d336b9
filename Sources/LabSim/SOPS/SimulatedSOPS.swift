import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// SOPS decryption as Flux's kustomize-controller does it for a built resource
/// (internal/decryptor: DecryptResource, SopsDecryptWithFormat): the data key from the `sops.age`
/// entries with the identities from the decryption Secret's `*.agekey` entries, then every
/// selected `ENC[…]` value with its path as associated data, the MAC only when asked (the
/// controller leaves it unchecked by default), and the resource without its `sops` block.
enum SimulatedSOPS {
    /// A refusal in the controller's words, as its Ready condition shows it.
    struct Failure: Error, Equatable {
        let message: String
    }

    /// Whether kustomize-controller decrypts `manifest`: a top-level `sops` with a non-empty `mac`
    /// (anything else is applied as it is).
    static func isEncrypted(_ manifest: Document) -> Bool {
        return !(manifest.text("sops", "mac") ?? "").isEmpty
    }

    /// The identity files in a decryption Secret: every `data` entry whose name ends in `.agekey`,
    /// decoded, each checked as the controller's ImportKeys does.
    static func importAgeKeys(from secret: Document) throws(Failure) -> [String] {
        guard case .object(let data)? = secret["data"] else { return [] }
        let name = "\(secret.text("metadata", "namespace") ?? "")/\(secret.text("metadata", "name") ?? "")"
        var keys: [String] = []
        for (entry, value) in data where entry.hasSuffix(".agekey") {
            let text = value.scalarText.flatMap(Base64.decode).map { String(decoding: $0, as: UTF8.self) } ?? ""
            do {
                _ = try AgeIdentity.parseFile(text)
            } catch {
                throw Failure(
                    message: "failed to import '\(entry)' data from sops decryption Secret '\(name)': "
                        + "failed to parse and add to age identities: \(error.message)")
            }
            keys.append(text)
        }
        return keys
    }

    /// `manifest` decrypted with the identities in `ageKeys` (identity files), without its `sops`
    /// block; `checkMAC` is the controller's (off by default) integrity check.
    static func decrypt(_ manifest: Document, ageKeys: [String], checkMAC: Bool = false) throws(Failure) -> Document {
        let context = FailureContext(manifest)
        guard case .object(let pairs) = manifest, let sops = manifest["sops"] else {
            throw context.failure("failed to load encrypted JSON data: sops metadata not found")
        }
        let metadata: SOPSMetadata
        do { metadata = try SOPSMetadata(sops) } catch {
            throw context.failure("failed to load encrypted JSON data: \(error.message)")
        }
        var identities: [AgeIdentity] = []
        for file in ageKeys {
            do { identities += try AgeIdentity.parseFile(file) } catch {
                throw context.failure("failed to parse and add to age identities: \(error.message)")
            }
        }
        let dataKey = try dataKey(metadata, identities: identities, context: context)
        var walk = TreeWalk(key: dataKey, metadata: metadata)
        var plain: [(key: String, value: Document)] = []
        do {
            for (key, value) in pairs where key != "sops" {
                plain.append((key, try walk.value(value, path: [key])))
            }
        } catch {
            throw context.failure("error decrypting sops tree: Error walking tree: \(error.message)")
        }
        if checkMAC {
            let computed = Hex.encode(Array(walk.hash.finalize()), uppercase: true)
            let stored: String
            do {
                stored = String(
                    decoding: try SOPSValue(metadata.mac).open(key: dataKey, aad: metadata.macAAD), as: UTF8.self)
            } catch {
                throw context.failure("failed to verify sops data integrity: \(error.message)")
            }
            guard stored == computed else {
                throw context.failure(
                    "failed to verify sops data integrity: expected mac '\(stored.isEmpty ? "no MAC" : stored)', got '\(computed)'"
                )
            }
        }
        return .object(plain)
    }

    /// The data key from the first age entry one of `identities` opens; otherwise sops's
    /// "Failed to get the data key" report, one line per entry with age's reason.
    private static func dataKey(
        _ metadata: SOPSMetadata, identities: [AgeIdentity], context: FailureContext
    ) throws(Failure) -> [UInt8] {
        var failures: [(recipient: String, reason: String)] = []
        for entry in metadata.ageKeys {
            guard !identities.isEmpty else {
                failures.append((entry.recipient, SOPSDataKeyReport.noIdentities))
                continue
            }
            do {
                return try AgeFile.decrypt(Array(entry.enc.utf8), identities: identities)
            } catch {
                failures.append(
                    (entry.recipient, "failed to create reader for decrypting sops data key with age: \(error.message)")
                )
            }
        }
        throw context.failure("cannot get sops data key: " + SOPSDataKeyReport.text(failures))
    }
}

/// Where a failure happened, for the controller's prefix:
/// `decryption failed for 'Secret.v1.[noGrp]/NAME': failed to decrypt and format 'NS/NAME' Secret data: `.
private struct FailureContext {
    let prefix: String

    init(_ manifest: Document) {
        let apiVersion = manifest.text("apiVersion") ?? ""
        let kind = manifest.text("kind") ?? ""
        let name = manifest.text("metadata", "name") ?? ""
        let namespace = manifest.text("metadata", "namespace") ?? ""
        let (group, version) =
            apiVersion.contains("/")
            ? (String(apiVersion.prefix { $0 != "/" }), String(apiVersion.drop { $0 != "/" }.dropFirst()))
            : ("", apiVersion)
        let gvk = "\(kind).\(version.isEmpty ? "[noVer]" : version).\(group.isEmpty ? "[noGrp]" : group)"
        prefix =
            "decryption failed for '\(gvk)/\(name)': failed to decrypt and format '\(namespace)/\(name)' \(kind) data: "
    }

    func failure(_ message: String) -> SimulatedSOPS.Failure { .init(message: prefix + message) }
}
