import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One `-> TYPE ARGS…` stanza of an age header, with its body decoded.
struct AgeStanza: Sendable {
    var type: Substring
    var arguments: [Substring]
    var body: [UInt8]
}

/// Decryption of an age v1 file (age-encryption.org/v1), binary or armored, for X25519
/// identities: the header's stanzas, the file key, the header MAC, then the STREAM payload
/// (ChaCha20-Poly1305 over 64 KiB chunks, a big-endian counter nonce with a last-chunk flag).
enum AgeFile {
    static let armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let armorEnd = "-----END AGE ENCRYPTED FILE-----"
    private static let chunkSize = 65_536
    private static let tagSize = 16

    /// The plaintext of `file` for whichever of `identities` a stanza was written to.
    static func decrypt(_ file: [UInt8], identities: [AgeIdentity]) throws(AgeError) -> [UInt8] {
        let binary = file.starts(with: Array(armorBegin.utf8)) ? try dearmor(file) : file
        let header = try Header(binary)
        var fileKey: [UInt8]?
        for stanza in header.stanzas {
            for identity in identities {
                if let key = try identity.unwrap(stanza) {
                    fileKey = key
                    break
                }
            }
            if fileKey != nil { break }
        }
        guard let fileKey else { throw AgeError("no identity matched any of the recipients") }
        let macKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: fileKey), info: Array("header".utf8), outputByteCount: 32)
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                header.mac, authenticating: binary[..<header.macInputEnd], using: macKey)
        else { throw AgeError("bad header MAC") }
        return try payload(binary[header.payloadStart...], fileKey: fileKey)
    }

    /// The STREAM payload: a 16-byte nonce, then sealed chunks of at most 64 KiB.
    private static func payload(_ bytes: ArraySlice<UInt8>, fileKey: [UInt8]) throws(AgeError) -> [UInt8] {
        guard bytes.count >= 16 else { throw AgeError("failed to read nonce: unexpected EOF") }
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: fileKey), salt: Array(bytes.prefix(16)),
            info: Array("payload".utf8), outputByteCount: 32)
        var rest = bytes.dropFirst(16)
        var plaintext: [UInt8] = []
        var counter: UInt64 = 0
        repeat {
            let chunk = rest.prefix(chunkSize + tagSize)
            rest = rest.dropFirst(chunk.count)
            guard chunk.count >= tagSize else { throw AgeError("failed to decrypt and authenticate payload chunk") }
            // age writes the final chunk, full or not, with the last-chunk flag; a reader that finds
            // data after a chunk that opens only as the last one has trailing data.
            let last = rest.isEmpty
            guard let opened = open(chunk, key: key, nonce: nonce(counter, last: last)) else {
                if !last, open(chunk, key: key, nonce: nonce(counter, last: true)) != nil {
                    throw AgeError("trailing data after end of encrypted file")
                }
                throw AgeError("failed to decrypt and authenticate payload chunk")
            }
            guard !(last && opened.isEmpty && counter > 0) else {
                throw AgeError("last chunk is empty, try age v1.0.0, and please consider reporting this")
            }
            plaintext += opened
            counter += 1
        } while !rest.isEmpty
        return plaintext
    }

    private static func nonce(_ counter: UInt64, last: Bool) -> [UInt8] {
        [0, 0, 0] + withUnsafeBytes(of: counter.bigEndian) { [UInt8]($0) } + [last ? 1 : 0]
    }

    /// ChaCha20-Poly1305 of `sealed` (ciphertext‖tag) with no associated data, or nil.
    static func open(_ sealed: some Collection<UInt8>, key: SymmetricKey, nonce: [UInt8]) -> [UInt8]? {
        let bytes = Array(sealed)
        guard bytes.count >= tagSize, let n = try? ChaChaPoly.Nonce(data: nonce),
            let box = try? ChaChaPoly.SealedBox(
                nonce: n, ciphertext: bytes.dropLast(tagSize), tag: bytes.suffix(tagSize))
        else { return nil }
        return (try? ChaChaPoly.open(box, using: key)).map { [UInt8]($0) }
    }

    /// The binary file inside ASCII armor, read as age's strict armor reader does.
    static func dearmor(_ file: [UInt8]) throws(AgeError) -> [UInt8] {
        var lines = String(decoding: file, as: UTF8.self)
            .split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { lines.removeLast() }
        guard lines.first == Substring(armorBegin) else { throw AgeError("armor: invalid header") }
        guard lines.count >= 2, lines.last == Substring(armorEnd) else {
            throw AgeError("armor: invalid closing line")
        }
        let data = lines.dropFirst().dropLast()
        for (i, line) in data.enumerated() {
            guard line.count <= 64, i == data.count - 1 || line.count == 64, !line.isEmpty else {
                throw AgeError("armor: invalid line length")
            }
        }
        guard let bytes = AgeBase64.decodeArmor(data.joined()) else { throw AgeError("armor: invalid base64") }
        return bytes
    }
}

/// The header of an age file: its stanzas, the MAC, and where the MAC input and payload lie.
private struct Header {
    var stanzas: [AgeStanza] = []
    var mac: [UInt8] = []
    var macInputEnd = 0
    var payloadStart = 0

    init(_ file: [UInt8]) throws(AgeError) {
        var offset = 0
        func line() throws(AgeError) -> Substring {
            guard let end = file[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw AgeError("failed to read header: parsing age header: unexpected EOF")
            }
            let text = String(decoding: file[offset..<end], as: UTF8.self)
            offset = end + 1
            return Substring(text)
        }
        let intro = try line()
        guard intro == "age-encryption.org/v1" else {
            throw AgeError("failed to read header: parsing age header: unexpected intro: \"\(intro)\"")
        }
        while true {
            let start = offset
            let text = try line()
            if text.hasPrefix("---") {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0] == "---", let mac = AgeBase64.decodeHeader(parts[1]), mac.count == 32
                else { throw AgeError("failed to read header: parsing age header: malformed closing line") }
                self.mac = mac
                macInputEnd = start + 3
                payloadStart = offset
                return
            }
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0] == "->",
                parts.dropFirst().allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x21...0x7e).contains($0) } })
            else { throw AgeError("failed to read header: parsing age header: malformed stanza opening line") }
            var body: [UInt8] = []
            while true {
                let chunk = try line()
                guard chunk.count <= 64, let bytes = AgeBase64.decodeHeader(chunk) else {
                    throw AgeError("failed to read header: parsing age header: malformed body line")
                }
                body += bytes
                if chunk.count < 64 { break }
            }
            stanzas.append(AgeStanza(type: parts[1], arguments: Array(parts.dropFirst(2)), body: body))
        }
    }
}
