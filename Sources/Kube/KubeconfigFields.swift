import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads the typed fields of one part of a kubeconfig (an entry's `cluster:`, `user:` or
/// `context:` block), with errors that name the file and the field (`users[admin].user.token`).
struct KubeconfigFields {
    /// The kubeconfig file, as named in `KUBECONFIG` or `--kubeconfig`.
    let file: String
    /// Where the block sits in the file: `clusters[lab].cluster`.
    let path: String
    let object: Document

    init(file: String, path: String, object: Document?) throws(HLSError) {
        self.file = file
        self.path = path
        switch object {
        case nil, .null?: self.object = .object([])
        case .object?: self.object = object!
        default:
            throw HLSError(
                .configuration, "\(path) must be a mapping", at: .field(file: file, path: path),
                hint: "see `kubectl config view` for the shape kubectl expects")
        }
    }

    /// The place of a field of this block.
    func place(_ key: String) -> Place { .field(file: file, path: "\(path).\(key)") }

    func error(_ key: String, _ message: String, hint: String? = nil) -> HLSError {
        HLSError(.configuration, message, at: place(key), hint: hint)
    }

    /// A string field; absent, null and empty all read as nil (kubectl treats "" as unset).
    func string(_ key: String) throws(HLSError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value.isEmpty ? nil : value
        default: throw error(key, "\(key) must be a string")
        }
    }

    func bool(_ key: String) throws(HLSError) -> Bool {
        switch object[key] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default: throw error(key, "\(key) must be true or false")
        }
    }

    /// A `*-data` field: base64 of PEM (or of a token), decoded.
    func base64(_ key: String) throws(HLSError) -> [UInt8]? {
        guard let text = try string(key) else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw error(key, "\(key) is not valid base64", hint: "it holds the base64 of the PEM file's contents")
        }
        return Array(data)
    }

    /// A list of strings (`args`).
    func strings(_ key: String) throws(HLSError) -> [String] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                guard case .string(let value) = item else { throw error(key, "\(key) must be a list of strings") }
                out.append(value)
            }
            return out
        default: throw error(key, "\(key) must be a list of strings")
        }
    }

    /// A path field, made absolute against the directory of the file that holds it (as kubectl
    /// resolves `certificate-authority`, `client-certificate`, `client-key` and `tokenFile`).
    func path(_ key: String) throws(HLSError) -> String? {
        try string(key).map { KubeconfigFields.resolve($0, relativeTo: file) }
    }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        guard let slash = file.lastIndex(of: "/") else { return String(relative) }
        return String(file[...slash]) + relative
    }
}
