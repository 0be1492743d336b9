public import HLSCore
import HLSFormats
import HLSTransport

/// Reading PVE's answers, which are loose about types: numbers often come back as strings
/// (`"memory": "8192"`, `GET /cluster/nextid` → `"101"`), flags as 0/1 or `"1"`.
extension Document {
    /// An integer from a number or a numeric string (`8192`, `"8192"`, `8192.0`).
    public var pveInt: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value): return value.rounded() == value && abs(value) < 9e18 ? Int(value) : nil
        case .string(let text): return Int(text.trimmingWhitespace())
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// A number from a number or a numeric string.
    public var pveDouble: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string(let text): return Double(text.trimmingWhitespace())
        default: return nil
        }
    }

    /// Text from a string or a scalar (numbers and flags as PVE writes them: `2`, `1`).
    public var pveString: String? {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .double(let value):
            return value.rounded() == value && abs(value) < 9e15 ? String(Int(value)) : String(value)
        case .bool(let value): return value ? "1" : "0"
        default: return nil
        }
    }

    /// A flag from `true`, `1` or `"1"` (anything else is false; nil when absent or null).
    public var pveBool: Bool? {
        switch self {
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .string(let text): return ["1", "true", "yes", "on"].contains(text.trimmingWhitespace().lowercased())
        case .double(let value): return value != 0
        default: return nil
        }
    }

    /// The items of an array (empty for anything else).
    var pveItems: [Document] {
        if case .array(let items) = self { return items }
        return []
    }

    /// The members of an object, in order (empty for anything else).
    var pveMembers: [(key: String, value: Document)] {
        if case .object(let members) = self { return members }
        return []
    }
}

/// Required fields of an answer: a missing one is reported as an unexpected answer of `place`.
struct PVEFields {
    let document: Document
    let place: Place
    let what: String

    init(_ document: Document, at place: Place, what: String) {
        self.document = document
        self.place = place
        self.what = what
    }

    func string(_ key: String) throws(HLSError) -> String {
        guard let value = document[key]?.pveString else { throw missing(key) }
        return value
    }

    func int(_ key: String) throws(HLSError) -> Int {
        guard let value = document[key]?.pveInt else { throw missing(key) }
        return value
    }

    func optionalString(_ key: String) -> String? { document[key]?.pveString }
    func optionalInt(_ key: String) -> Int? { document[key]?.pveInt }
    func optionalDouble(_ key: String) -> Double? { document[key]?.pveDouble }
    func flag(_ key: String) -> Bool { document[key]?.pveBool ?? false }

    private func missing(_ key: String) -> HLSError {
        HLSError(
            .failed, "unexpected answer from Proxmox VE: \(what) has no usable '\(key)'", at: place,
            cause: Redaction.redact(String(JSONCodec.encode(document).prefix(300))))
    }
}
