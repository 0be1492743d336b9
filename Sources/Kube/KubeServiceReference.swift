/// A Service as the apiserver's service proxy names it: `NAMESPACE/NAME[:PORT]`, the port a
/// name or a number of the Service's `spec.ports` (none: its only port). Calls go to
/// `/api/v1/namespaces/NAMESPACE/services/NAME[:PORT]/proxy/PATH` with the kubeconfig's
/// credentials, as `kubectl get --raw` sends them: no port-forward, no other credentials.
public struct KubeServiceReference: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public var port: String?

    public init(namespace: String, name: String, port: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.port = port
    }

    /// `monitoring/loki-gateway:80`; nil for text of another shape (a namespace and a name that
    /// are no DNS labels, an empty port).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return nil }
        let words = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard words.count <= 2, Self.isLabel(parts[0]), Self.isLabel(words[0]) else { return nil }
        if words.count == 2 {
            guard !words[1].isEmpty, words[1].utf8.allSatisfy({ Self.isLabelByte($0) }) else { return nil }
        }
        self.init(namespace: parts[0], name: words[0], port: words.count == 2 ? words[1] : nil)
    }

    public var description: String { "\(namespace)/\(name)" + (port.map { ":\($0)" } ?? "") }

    /// `/api/v1/namespaces/NS/services/NAME[:PORT]/proxy` followed by `path` (which starts with `/`).
    func proxyPath(_ path: String) -> String {
        "/api/v1/namespaces/\(namespace)/services/\(name)" + (port.map { ":\($0)" } ?? "") + "/proxy" + path
    }

    /// A DNS label (RFC 1123): lower-case letters, digits and `-`, at most 63, no `-` at either end.
    private static func isLabel(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63 && text.utf8.allSatisfy(isLabelByte) && !text.hasPrefix("-")
            && !text.hasSuffix("-")
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}
