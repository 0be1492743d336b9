/// Where something happened, in the words a user needs to find it: a script position, a host,
/// an API call or an inventory field. Every user-facing error carries one when it is known.
public enum Place: Sendable, Hashable, CustomStringConvertible {
    /// A position in a script or an inventory file; `line` and `column` are 1-based.
    case source(SourceLocation)
    /// A remote host, as the user named it (inventory name or `user@host:port`).
    case host(String)
    /// An API request: method and path, never the query string's secrets.
    case request(method: String, url: String)
    /// A field of a structured document (`homelab.yaml: vms[1].memory`).
    case field(file: String, path: String)

    public var description: String {
        switch self {
        case .source(let loc): return loc.description
        case .host(let host): return host
        case .request(let method, let url): return "\(method) \(url)"
        case .field(let file, let path): return "\(file): \(path)"
        }
    }
}

/// A 1-based line and column in a named source (a file path, `<command line>` or `<stdin>`).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}
