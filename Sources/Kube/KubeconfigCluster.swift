import HLSCore

/// A `clusters[]` entry of a kubeconfig: where the API server is and how to trust it.
public struct KubeconfigCluster: Sendable, Hashable {
    public var name: String
    /// The file the entry came from (relative paths in it are resolved against its directory).
    public var file: String
    /// `server`: `https://host:6443`.
    public var server: String?
    /// `certificate-authority`: a PEM file (absolute).
    public var certificateAuthority: String?
    /// `certificate-authority-data`, decoded: PEM.
    public var certificateAuthorityData: [UInt8]?
    /// `insecure-skip-tls-verify`.
    public var insecureSkipTLSVerify: Bool
    /// `tls-server-name`: the name to expect in the server's certificate instead of the URL's host.
    public var tlsServerName: String?
    /// `proxy-url`: `http://`, `https://` or `socks5://`.
    public var proxyURL: String?

    init(name: String, file: String, block: Document?) throws(HLSError) {
        let fields = try KubeconfigFields(file: file, path: "clusters[\(name)].cluster", object: block)
        self.name = name
        self.file = file
        server = try fields.string("server")
        certificateAuthority = try fields.path("certificate-authority")
        certificateAuthorityData = try fields.base64("certificate-authority-data")
        insecureSkipTLSVerify = try fields.bool("insecure-skip-tls-verify")
        tlsServerName = try fields.string("tls-server-name")
        proxyURL = try fields.string("proxy-url")
    }

    /// Where a field of this entry is, for errors.
    func place(_ key: String) -> Place { .field(file: file, path: "clusters[\(name)].cluster.\(key)") }
}
