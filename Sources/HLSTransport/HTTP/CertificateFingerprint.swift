public import HLSCore

/// The SHA-256 fingerprint of a server's certificate (of its DER encoding), as Proxmox VE shows
/// it in the GUI (System → Certificates), in `pvenode cert info` and as a node's
/// `ssl_fingerprint`: 32 hex pairs, `AA:BB:…:FF`.
///
/// Parsing accepts upper or lower case, with or without the colons (or with spaces), and the
/// output of `openssl x509 -noout -fingerprint -sha256` (`sha256 Fingerprint=AA:…`). It prints
/// in PVE's form.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the SHA-256.
    public let bytes: [UInt8]

    /// The hint that says where the real fingerprint can be read.
    static let whereToReadIt = whereToReadIt(at: "HOST:8006")

    /// The hint that says where the real fingerprint of the server at `authority` (`host:port`) can be read.
    static func whereToReadIt(at authority: String) -> String {
        "on the Proxmox host run `pvenode cert info` (the fingerprint of pveproxy-ssl.pem, else pve-ssl.pem), "
            + "or see the GUI under Node → System → Certificates; for any server: "
            + "openssl s_client -connect \(authority) </dev/null | openssl x509 -noout -fingerprint -sha256"
    }

    /// Parses `text`; `setting` names where it came from (`HLSH_PVE_FINGERPRINT`,
    /// `proxmox.fingerprint`) for the usage error thrown on anything but 32 hex pairs.
    public init(parsing text: String, setting: String) throws(HLSError) {
        var body = Substring(text.trimmingWhitespace())
        if let equals = body.firstIndex(of: "="), body[..<equals].lowercased().contains("fingerprint") {
            body = body[body.index(after: equals)...]
        }
        var digits: [UInt8] = []
        for character in body where character != ":" && character != " " {
            guard character.isASCII, let value = character.hexDigitValue else {
                throw HLSError(
                    .configuration,
                    "\(setting) must be a SHA-256 certificate fingerprint (AA:BB:…:FF); "
                        + "'\(character)' is not a hex digit",
                    hint: Self.whereToReadIt)
            }
            digits.append(UInt8(value))
        }
        guard digits.count == 64 else {
            throw HLSError(
                .configuration,
                "\(setting) must be a SHA-256 certificate fingerprint: 32 hex pairs (AA:BB:…:FF), "
                    + "not \(digits.count) hex digits",
                hint: Self.whereToReadIt)
        }
        bytes = stride(from: 0, to: 64, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// A fingerprint from the 32 bytes of a SHA-256; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// `AA:BB:…:FF`, upper case, as PVE prints it.
    public var description: String { Hex.encode(bytes, uppercase: true, separator: ":") }
}
