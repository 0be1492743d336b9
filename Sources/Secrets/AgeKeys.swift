import Crypto
public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An age X25519 identity: the secret that decrypts what is encrypted to its recipient. Its text
/// is `AGE-SECRET-KEY-1…` (Bech32, upper case); it never appears in a message or a log.
public struct AgeIdentity: Sendable {
    /// The 32 secret bytes, as age stores them (unclamped).
    let secret: [UInt8]

    /// A fresh identity from the system's random source.
    public static func generate() -> AgeIdentity {
        AgeIdentity(secret: Array(Curve25519.KeyAgreement.PrivateKey().rawRepresentation))
    }

    init(secret: [UInt8]) { self.secret = secret }

    /// Reads `AGE-SECRET-KEY-1…`; the error names the problem, never the text.
    public init(parsing text: String) throws(HLSError) {
        guard let (hrp, data) = Bech32.decode(text), text == text.uppercased() else {
            throw HLSError(
                .configuration, "malformed age secret key", hint: "an age identity is AGE-SECRET-KEY-1… in upper case")
        }
        guard hrp == "age-secret-key-", data.count == 32 else {
            throw HLSError(
                .configuration, "unknown identity type", hint: "only age X25519 identities (AGE-SECRET-KEY-1…) are read"
            )
        }
        secret = data
    }

    /// `AGE-SECRET-KEY-1…`.
    public var text: String { Bech32.encode(hrp: "AGE-SECRET-KEY-", data: secret).uppercased() }

    /// Its recipient: what others encrypt to.
    public var recipient: AgeRecipient {
        // swift-crypto clamps the scalar when it multiplies, as X25519 does.
        let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: secret)
        return AgeRecipient(publicKey: Array(key?.publicKey.rawRepresentation ?? Data()))
    }

    /// The identities of an identity file (age-keygen's): `#` lines and empty lines skipped,
    /// one key per other line, CRLF accepted. `file` names the place in errors.
    public static func parseFile(_ text: String, file: String) throws(HLSError) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(parsing: String(line)))
            } catch {
                throw HLSError(
                    .configuration, "\(file):\(index + 1): \(error.message)", hint: error.hint)
            }
        }
        guard !identities.isEmpty else {
            throw HLSError(.configuration, "no identities found in \(file)", hint: "make one with `secret age-keygen`")
        }
        return identities
    }

    /// The file `age-keygen` writes: when, the public key, the key.
    public func keygenFile(created: String) -> String {
        "# created: \(created)\n# public key: \(recipient.text)\n\(text)\n"
    }
}

/// An age X25519 recipient, `age1…`.
public struct AgeRecipient: Sendable, Equatable {
    let publicKey: [UInt8]

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    public init(parsing text: String) throws(HLSError) {
        guard let (hrp, data) = Bech32.decode(text), text == text.lowercased() else {
            throw HLSError(
                .configuration, "malformed age recipient \"\(text)\"", hint: "an age recipient is age1… in lower case")
        }
        guard hrp == "age", data.count == 32 else {
            throw HLSError(
                .configuration, "unknown recipient type \"\(text)\"", hint: "only age X25519 recipients (age1…)")
        }
        publicKey = data
    }

    /// `age1…`.
    public var text: String { Bech32.encode(hrp: "age", data: publicKey) }
}
