#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two base64 forms of an age file: the header's (unpadded) and the armor's (padded), both
/// canonical only — a text that does not re-encode to itself is refused.
enum AgeBase64 {
    static func decodeHeader(_ text: Substring) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        return decodeCanonical(String(text), padded: false)
    }

    static func decodeArmor(_ text: String) -> [UInt8]? { decodeCanonical(text, padded: true) }

    private static func decodeCanonical(_ text: String, padded: Bool) -> [UInt8]? {
        guard padded ? text.count % 4 == 0 : text.count % 4 != 1 else { return nil }
        guard let bytes = Base64.decode(text), Base64.encode(bytes, padded: padded) == text else { return nil }
        return bytes
    }
}
