import HLSTransport

/// The `sshkeys` config value, which PVE wants URL-encoded *inside* the form encoding.
///
/// After PVE form-decodes the request, `sshkeys` must match `[-%A-Za-z0-9_.!~*'()]*`, with the
/// keys separated by newlines — so the keys are percent-encoded once here (spaces `%20`, never
/// `+`; newlines `%0A`; `+`, `/`, `=` and `@` too), and that string is then form-encoded like any
/// other value, which puts each `%` on the wire as `%25`. A raw key is refused by PVE with
/// 400 `sshkeys: invalid format - invalid urlencoded string`. (With a JSON body the value
/// would be encoded only once; hlsh always sends forms.) `GET …/config` returns the encoded form.
public enum PVESSHKeys {
    /// The value to put under `sshkeys`: the keys (one per element, or several per element on
    /// separate lines), trimmed, blank lines dropped, joined with newlines and percent-encoded.
    public static func encode(_ keys: [String]) -> String {
        let lines = keys.flatMap { $0.split(whereSeparator: \.isNewline) }
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
        return PVEFormEncoding.percentEncode(lines.joined(separator: "\n"))
    }

    /// The keys of a value as `GET …/config` returns it (percent-decoded, one per line).
    public static func decode(_ value: String) -> [String] {
        percentDecode(value).split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter {
            !$0.isEmpty
        }
    }

    /// Whether `value` is already in the encoded form PVE accepts (a raw key always has a space).
    public static func isEncoded(_ value: String) -> Bool {
        value.utf8.allSatisfy { byte in
            PercentEncoding.isUnreserved(byte) || "%!*'()".utf8.contains(byte)
        }
    }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
