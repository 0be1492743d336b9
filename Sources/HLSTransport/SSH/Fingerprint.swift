import HLSCore
import HLSCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OpenSSH-style key fingerprints: `SHA256:` followed by the unpadded base64 of the SHA-256 of
/// the key blob, exactly as `ssh-keygen -lf` and ssh's host key prompts print them.
enum Fingerprint {
    /// The fingerprint of a public key blob (the decoded second field of a known_hosts line).
    static func sha256(ofKeyBlob blob: [UInt8]) -> String {
        let digest = SHA.sha256(blob)
        var text = Data(digest).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return "SHA256:" + text
    }

    /// The fingerprint of a base64-encoded key blob, nil when the text is not base64.
    static func sha256(ofBase64Key base64: String) -> String? {
        guard let data = Data(base64Encoded: base64) else { return nil }
        return sha256(ofKeyBlob: [UInt8](data))
    }
}
