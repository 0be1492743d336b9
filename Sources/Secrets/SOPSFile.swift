import Crypto
public import HLSCore

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// SOPS files with age recipients, as sops 3.9 writes and reads them: each selected value
/// encrypted with AES-256-GCM under a per-file data key (32-byte IV, AAD the path of mapping
/// keys each followed by `:`), the data key age-encrypted to each recipient, and a MAC (SHA-512
/// of every value's plaintext, in order, encrypted with the `lastmodified` time as AAD) in the
/// `sops` block. YAML comments are not kept (hlsh's YAML layer drops them).
public enum SOPSFile {
    /// The version written into `sops.version` (sops compares it as semver).
    static let version = "3.9.4"

    /// Which values are encrypted: sops's one selection key.
    public struct Selection: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case unencryptedSuffix = "unencrypted_suffix"
            case encryptedSuffix = "encrypted_suffix"
            case unencryptedRegex = "unencrypted_regex"
            case encryptedRegex = "encrypted_regex"
        }

        public var kind: Kind
        public var value: String

        public init(_ kind: Kind, _ value: String) {
            self.kind = kind
            self.value = value
        }

        /// sops's default when a file names none.
        public static let `default` = Selection(.unencryptedSuffix, "_unencrypted")
        /// What Flux needs of a Kubernetes Secret: only `data` and `stringData`.
        public static let kubernetesSecret = Selection(.encryptedRegex, "^(data|stringData)$")

        /// Whether a leaf under `keys` (the mapping keys from the root) is encrypted.
        func encrypts(_ keys: [String]) throws(HLSError) -> Bool {
            switch kind {
            case .unencryptedSuffix: return !keys.contains { $0.hasSuffix(value) }
            case .encryptedSuffix: return keys.contains { $0.hasSuffix(value) }
            case .unencryptedRegex, .encryptedRegex:
                let regex: Regex<AnyRegexOutput>
                do { regex = try Regex(value) } catch {
                    throw HLSError(
                        .configuration, "\(kind.rawValue): bad regular expression \(value)",
                        cause: HLSError.describe(error))
                }
                let matched = keys.contains { $0.contains(regex) }
                return kind == .encryptedRegex ? matched : !matched
            }
        }
    }

    /// Whether `document` is SOPS-encrypted: a top-level `sops` with a non-empty `mac` (Flux's test).
    public static func isEncrypted(_ document: Document) -> Bool {
        if case .string(let mac) = document["sops"]?["mac"] ?? .null { return !mac.isEmpty }
        return false
    }

    /// The values of `document` that `selection` says are encrypted but are not `ENC[…]`
    /// values, by their mapping keys from the root (the `sops` block left out): what a plaintext
    /// file, or one edited by hand after it was encrypted, gives away.
    public static func plaintextValues(_ document: Document, selection: Selection) throws(HLSError) -> [[String]] {
        var found: [[String]] = []
        let body: Document
        if case .object(let pairs) = document {
            body = .object(pairs.filter { $0.key != "sops" })
        } else {
            body = document
        }
        _ = try transform(body, keys: []) { (leaf: Document, keys: [String]) throws(HLSError) -> Document in
            guard render(leaf) != nil, try selection.encrypts(keys) else { return leaf }
            if case .string(let text) = leaf, (try? EncryptedValue(text)) != nil { return leaf }
            found.append(keys)
            return leaf
        }
        return found
    }

    // MARK: Encrypt

    /// `documents` (one YAML stream) with the selected values encrypted and a `sops` block each.
    public static func encrypt(
        _ documents: [Document], to recipients: [AgeRecipient], selection: Selection, lastModified: String
    ) throws(HLSError) -> [Document] {
        guard !recipients.isEmpty else { throw HLSError(.configuration, "no age recipients to encrypt to") }
        for document in documents where document["sops"] != nil {
            throw HLSError(.failed, "the file already has a top-level `sops` key: it is encrypted already")
        }
        let dataKey = AgeFile.random(32)
        var hash = SHA512()
        var encrypted: [Document] = []
        for document in documents {
            encrypted.append(
                try transform(document, keys: []) { (leaf: Document, keys: [String]) throws(HLSError) -> Document in
                    guard let (plain, type) = render(leaf) else { return leaf }
                    hash.update(data: Array(plain.utf8))
                    guard try selection.encrypts(keys) else { return leaf }
                    return .string(seal(Array(plain.utf8), type: type, key: dataKey, aad: aad(keys)))
                })
        }
        let mac = Hex.encode(Array(hash.finalize())).uppercased()
        var ages: [Document] = []
        for recipient in recipients {
            let enc = try AgeFile.encrypt(dataKey, to: [recipient], armor: true)
            ages.append(
                .object([
                    ("recipient", .string(recipient.text)), ("enc", .string(String(decoding: enc, as: UTF8.self))),
                ]))
        }
        let metadata = Document.object([
            ("kms", .array([])), ("gcp_kms", .array([])), ("azure_kv", .array([])), ("hc_vault", .array([])),
            ("age", .array(ages)), ("lastmodified", .string(lastModified)),
            ("mac", .string(seal(Array(mac.utf8), type: "str", key: dataKey, aad: lastModified))),
            ("pgp", .array([])), (selection.kind.rawValue, .string(selection.value)), ("version", .string(version)),
        ])
        return encrypted.map { document in
            guard case .object(var pairs) = document else { return document }
            pairs.append(("sops", metadata))
            return .object(pairs)
        }
    }

    // MARK: Decrypt

    /// `documents` decrypted with the first identity that opens the data key, without their
    /// `sops` blocks; with `checkMAC`, a MAC that does not match is an error (Flux skips it).
    public static func decrypt(_ documents: [Document], identities: [AgeIdentity], checkMAC: Bool = true)
        throws(HLSError) -> [Document]
    {
        guard let metadata = documents.first?["sops"], metadata.isObjectLike else {
            throw HLSError(.failed, "sops metadata not found", hint: "the file has no top-level `sops` block")
        }
        let dataKey = try self.dataKey(metadata, identities: identities)
        var hash = SHA512()
        let macOnlyEncrypted = metadata["mac_only_encrypted"] == .bool(true)
        if macOnlyEncrypted { hash.update(data: Array(SHA256.hash(data: Array("sops".utf8)))) }
        var plain: [Document] = []
        for document in documents {
            guard case .object(let pairs) = document else {
                plain.append(document)
                continue
            }
            let body = Document.object(pairs.filter { $0.key != "sops" })
            plain.append(
                try transform(body, keys: []) { (leaf: Document, keys: [String]) throws(HLSError) -> Document in
                    if case .string(let text) = leaf, let value = try EncryptedValue(text) {
                        let bytes = try value.open(key: dataKey, aad: aad(keys), at: keys)
                        hash.update(data: bytes)
                        return try value.document(bytes, at: keys)
                    }
                    if !macOnlyEncrypted, let (text, _) = render(leaf) { hash.update(data: Array(text.utf8)) }
                    return leaf
                })
        }
        if checkMAC {
            guard case .string(let lastModified) = metadata["lastmodified"] ?? .null,
                case .string(let sealed) = metadata["mac"] ?? .null, let mac = try EncryptedValue(sealed)
            else { throw HLSError(.failed, "sops metadata has no mac or lastmodified") }
            let expected = try mac.open(key: dataKey, aad: lastModified, at: ["sops", "mac"])
            let computed = Hex.encode(Array(hash.finalize())).uppercased()
            guard String(decoding: expected, as: UTF8.self) == computed else {
                throw HLSError(
                    .failed, "MAC mismatch: the file was changed after it was encrypted",
                    hint: "re-encrypt it with `secret encrypt`, or edit it only through sops")
            }
        }
        return plain
    }

    /// The data key from the first `sops.age` entry one of `identities` opens.
    static func dataKey(_ metadata: Document, identities: [AgeIdentity]) throws(HLSError) -> [UInt8] {
        let entries = metadata["age"]?.arrayItems ?? []
        guard !entries.isEmpty else {
            throw HLSError(.failed, "the file has no age recipients", hint: "only age-encrypted SOPS files are read")
        }
        for entry in entries {
            guard case .string(let enc) = entry["enc"] ?? .null else { continue }
            if let key = try? AgeFile.decrypt(Array(enc.utf8), identities: identities), key.count == 32 { return key }
        }
        let recipients = entries.compactMap { entry -> String? in
            if case .string(let r) = entry["recipient"] ?? .null { return r }
            return nil
        }
        throw HLSError(
            .failed, "no age identity opens the file's data key",
            hint: "it is encrypted to \(recipients.joined(separator: ", ")); give the matching key file")
    }

    // MARK: Tree walk

    /// `document` with each leaf replaced by `leaf(value, keys)`: `keys` are the mapping keys from
    /// the root (sequence items add none), in document order.
    static func transform(
        _ document: Document, keys: [String], _ leaf: (Document, [String]) throws(HLSError) -> Document
    ) throws(HLSError) -> Document {
        switch document {
        case .object(let pairs):
            var out: [(key: String, value: Document)] = []
            for (key, value) in pairs { out.append((key, try transform(value, keys: keys + [key], leaf))) }
            return .object(out)
        case .array(let items):
            var out: [Document] = []
            for item in items { out.append(try transform(item, keys: keys, leaf)) }
            return .array(out)
        default:
            return try leaf(document, keys)
        }
    }

    static func aad(_ keys: [String]) -> String { keys.map { $0 + ":" }.joined() }

    /// A value's plaintext as sops renders it, and its type; nil for what sops leaves alone
    /// (null and the empty string).
    static func render(_ value: Document) -> (String, String)? {
        switch value {
        case .string(let s): return s.isEmpty ? nil : (s, "str")
        case .int(let i): return (String(i), "int")
        case .double(let d): return (goFloat(d), "float")
        case .bool(let b): return (b ? "True" : "False", "bool")
        default: return nil
        }
    }

    /// Go's `strconv.FormatFloat(d, 'f', -1, 64)`: the shortest digits, never an exponent.
    static func goFloat(_ d: Double) -> String {
        let text = "\(d)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
            let exponent = Int(text[text.index(after: e)...])
        else { return text.hasSuffix(".0") ? String(text.dropLast(2)) : text }
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        let point = parts[0].count + exponent
        while digits.count > 1 && digits.hasSuffix("0") && digits.count > point { digits.removeLast() }
        let out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + out
    }

    static func seal(_ plaintext: [UInt8], type: String, key: [UInt8], aad: String) -> String {
        let iv = AgeFile.random(32)
        // A 32-byte key and a 32-byte nonce cannot fail.
        guard let nonce = try? AES.GCM.Nonce(data: iv),
            let box = try? AES.GCM.seal(
                plaintext, using: SymmetricKey(data: key), nonce: nonce, authenticating: Array(aad.utf8))
        else { return "" }
        return "ENC[AES256_GCM,data:\(Data(box.ciphertext).base64EncodedString()),iv:\(Data(iv).base64EncodedString()),"
            + "tag:\(Data(box.tag).base64EncodedString()),type:\(type)]"
    }
}

extension Document {
    fileprivate var isObjectLike: Bool {
        if case .object = self { return true }
        return false
    }

    fileprivate var arrayItems: [Document] {
        if case .array(let items) = self { return items }
        return []
    }
}
