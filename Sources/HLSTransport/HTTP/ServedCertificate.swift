#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One certificate of the chain a server presented, as libcurl describes it (`CURLOPT_CERTINFO`):
/// its `Name:value` fields, with the ones a check reads by name.
public struct ServedCertificate: Sendable, Hashable {
    /// The fields in curl's order (`Subject`, `Issuer`, `Expire date`, extensions…).
    public var fields: [Field]

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public init(fields: [Field]) { self.fields = fields }

    /// Reads curl's `Name:value` lines.
    init(lines: [String]) {
        fields = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return Field(name: String(line[..<colon]), value: String(line[line.index(after: colon)...]))
        }
    }

    public func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The subject as one line, `CN=app.example.com, O=…` (OpenSSL's ` = ` spacing removed).
    public var subject: String { Self.oneLine(field("Subject") ?? "") }
    public var issuer: String { Self.oneLine(field("Issuer") ?? "") }

    /// The subject alternative names (`DNS:app.example.com`, `IP Address:10.0.0.1`).
    public var alternativeNames: [String] {
        (field("X509v3 Subject Alternative Name") ?? "").split(separator: ",").map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// `notAfter` as curl prints it (`Dec  5 21:00:00 2027 GMT`).
    public var notAfterText: String { field("Expire date") ?? "" }

    /// `notAfter` in seconds since the epoch, nil when curl's text does not parse.
    public var notAfter: Int64? {
        let parts = notAfterText.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count >= 4, let month = months.firstIndex(of: String(parts[0])), let day = Int32(parts[1]),
            let year = Int32(parts[3])
        else { return nil }
        let clock = parts[2].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var time = tm()
        time.tm_year = year - 1900
        time.tm_mon = Int32(month)
        time.tm_mday = day
        time.tm_hour = clock[0]
        time.tm_min = clock[1]
        time.tm_sec = clock[2]
        return Int64(timegm(&time))
    }

    private static func oneLine(_ name: String) -> String {
        name.replacing(" = ", with: "=").trimmingWhitespace()
    }
}
