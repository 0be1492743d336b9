public import HLSCore
import HLSTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension KubeconfigSet {
    /// The context `endpoint(context:)` uses: `override` when given, else `current-context`;
    /// nil when there is neither.
    public func contextName(_ override: String? = nil) -> String? {
        if let override, !override.isEmpty { return override }
        return currentContext
    }

    /// Whether there is no context to use — no kubeconfig, no `current-context`, or a context it
    /// does not define — as before the lab's cluster exists (a rehearsal of a first run).
    public func lacksContext(_ override: String? = nil) -> Bool {
        contextName(override).map { contexts[$0] == nil } ?? true
    }

    /// The endpoint of `context` (`--context`), else of `current-context`, checked as kubectl
    /// checks it (client-go `clientcmd/validation.go`): the context, its cluster and its user
    /// must exist, the cluster must have a server, a CA may not come with
    /// `insecure-skip-tls-verify`, a file and its `-data` may not both be given, a client
    /// certificate needs its key, and only one of token and basic authentication may be used.
    /// Files the entries name (CA, certificate, key, token) are read here, so a missing one is
    /// reported with the field that names it.
    public func endpoint(context override: String? = nil) throws(HLSError) -> KubeEndpoint {
        guard let name = contextName(override) else {
            throw HLSError(
                .configuration,
                files.isEmpty
                    ? "no kubeconfig: \(origin) does not exist"
                    : "no Kubernetes context chosen: \(origin) sets no current-context",
                hint: contexts.isEmpty
                    ? "write the lab's with `node kubeconfig`, or set KUBECONFIG"
                    : "pass --context NAME (one of \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let context = contexts[name] else {
            let names = contexts.keys.sorted()
            throw HLSError(
                .configuration, "context \(name) is not defined in \(origin)",
                at: override == nil ? currentContextFile.map { .field(file: $0, path: "current-context") } : nil,
                hint: Suggest.nearest(name, in: names).map { "did you mean \($0)?" }
                    ?? (names.isEmpty
                        ? "the kubeconfig defines no contexts" : "defined: \(names.joined(separator: ", "))"))
        }
        guard let clusterName = context.cluster else {
            throw HLSError(
                .configuration, "cluster was not specified for context \(name)", at: context.place("cluster"))
        }
        guard let cluster = clusters[clusterName] else {
            throw HLSError(
                .configuration, "cluster \(clusterName) was not found for context \(name)",
                at: context.place("cluster"),
                hint: Suggest.nearest(clusterName, in: clusters.keys.sorted()).map { "did you mean \($0)?" })
        }
        guard let userName = context.user else {
            throw HLSError(.configuration, "user was not specified for context \(name)", at: context.place("user"))
        }
        guard let user = users[userName] else {
            throw HLSError(
                .configuration, "user \(userName) was not found for context \(name)", at: context.place("user"),
                hint: Suggest.nearest(userName, in: users.keys.sorted()).map { "did you mean \($0)?" })
        }
        let namespace = context.namespace ?? "default"
        guard Self.isDNSLabel(namespace) else {
            throw HLSError(
                .configuration, "namespace \(namespace) of context \(name) is not a valid namespace name",
                at: context.place("namespace"), hint: "lowercase letters, digits and '-', at most 63")
        }
        var endpoint = KubeEndpoint(
            context: name, cluster: clusterName, user: userName, server: "", namespace: namespace, file: context.file)
        try Self.apply(cluster, context: name, to: &endpoint)
        try Self.apply(user, context: name, cluster: cluster, to: &endpoint)
        return endpoint
    }

    private static func apply(
        _ cluster: KubeconfigCluster, context: String, to endpoint: inout KubeEndpoint
    ) throws(HLSError) {
        guard var server = cluster.server else {
            throw HLSError(
                .configuration, "no server found for cluster \(cluster.name) (context \(context))",
                at: cluster.place("server")
            )
        }
        let scheme = server.prefix { $0 != ":" }.lowercased()
        guard (scheme == "https" || scheme == "http") && server.contains("://") else {
            throw HLSError(
                .configuration, "server \(server) of cluster \(cluster.name) is not an http(s) URL",
                at: cluster.place("server"), hint: "https://HOST:6443")
        }
        while server.hasSuffix("/") { server.removeLast() }
        endpoint.server = server
        if cluster.certificateAuthority != nil && cluster.certificateAuthorityData != nil {
            throw HLSError(
                .configuration,
                "certificate-authority-data and certificate-authority are both specified for cluster \(cluster.name)",
                at: cluster.place("certificate-authority"), hint: "keep one of them")
        }
        let hasCA = cluster.certificateAuthority != nil || cluster.certificateAuthorityData != nil
        if cluster.insecureSkipTLSVerify {
            if hasCA {
                throw HLSError(
                    .configuration,
                    "cluster \(cluster.name) gives a certificate authority and insecure-skip-tls-verify: "
                        + "specifying a root certificate with the insecure flag is not allowed",
                    at: cluster.place("insecure-skip-tls-verify"), hint: "remove one of them")
            }
            endpoint.tls.insecure = true
            endpoint.warnings.append(
                "context \(context): insecure-skip-tls-verify is set for cluster \(cluster.name): "
                    + "the server's certificate is not checked, so anyone in between can read the credentials")
        }
        if let file = cluster.certificateAuthority {
            endpoint.tls.caPEM = try readFile(
                file, field: "certificate-authority", at: cluster.place("certificate-authority"))
        } else if let data = cluster.certificateAuthorityData {
            endpoint.tls.caPEM = data
        }
        endpoint.tls.serverName = cluster.tlsServerName
        if let proxy = cluster.proxyURL {
            let scheme = proxy.prefix { $0 != ":" }.lowercased()
            guard ["http", "https", "socks5"].contains(scheme), proxy.contains("://") else {
                throw HLSError(
                    .configuration, "invalid proxy-url \(proxy) for cluster \(cluster.name)",
                    at: cluster.place("proxy-url"),
                    hint: "http://, https:// or socks5:// URL")
            }
            endpoint.proxy = proxy
        }
    }

    private static func apply(
        _ user: KubeconfigUser, context: String, cluster: KubeconfigCluster, to endpoint: inout KubeEndpoint
    ) throws(HLSError) {
        if user.clientCertificate != nil && user.clientCertificateData != nil {
            throw HLSError(
                .configuration,
                "client-certificate-data and client-certificate are both specified for user \(user.name)",
                at: user.place("client-certificate"), hint: "keep one of them")
        }
        if user.clientKey != nil && user.clientKeyData != nil {
            throw HLSError(
                .configuration, "client-key-data and client-key are both specified for user \(user.name)",
                at: user.place("client-key"), hint: "keep one of them")
        }
        let hasCertificate = user.clientCertificate != nil || user.clientCertificateData != nil
        let hasKey = user.clientKey != nil || user.clientKeyData != nil
        if hasCertificate != hasKey {
            throw HLSError(
                .configuration,
                hasCertificate
                    ? "user \(user.name) has a client certificate but no client-key or client-key-data"
                    : "user \(user.name) has a client key but no client-certificate or client-certificate-data",
                at: user.place(hasCertificate ? "client-key-data" : "client-certificate-data"))
        }
        if let file = user.clientCertificate {
            endpoint.tls.clientCertificate = .pem(
                try readFile(file, field: "client-certificate", at: user.place("client-certificate")))
        } else if let data = user.clientCertificateData {
            endpoint.tls.clientCertificate = .pem(data)
        }
        if let file = user.clientKey {
            endpoint.tls.clientKey = .pem(try readFile(file, field: "client-key", at: user.place("client-key")))
        } else if let data = user.clientKeyData {
            endpoint.tls.clientKey = .pem(data)
        }
        let hasToken = user.token != nil || user.tokenFile != nil
        let hasBasic = user.username != nil || user.password != nil
        if hasToken && hasBasic {
            throw HLSError(
                .configuration, "more than one authentication method found for user \(user.name): token and basicAuth",
                at: user.place(user.token != nil ? "token" : "tokenFile"), hint: "only one is allowed")
        }
        if let exec = user.exec {
            endpoint.credential = .exec(exec, cluster: exec.provideClusterInfo ? clusterInfo(cluster, endpoint) : nil)
        } else if let token = user.token {
            endpoint.credential = .token(token)
        } else if let file = user.tokenFile {
            _ = try readFile(file, field: "tokenFile", at: user.place("tokenFile"))
            endpoint.credential = .tokenFile(file)
        } else if hasBasic {
            endpoint.credential = .basic(username: user.username ?? "", password: user.password ?? "")
        }
    }

    /// `ExecCredential.spec.cluster`, as client-go fills it.
    private static func clusterInfo(_ cluster: KubeconfigCluster, _ endpoint: KubeEndpoint) -> Document {
        var pairs: [(key: String, value: Document)] = [("server", .string(endpoint.server))]
        if let name = cluster.tlsServerName { pairs.append(("tls-server-name", .string(name))) }
        if cluster.insecureSkipTLSVerify { pairs.append(("insecure-skip-tls-verify", .bool(true))) }
        if let ca = endpoint.tls.caPEM {
            pairs.append(("certificate-authority-data", .string(Data(ca).base64EncodedString())))
        }
        if let proxy = cluster.proxyURL { pairs.append(("proxy-url", .string(proxy))) }
        return .object(pairs)
    }

    static func readFile(_ path: String, field: String, at place: Place) throws(HLSError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HLSError(
                .failed, "cannot read \(path), the \(field) the kubeconfig names", at: place,
                hint: FileManager.default.fileExists(atPath: path) ? "check its permissions" : "the file does not exist"
            )
        }
        return Array(data)
    }

    /// A DNS-1123 label: what a namespace name must be.
    static func isDNSLabel(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 63, let first = name.first, let last = name.last else { return false }
        func ok(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber || c == "-") }
        return name.allSatisfy(ok) && first != "-" && last != "-"
    }
}
