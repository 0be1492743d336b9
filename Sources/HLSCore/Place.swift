import Synchronization

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
///
/// The name is interned: a location is three integers, so the parser can put one in every token
/// and syntax node without reference counting (a 10,000-line script has ~100,000 of them).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The interned name's number in `SourceNames`.
    public let fileID: Int32
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.init(fileID: SourceNames.intern(file), line: line, column: column)
    }

    /// A location in an already interned file (the lexer interns its file once).
    public init(fileID: Int32, line: Int, column: Int) {
        self.fileID = fileID
        self.line = line
        self.column = column
    }

    public var file: String { SourceNames.name(fileID) }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        if a.fileID != b.fileID { return a.file < b.file }
        return (a.line, a.column) < (b.line, b.column)
    }
}

/// The names of sources, interned for `SourceLocation`. Names are few (a script, what it
/// sources, the REPL's entries) and live as long as the process.
public enum SourceNames {
    private static let table = Mutex<(ids: [String: Int32], names: [String])>(([:], []))

    public static func intern(_ name: String) -> Int32 {
        table.withLock { t in
            if let id = t.ids[name] { return id }
            let id = Int32(t.names.count)
            t.names.append(name)
            t.ids[name] = id
            return id
        }
    }

    public static func name(_ id: Int32) -> String {
        table.withLock { t in t.names.indices.contains(Int(id)) ? t.names[Int(id)] : "<unknown>" }
    }
}
