import HLSCore

/// A `contexts[]` entry of a kubeconfig: a cluster, a user and a default namespace.
public struct KubeconfigContext: Sendable, Hashable {
    public var name: String
    public var file: String
    public var cluster: String?
    public var user: String?
    public var namespace: String?

    init(name: String, file: String, block: Document?) throws(HLSError) {
        let fields = try KubeconfigFields(file: file, path: "contexts[\(name)].context", object: block)
        self.name = name
        self.file = file
        cluster = try fields.string("cluster")
        user = try fields.string("user")
        namespace = try fields.string("namespace")
    }

    func place(_ key: String) -> Place { .field(file: file, path: "contexts[\(name)].context.\(key)") }
}
