public import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An SSH key pair made here, as `flux bootstrap` makes the cluster's deploy key (ECDSA P-384 by
/// default): the private key in OpenSSH's own format (`-----BEGIN OPENSSH PRIVATE KEY-----`,
/// unencrypted, which git's ssh reads), and the public key as an `authorized_keys` line.
public struct SSHKeyPair: Sendable {
    /// The OpenSSH private key file's text.
    public var privateKey: String
    /// `ecdsa-sha2-nistp384 AAAA… comment`.
    public var authorizedKey: String

    public init(privateKey: String, authorizedKey: String) {
        self.privateKey = privateKey
        self.authorizedKey = authorizedKey
    }

    /// A new ECDSA P-384 key pair.
    public static func ecdsaP384(comment: String) -> SSHKeyPair {
        let key = P384.Signing.PrivateKey()
        let type = "ecdsa-sha2-nistp384"
        let point = Array(key.publicKey.x963Representation)
        let publicBlob = string(type) + string("nistp384") + string(point)
        let check = UInt32.random(in: .min ... .max)
        var secret = uint32(check) + uint32(check) + string(type) + string("nistp384") + string(point)
        secret += mpint(Array(key.rawRepresentation)) + string(comment)
        var padding: UInt8 = 1
        while secret.count % 8 != 0 {
            secret.append(padding)
            padding += 1
        }
        let file =
            Array("openssh-key-v1".utf8) + [0] + string("none") + string("none") + string([]) + uint32(1)
            + string(publicBlob) + string(secret)
        let body = Data(file).base64EncodedString()
        var lines: [String] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        return SSHKeyPair(
            privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n" + lines.joined(separator: "\n")
                + "\n-----END OPENSSH PRIVATE KEY-----\n",
            authorizedKey: "\(type) \(Data(publicBlob).base64EncodedString())" + (comment.isEmpty ? "" : " \(comment)"))
    }

    private static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    private static func string(_ bytes: [UInt8]) -> [UInt8] { uint32(UInt32(bytes.count)) + bytes }

    private static func string(_ text: String) -> [UInt8] { string(Array(text.utf8)) }

    /// An SSH `mpint`: big-endian, no leading zeros, a zero byte in front when the top bit is set.
    private static func mpint(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if let first = bytes.first, first & 0x80 != 0 { bytes.insert(0, at: 0) }
        return string(bytes)
    }
}
