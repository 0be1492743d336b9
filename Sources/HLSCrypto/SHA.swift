public import Crypto

/// SHA-1, SHA-256 and their HMACs over bytes, from swift-crypto (docs/adr/0019). SSH uses SHA-256
/// for OpenSSH-style key fingerprints (libssh2 hashes only the key the server offers; a mismatch
/// message also needs the one on file) and HMAC-SHA-1 for hashed known_hosts names; the simulator
/// what PVE computes — the config `digest` (SHA-1), certificate fingerprints and key pins
/// (SHA-256), signed tickets (HMAC-SHA-256).
public enum SHA {
    public static func sha1(_ message: [UInt8]) -> [UInt8] { Array(Insecure.SHA1.hash(data: message)) }

    public static func sha256(_ message: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: message)) }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// HMAC-SHA1: what OpenSSH's hashed known_hosts names are (`|1|salt|HMAC(salt, name)`).
    public static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
