import Crypto
import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SOPSFile {
    /// One `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value.
    struct EncryptedValue {
        var data: [UInt8]
        var iv: [UInt8]
        var tag: [UInt8]
        var type: String

        /// nil when `text` is not an ENC value at all; an error when it is one but malformed.
        init?(_ text: String) throws(HLSError) {
            guard text.hasPrefix("ENC[AES256_GCM,"), text.hasSuffix("]") else { return nil }
            var fields: [String: String] = [:]
            for part in text.dropFirst("ENC[AES256_GCM,".count).dropLast().split(separator: ",") {
                guard let colon = part.firstIndex(of: ":") else { continue }
                fields[String(part[..<colon])] = String(part[part.index(after: colon)...])
            }
            guard let data = fields["data"].flatMap({ Data(base64Encoded: $0) }),
                let iv = fields["iv"].flatMap({ Data(base64Encoded: $0) }), !iv.isEmpty,
                let tag = fields["tag"].flatMap({ Data(base64Encoded: $0) }), tag.count == 16,
                let type = fields["type"]
            else {
                throw HLSError(.failed, "malformed encrypted value (ENC[…]): data, iv, tag or type is missing or bad")
            }
            self.data = Array(data)
            self.iv = Array(iv)
            self.tag = Array(tag)
            self.type = type
        }

        /// The plaintext bytes; `keys` name the value in an error.
        func open(key: [UInt8], aad: String, at keys: [String]) throws(HLSError) -> [UInt8] {
            guard let nonce = try? AES.GCM.Nonce(data: iv),
                let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: data, tag: tag),
                let plain = try? AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(aad.utf8))
            else {
                throw HLSError(
                    .failed, "cannot decrypt the value at \(keys.joined(separator: ".")): it was changed or moved",
                    hint: "a value's path is part of its encryption; re-encrypt the file after moving keys")
            }
            return Array(plain)
        }

        /// The value `plain` stands for, by the type sops recorded.
        func document(_ plain: [UInt8], at keys: [String]) throws(HLSError) -> Document {
            let text = String(decoding: plain, as: UTF8.self)
            switch type {
            case "str", "bytes": return .string(text)
            case "int":
                guard let i = Int(text) else { break }
                return .int(i)
            case "float":
                guard let d = Double(text) else { break }
                return .double(d)
            case "bool":
                switch text {
                case "True", "true": return .bool(true)
                case "False", "false": return .bool(false)
                default: break
                }
            default:
                throw HLSError(.failed, "unknown type \(type) of the value at \(keys.joined(separator: "."))")
            }
            throw HLSError(.failed, "the value at \(keys.joined(separator: ".")) is not a valid \(type)")
        }
    }
}
