#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What can be learned about a key file without its passphrase: the public key blob (from the
/// `.pub` next to it, or from an OpenSSH-format private key, which stores the public key in
/// the clear) and whether the private key is encrypted.
struct SSHKeyFile {
    /// The public key blob, nil when neither the `.pub` nor the private key reveals it.
    var publicBlob: [UInt8]?
    /// True when the private key needs a passphrase.
    var isEncrypted: Bool

    init(identity: SSHIdentity) {
        let pubPath = identity.publicKeyPath ?? identity.privateKeyPath + ".pub"
        var blob = Self.blob(fromPublicKeyFile: pubPath)
        let privateText = FileManager.default.contents(atPath: identity.privateKeyPath).map {
            String(decoding: $0, as: UTF8.self)
        }
        var encrypted = false
        if let privateText {
            if let parsed = Self.parseOpenSSHPrivateKey(privateText) {
                blob = blob ?? parsed.publicBlob
                encrypted = parsed.cipher != "none"
            } else {
                // PEM (`BEGIN RSA PRIVATE KEY`): encrypted keys carry a Proc-Type header.
                encrypted = privateText.contains("Proc-Type: 4,ENCRYPTED") || privateText.contains("BEGIN ENCRYPTED")
            }
        }
        self.publicBlob = blob
        self.isEncrypted = encrypted
    }

    /// The blob of a `type base64 [comment]` public key file.
    static func blob(fromPublicKeyFile path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "\n"
        })
        guard fields.count >= 2, let decoded = Data(base64Encoded: String(fields[1])) else { return nil }
        return [UInt8](decoded)
    }

    /// The cipher name and the first public key of an `openssh-key-v1` private key.
    static func parseOpenSSHPrivateKey(_ text: String) -> (cipher: String, publicBlob: [UInt8])? {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
        let end = "-----END OPENSSH PRIVATE KEY-----"
        guard let start = text.firstRange(of: begin), let stop = text.firstRange(of: end),
            start.upperBound < stop.lowerBound
        else { return nil }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { return nil }
        var reader = ByteReader(bytes: [UInt8](data))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.take(magic.count) == magic,
            let cipher = reader.string(),
            reader.string() != nil,  // kdf name
            reader.string() != nil,  // kdf options
            let count = reader.uint32(), count >= 1,
            let publicBlob = reader.string()
        else { return nil }
        return (String(decoding: cipher, as: UTF8.self), publicBlob)
    }

    /// SSH wire-format reading: big-endian lengths and length-prefixed strings.
    private struct ByteReader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ n: Int) -> [UInt8]? {
            guard n >= 0, offset + n <= bytes.count else { return nil }
            defer { offset += n }
            return Array(bytes[offset..<offset + n])
        }

        mutating func uint32() -> UInt32? {
            take(4).map { $0.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        }

        mutating func string() -> [UInt8]? {
            guard let length = uint32() else { return nil }
            return take(Int(length))
        }
    }
}
