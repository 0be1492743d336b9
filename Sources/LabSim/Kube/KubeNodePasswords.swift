import Crypto
import HLSCore
import _CryptoExtras

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// k3s's node passwords (`pkg/nodepassword`, `pkg/authenticator/hash`, as in v1.33.4): a node
/// keeps a random password in `/etc/rancher/node/password`; the server keeps its scrypt hash in
/// the Secret `<node>.node-password.k3s` in kube-system (immutable, `data.hash`, no type of its
/// own before v1.33.6: Opaque). The first request for a node creates the Secret; a later one with
/// another password is refused (the supervisor answers 403), so a machine re-created with the
/// old one's name is refused until the Secret goes. Deleting the Node deletes the Secret (k3s's
/// node controller, `onRemove`).
enum KubeNodePasswords {
    static func secretName(_ node: String) -> String { (node + ".node-password.k3s").lowercased() }

    /// `$1:SALT:15:8:1:KEY` as k3s's `SCrypt.CreateHash` writes it: 8 random salt bytes in hex,
    /// N = 2^15, r = 8, p = 1, a 64-byte key in unpadded base64.
    static func hash(_ password: String) -> String? {
        var salt = [UInt8](repeating: 0, count: 8)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
        guard let key = derive(password, salt: salt, n: 15, r: 8, p: 1, length: 64) else { return nil }
        return "$1:\(Hex.encode(salt)):15:8:1:\(Base64.encode(key, padded: false))"
    }

    /// Whether `password` is the one `hash` was made from (k3s's `SCrypt.VerifyHash`).
    static func verify(_ hash: String, _ password: String) -> Bool {
        let fields = hash.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, fields[0] == "$1", let salt = hexBytes(fields[1]), let n = Int(fields[2]),
            let r = Int(fields[3]), let p = Int(fields[4]), (1...24).contains(n), let key = Base64.decode(fields[5]),
            let derived = derive(password, salt: salt, n: n, r: r, p: p, length: key.count)
        else { return false }
        return derived == key
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }

    private static func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int, length: Int) -> [UInt8]? {
        guard
            let key = try? KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: length, rounds: 1 << n, blockSize: r,
                parallelism: p)
        else { return nil }
        return key.withUnsafeBytes { Array($0) }
    }

    /// The Secret k3s creates for a node's first request.
    static func secret(node: String, hash: String) -> Document {
        .object([
            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
            ("metadata", .object([("name", .string(secretName(node))), ("namespace", .string("kube-system"))])),
            ("immutable", .bool(true)),
            ("data", .object([("hash", .string(Base64.encode(Array(hash.utf8))))])),
            ("type", .string("Opaque")),
        ])
    }
}

extension KubeAPI {
    /// k3s's supervisor checking a node's password (`nodepassword.Ensure`): true when the node's
    /// Secret holds its hash, or did not exist and now does; false when it holds another's.
    /// The scrypt work runs outside the store's lock.
    func ensureNodePassword(node: String, password: String) throws(KubeStatus) -> Bool {
        let type = KubeStoreState.secrets
        let name = KubeNodePasswords.secretName(node)
        func stored() -> String? {
            store.transact { state in
                state.get(type, namespace: "kube-system", name: name).map { secret in
                    secret.text("data", "hash").flatMap { Base64.decode($0) }.map {
                        String(decoding: $0, as: UTF8.self)
                    }
                        ?? ""
                }
            }
        }
        if let hash = stored() { return KubeNodePasswords.verify(hash, password) }
        guard let hash = KubeNodePasswords.hash(password) else {
            throw KubeStatus.internalError("unable to create hash for node '\(node)'")
        }
        let created = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Bool in
            guard state.get(type, namespace: "kube-system", name: name) == nil else { return false }
            _ = try state.create(
                type, KubeNodePasswords.secret(node: node, hash: hash), namespace: "kube-system",
                manager: .update("k3s-supervisor"))
            return true
        }
        if created { return true }
        return stored().map { KubeNodePasswords.verify($0, password) } ?? false
    }
}

extension KubeStoreState {
    /// k3s's node controller on a Node's removal: its node-password Secret goes too.
    mutating func forgetNodePassword(of node: String) {
        let name = KubeNodePasswords.secretName(node)
        guard let secret = get(Self.secrets, namespace: "kube-system", name: name) else { return }
        _ = try? delete(Self.secrets, secret, policy: "Background")
    }
}
