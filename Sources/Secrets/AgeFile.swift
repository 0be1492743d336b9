import Crypto
public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// age v1 files with X25519 recipients, byte for byte as the `age` program writes and reads
/// them (age-encryption.org/v1): a header of one stanza per recipient wrapping a 16-byte file
/// key, its HMAC, then the payload in 64 KiB ChaCha20-Poly1305 chunks; optionally armored.
public enum AgeFile {
    static let intro = "age-encryption.org/v1"
    static let chunkSize = 65_536
    static let armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let armorEnd = "-----END AGE ENCRYPTED FILE-----"

    /// `plaintext` encrypted to every recipient; armored (PEM-like text) when `armor`.
    public static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient], armor: Bool = false)
        throws(HLSError)
        -> [UInt8]
    {
        guard !recipients.isEmpty else { throw HLSError(.configuration, "no recipients to encrypt to") }
        let fileKey = random(16)
        var header = intro + "\n"
        for recipient in recipients {
            let (share, body) = try wrap(fileKey, to: recipient)
            header += "-> X25519 \(rawBase64(share))\n" + bodyLines(rawBase64(body))
        }
        header += "---"
        let mac = hmac(key: hkdf(fileKey, salt: [], info: "header"), Array(header.utf8))
        var out = Array((header + " " + rawBase64(mac) + "\n").utf8)
        let nonce = random(16)
        out += nonce
        out += try seal(plaintext, key: hkdf(fileKey, salt: nonce, info: "payload"))
        return armor ? Array(armored(out).utf8) : out
    }

    /// The plaintext of an age file (binary or armored) for the first identity that matches.
    public static func decrypt(_ file: [UInt8], identities: [AgeIdentity]) throws(HLSError) -> [UInt8] {
        var bytes = file
        if let text = String(validating: file.prefix(4096), as: UTF8.self),
            text.drop(while: \.isWhitespace).hasPrefix(armorBegin)
        {
            bytes = try dearmored(String(decoding: file, as: UTF8.self))
        }
        let header = try Header(parsing: bytes)
        var fileKey: [UInt8]?
        search: for stanza in header.stanzas where stanza.type == "X25519" {
            for identity in identities {
                if let key = try unwrap(stanza, with: identity) {
                    fileKey = key
                    break search
                }
            }
        }
        guard let fileKey else { throw HLSError(.failed, "no identity matched any of the recipients") }
        let mac = hmac(key: hkdf(fileKey, salt: [], info: "header"), Array(bytes[..<header.macInputEnd]))
        guard constantTimeEqual(mac, header.mac) else { throw HLSError(.failed, "bad header MAC") }
        guard bytes.count >= header.end + 16 else { throw HLSError(.failed, "failed to read nonce: file is truncated") }
        let nonce = Array(bytes[header.end..<(header.end + 16)])
        return try open(Array(bytes[(header.end + 16)...]), key: hkdf(fileKey, salt: nonce, info: "payload"))
    }

    // MARK: X25519 stanza

    private static let x25519Info = "age-encryption.org/v1/X25519"

    private static func wrap(_ fileKey: [UInt8], to recipient: AgeRecipient) throws(HLSError) -> ([UInt8], [UInt8]) {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = Array(ephemeral.publicKey.rawRepresentation)
        let shared = try agree(ephemeral, recipient.publicKey)
        let key = hkdf(shared, salt: share + recipient.publicKey, info: x25519Info)
        return (share, chacha(seal: fileKey, key: key, nonce: [UInt8](repeating: 0, count: 12)))
    }

    /// The file key if `stanza` was wrapped for `identity`; nil when it was not (the AEAD fails).
    private static func unwrap(_ stanza: Header.Stanza, with identity: AgeIdentity) throws(HLSError) -> [UInt8]? {
        guard stanza.arguments.count == 2, let share = rawBase64Decode(stanza.arguments[1]), share.count == 32 else {
            throw HLSError(.failed, "invalid X25519 recipient block")
        }
        guard stanza.body.count == 32 else { throw HLSError(.failed, "invalid X25519 recipient block") }
        guard let own = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: identity.secret) else { return nil }
        let shared = try agree(own, share)
        let key = hkdf(shared, salt: share + identity.recipient.publicKey, info: x25519Info)
        return chacha(open: stanza.body, key: key, nonce: [UInt8](repeating: 0, count: 12))
    }

    private static func agree(_ key: Curve25519.KeyAgreement.PrivateKey, _ peer: [UInt8]) throws(HLSError) -> [UInt8] {
        guard let publicKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: peer),
            let secret = try? key.sharedSecretFromKeyAgreement(with: publicKey)
        else { throw HLSError(.failed, "invalid X25519 recipient block") }
        let bytes = secret.withUnsafeBytes { Array($0) }
        // swift-crypto does not refuse a low-order point; age does.
        guard bytes.contains(where: { $0 != 0 }) else { throw HLSError(.failed, "invalid X25519 recipient block") }
        return bytes
    }

    // MARK: Payload

    private static func chunkNonce(_ counter: Int, last: Bool) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var value = UInt64(counter)
        for index in stride(from: 10, through: 3, by: -1) {
            nonce[index] = UInt8(value & 0xff)
            value >>= 8
        }
        nonce[11] = last ? 1 : 0
        return nonce
    }

    private static func seal(_ plaintext: [UInt8], key: [UInt8]) throws(HLSError) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        var counter = 0
        repeat {
            let end = min(start + chunkSize, plaintext.count)
            let last = end == plaintext.count
            out += chacha(seal: Array(plaintext[start..<end]), key: key, nonce: chunkNonce(counter, last: last))
            start = end
            counter += 1
        } while start < plaintext.count
        return out
    }

    private static func open(_ payload: [UInt8], key: [UInt8]) throws(HLSError) -> [UInt8] {
        let sealed = chunkSize + 16
        var out: [UInt8] = []
        var start = 0
        var counter = 0
        while true {
            let end = min(start + sealed, payload.count)
            let chunk = Array(payload[start..<end])
            let final = end == payload.count
            guard chunk.count >= 16 else { throw HLSError(.failed, "failed to decrypt payload: file is truncated") }
            if final {
                guard let plain = chacha(open: chunk, key: key, nonce: chunkNonce(counter, last: true)) else {
                    throw HLSError(.failed, "failed to decrypt and authenticate payload chunk")
                }
                guard !plain.isEmpty || counter == 0 else {
                    throw HLSError(.failed, "failed to decrypt payload: last chunk is empty")
                }
                return out + plain
            }
            guard let plain = chacha(open: chunk, key: key, nonce: chunkNonce(counter, last: false)) else {
                let early = chacha(open: chunk, key: key, nonce: chunkNonce(counter, last: true)) != nil
                throw HLSError(
                    .failed,
                    early
                        ? "failed to decrypt payload: trailing data after end of encrypted file"
                        : "failed to decrypt and authenticate payload chunk")
            }
            out += plain
            start = end
            counter += 1
        }
    }

    // MARK: Primitives

    static func hkdf(_ ikm: [UInt8], salt: [UInt8], info: String) -> [UInt8] {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: ikm), salt: salt, info: Array(info.utf8), outputByteCount: 32)
        return key.withUnsafeBytes { Array($0) }
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    private static func chacha(seal plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
        // A 32-byte key and a 12-byte nonce cannot fail.
        guard let box = try? ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key), nonce: .init(data: nonce))
        else { return [] }
        return Array(box.ciphertext) + Array(box.tag)
    }

    private static func chacha(open sealed: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8]? {
        guard sealed.count >= 16,
            let box = try? ChaChaPoly.SealedBox(
                nonce: .init(data: nonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
        else { return nil }
        return try? Array(ChaChaPoly.open(box, using: SymmetricKey(data: key)))
    }

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Base64 and armor

    /// Standard base64 without padding, as age's header writes it.
    static func rawBase64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Unpadded, canonical base64 only (age rejects padding and stray bits).
    static func rawBase64Decode(_ text: String) -> [UInt8]? {
        guard !text.contains("="), !text.contains("\r"), !text.contains("\n") else { return nil }
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = Array(data)
        return rawBase64(bytes) == text ? bytes : nil
    }

    /// A stanza body in 64-column lines, the last shorter than 64 (empty if need be).
    private static func bodyLines(_ text: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(text)
        while rest.count >= 64 {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        lines.append(rest)
        return lines.map { $0 + "\n" }.joined()
    }

    static func armored(_ bytes: [UInt8]) -> String {
        let text = Data(bytes).base64EncodedString()
        var out = armorBegin + "\n"
        var rest = Substring(text)
        while !rest.isEmpty {
            out += rest.prefix(64) + "\n"
            rest = rest.dropFirst(64)
        }
        return out + armorEnd + "\n"
    }

    static func dearmored(_ text: String) throws(HLSError) -> [UInt8] {
        // CRLF and whitespace around the lines are tolerated, as sops's reader does.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let begin = lines.firstIndex(of: armorBegin), let end = lines.firstIndex(of: armorEnd), begin < end else {
            throw HLSError(.failed, "invalid armor: missing \(armorBegin) or \(armorEnd) line")
        }
        let body = Array(lines[(begin + 1)..<end])
        guard lines[(end + 1)...].allSatisfy({ $0.isEmpty }) else {
            throw HLSError(.failed, "invalid armor: trailing data")
        }
        for (index, line) in body.enumerated()
        where line.count > 64 || line.isEmpty || (line.count < 64 && index < body.count - 1) {
            throw HLSError(.failed, "invalid armor: line \(begin + index + 2) has \(line.count) characters")
        }
        guard let data = Data(base64Encoded: body.joined()), data.base64EncodedString() == body.joined() else {
            throw HLSError(.failed, "invalid armor: not canonical base64")
        }
        return Array(data)
    }
}
