import Crypto
import HLSCore

/// sops's walk over a document (Tree.Decrypt): each leaf's path is the mapping keys from the
/// root (sequence items add nothing); a selected leaf is decrypted with `path:` as associated
/// data; every non-null leaf, decrypted or plain, goes into the SHA-512 the MAC is checked against.
struct TreeWalk {
    let key: [UInt8]
    let metadata: SOPSMetadata
    var hash = SHA512()

    init(key: [UInt8], metadata: SOPSMetadata) {
        self.key = key
        self.metadata = metadata
        if metadata.macOnlyEncrypted { hash.update(data: Array(SHA256.hash(data: Array("sops".utf8)))) }
    }

    mutating func value(_ value: Document, path: [String]) throws(SOPSError) -> Document {
        switch value {
        case .object(let pairs):
            var out: [(key: String, value: Document)] = []
            for (k, v) in pairs { out.append((k, try self.value(v, path: path + [k]))) }
            return .object(out)
        case .array(let items):
            var out: [Document] = []
            for item in items { out.append(try self.value(item, path: path)) }
            return .array(out)
        case .null:
            return .null
        case .string(let s) where s.isEmpty:
            return value
        default:
            let encrypted = metadata.selection.encrypts(path)
            var plain = value
            if encrypted {
                guard case .string(let text) = value else {
                    throw SOPSError("Expected encrypted value as string, but got \(value.goTypeName)")
                }
                do {
                    plain = try SOPSValue(text).decrypt(key: key, aad: path.joined(separator: ":") + ":")
                } catch {
                    throw SOPSError("Could not decrypt value: \(error.message)")
                }
            }
            if !metadata.macOnlyEncrypted || encrypted, let bytes = SOPSValue.macBytes(plain) {
                hash.update(data: bytes)
            }
            return plain
        }
    }
}

extension Document {
    /// The Go type sops names in its errors for a value read by the JSON store.
    fileprivate var goTypeName: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float64"
        default: return "string"
        }
    }
}
