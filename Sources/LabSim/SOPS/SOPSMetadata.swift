import HLSCore

/// The `sops` block of an encrypted document, as far as decryption with age needs it.
struct SOPSMetadata {
    /// The `enc` of each age entry (an armored age file holding the data key), with its recipient.
    var ageKeys: [(recipient: String, enc: String)]
    var lastModified: String
    var mac: String
    var macOnlyEncrypted: Bool
    var selection: SOPSSelection

    init(_ sops: Document) throws(SOPSError) {
        var entries = sops["age"]
        if case .array(let groups)? = sops["key_groups"], !groups.isEmpty {
            // Shamir-split data keys (several groups) are not simulated; one group is plain.
            guard groups.count == 1 else { throw SOPSError("key groups with a Shamir threshold are not simulated") }
            entries = groups[0]["age"]
        }
        var keys: [(recipient: String, enc: String)] = []
        if case .array(let items)? = entries {
            for item in items {
                guard case .string(let enc)? = item["enc"] else { continue }
                let recipient: String
                if case .string(let r)? = item["recipient"] { recipient = r } else { recipient = "" }
                keys.append((recipient, enc))
            }
        }
        ageKeys = keys
        guard case .string(let lastModified)? = sops["lastmodified"] else {
            throw SOPSError("Error unmarshalling input json: no lastmodified in sops metadata")
        }
        self.lastModified = lastModified
        if case .string(let mac)? = sops["mac"] { self.mac = mac } else { mac = "" }
        if case .bool(let b)? = sops["mac_only_encrypted"] { macOnlyEncrypted = b } else { macOnlyEncrypted = false }
        selection = try SOPSSelection(sops)
    }

    /// The MAC's associated data: `lastmodified` as Go re-renders it in RFC 3339 (whole seconds, `Z`).
    var macAAD: String {
        var text = lastModified
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            text.removeSubrange(dot..<zone)
        }
        for zero in ["+00:00", "-00:00"] where text.hasSuffix(zero) { text = text.dropLast(6) + "Z" }
        return text
    }
}

/// Which leaves of the document sops encrypted: at most one selection key, and `_unencrypted` as
/// the unencrypted suffix when none is set. Every key on a leaf's path is tested.
enum SOPSSelection {
    case unencryptedSuffix(String)
    case encryptedSuffix(String)
    case unencryptedRegex(Regex<AnyRegexOutput>)
    case encryptedRegex(Regex<AnyRegexOutput>)
    /// `unencrypted_comment_regex` or `encrypted_comment_regex`: they test the comments before a
    /// value, and the JSON store kustomize-controller reads through has none, so every leaf is
    /// encrypted under the first and none under the second.
    case commentRegex(encryptsAll: Bool)

    init(_ sops: Document) throws(SOPSError) {
        func string(_ key: String) -> String? {
            guard case .string(let s)? = sops[key], !s.isEmpty else { return nil }
            return s
        }
        func regex(_ pattern: String) throws(SOPSError) -> Regex<AnyRegexOutput> {
            do { return try Regex(pattern) } catch { throw SOPSError("invalid regex \(pattern)") }
        }
        if let s = string("encrypted_suffix") {
            self = .encryptedSuffix(s)
        } else if let s = string("unencrypted_regex") {
            self = .unencryptedRegex(try regex(s))
        } else if let s = string("encrypted_regex") {
            self = .encryptedRegex(try regex(s))
        } else if string("unencrypted_comment_regex") != nil {
            self = .commentRegex(encryptsAll: true)
        } else if string("encrypted_comment_regex") != nil {
            self = .commentRegex(encryptsAll: false)
        } else {
            self = .unencryptedSuffix(string("unencrypted_suffix") ?? "_unencrypted")
        }
    }

    /// Whether the leaf at `path` (the mapping keys from the root) was encrypted.
    func encrypts(_ path: [String]) -> Bool {
        switch self {
        case .unencryptedSuffix(let s): return !path.contains { $0.hasSuffix(s) }
        case .encryptedSuffix(let s): return path.contains { $0.hasSuffix(s) }
        case .unencryptedRegex(let r): return !path.contains { $0.contains(r) }
        case .encryptedRegex(let r): return path.contains { $0.contains(r) }
        case .commentRegex(let all): return all
        }
    }
}
