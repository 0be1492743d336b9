#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Base64 as PVE's Perl uses it: standard alphabet; `encode_base64($x, '')` keeps padding,
/// `hmac_sha256_base64` drops it.
enum Base64 {
    static func encode(_ bytes: [UInt8], padded: Bool = true) -> String {
        let s = Data(bytes).base64EncodedString()
        return padded ? s : String(s.prefix { $0 != "=" })
    }

    static func decode(_ s: String) -> [UInt8]? {
        var text = s
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map { [UInt8]($0) }
    }
}
