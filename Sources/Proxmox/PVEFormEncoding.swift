import HLSTransport

/// `application/x-www-form-urlencoded` as PVE reads it, and the query strings of GET and DELETE,
/// in `PercentEncoding`'s form (unreserved bytes kept, everything else `%XX`, spaces as `%20`).
public enum PVEFormEncoding {
    /// `key=value&key=value`, in the given order.
    public static func encode(_ pairs: [(String, String)]) -> String { PercentEncoding.query(pairs) }

    /// `text` with every byte outside the unreserved set as `%XX`.
    public static func percentEncode(_ text: String) -> String { PercentEncoding.encode(text) }

    /// One path segment (a node name, a UPID): like `percentEncode`, but keeps `:`, `@` and `!`,
    /// which RFC 3986 allows in paths and which appear in every UPID (as pvesh and bpg send them).
    static func encodePathSegment(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: [UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "!")])
    }
}
