import Crypto

/// An age X25519 identity (`AGE-SECRET-KEY-1…`): 32 secret bytes whose public half is the
/// recipient `age1…` files are encrypted to.
struct AgeIdentity: Sendable {
    let key: Curve25519.KeyAgreement.PrivateKey

    /// Parses one `AGE-SECRET-KEY-1…` line, as age's ParseX25519Identity does (upper case only).
    init(_ text: String) throws(AgeError) {
        guard let (hrp, data) = Bech32.decode(text) else {
            throw AgeError("malformed secret key: invalid bech32")
        }
        guard hrp == "AGE-SECRET-KEY-" else { throw AgeError("malformed secret key: unknown type \"\(hrp)\"") }
        guard data.count == 32, let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data) else {
            throw AgeError("malformed secret key: invalid length")
        }
        self.key = key
    }

    /// Every identity in an identity file (age-keygen's output, a `*.agekey` Secret entry), as
    /// age's ParseIdentities reads it: empty and `#` lines skipped, CRLF allowed, at least one key.
    static func parseFile(_ text: String) throws(AgeError) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        // "\r\n" is one Character, so lines are split on both.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (n, line) in lines.enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(String(line)))
            } catch {
                throw AgeError("error at line \(n + 1): \(error.message)")
            }
        }
        guard !identities.isEmpty else { throw AgeError("no secret keys found") }
        return identities
    }

    /// The file key from an `X25519` stanza, or nil when the stanza is not for this identity.
    func unwrap(_ stanza: AgeStanza) throws(AgeError) -> [UInt8]? {
        guard stanza.type == "X25519" else { return nil }
        guard stanza.arguments.count == 1, let share = AgeBase64.decodeHeader(stanza.arguments[0]),
            share.count == 32
        else { throw AgeError("invalid X25519 recipient block") }
        guard stanza.body.count == 32 else { throw AgeError("invalid X25519 recipient block") }
        guard let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share),
            let secret = try? key.sharedSecretFromKeyAgreement(with: peer)
        else { return nil }
        let shared = secret.withUnsafeBytes { [UInt8]($0) }
        // swift-crypto does not refuse a low-order share; age does.
        guard shared.contains(where: { $0 != 0 }) else { throw AgeError("invalid X25519 recipient block") }
        let wrapKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: shared), salt: share + Array(key.publicKey.rawRepresentation),
            info: Array("age-encryption.org/v1/X25519".utf8), outputByteCount: 32)
        return AgeFile.open(stanza.body, key: wrapKey, nonce: [UInt8](repeating: 0, count: 12))
    }
}

/// An error as age words it ("no identity matched any of the recipients", "bad header MAC").
struct AgeError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
