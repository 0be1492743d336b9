internal import CSSH2

/// The public key a server presented during the handshake.
public struct SSHHostKey: Sendable, Hashable {
    /// The algorithm name as written in known_hosts (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    public var typeName: String
    /// The raw key blob (what known_hosts stores base64-encoded).
    public var blob: [UInt8]

    public init(typeName: String, blob: [UInt8]) {
        self.typeName = typeName
        self.blob = blob
    }

    /// OpenSSH's `SHA256:…` fingerprint of the key.
    public var fingerprint: String { Fingerprint.sha256(ofKeyBlob: blob) }

    /// A short label for messages: `ED25519`, `RSA`, `ECDSA`…
    public var shortTypeName: String {
        switch typeName {
        case "ssh-ed25519": return "ED25519"
        case "ssh-rsa": return "RSA"
        case "ssh-dss": return "DSA"
        default: return typeName.hasPrefix("ecdsa-") ? "ECDSA" : typeName
        }
    }
}

/// libssh2's two numberings of key types: what the session reports
/// (`LIBSSH2_HOSTKEY_TYPE_*`) and what the known-hosts store matches on
/// (`LIBSSH2_KNOWNHOST_KEY_*`). libssh2 offers no mapping between them.
enum SSHHostKeyType {
    /// The known_hosts algorithm name for a `LIBSSH2_HOSTKEY_TYPE_*`, nil when unknown.
    static func name(forSessionType type: Int32) -> String? {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa"
        case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521"
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519"
        default: return nil
        }
    }

    /// The `LIBSSH2_HOSTKEY_TYPE_*` of a known_hosts algorithm name (`LIBSSH2_HOSTKEY_TYPE_UNKNOWN` when unknown).
    static func sessionType(named name: String) -> Int32 {
        let types = [
            LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_HOSTKEY_TYPE_ECDSA_256,
            LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_HOSTKEY_TYPE_ED25519,
        ]
        return types.first { self.name(forSessionType: $0) == name } ?? LIBSSH2_HOSTKEY_TYPE_UNKNOWN
    }

    /// The `LIBSSH2_KNOWNHOST_KEY_*` bits for a `LIBSSH2_HOSTKEY_TYPE_*`.
    static func knownHostMask(forSessionType type: Int32) -> Int32 {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519
        default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN
        }
    }
}
