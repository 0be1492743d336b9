public import HLSCore
public import HLSTransport

/// One context of a kubeconfig, resolved: the API server to talk to, how to trust it, who to be
/// and the default namespace. Everything a `KubeClient` needs, and the names its errors use.
public struct KubeEndpoint: Sendable {
    /// The context's name (`homelab`).
    public var context: String
    public var cluster: String
    public var user: String
    /// The API server's URL without a trailing slash: `https://192.168.10.21:6443`.
    public var server: String
    /// The context's namespace, `default` when it names none.
    public var namespace: String
    /// The CA to trust (the cluster's, else the system's), the client certificate, the TLS name.
    public var tls: TLSOptions
    /// `proxy-url`.
    public var proxy: String?
    public var credential: KubeCredential
    /// Things the user should hear about once (`insecure-skip-tls-verify`).
    public var warnings: [String]
    /// The file the context came from.
    public var file: String

    public init(
        context: String, cluster: String, user: String, server: String, namespace: String = "default",
        tls: TLSOptions = .verified, proxy: String? = nil, credential: KubeCredential = .none,
        warnings: [String] = [], file: String = "<none>"
    ) {
        self.context = context
        self.cluster = cluster
        self.user = user
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.proxy = proxy
        self.credential = credential
        self.warnings = warnings
        self.file = file
    }
}

/// How requests prove who the user is, besides a client certificate.
public enum KubeCredential: Sendable {
    case none
    /// A bearer token.
    case token(String)
    /// A bearer token read from a file on each new client (kubectl re-reads it every minute).
    case tokenFile(String)
    case basic(username: String, password: String)
    /// An exec credential plugin; `cluster` is the `ExecCredential.spec.cluster` to pass when the
    /// config asks for `provideClusterInfo`.
    case exec(KubeExecConfig, cluster: Document?)
}
