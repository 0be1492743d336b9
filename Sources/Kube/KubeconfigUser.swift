public import HLSCore

/// A `users[]` entry of a kubeconfig: how to prove who we are.
public struct KubeconfigUser: Sendable, Hashable {
    public var name: String
    public var file: String
    /// `client-certificate`: a PEM file (absolute).
    public var clientCertificate: String?
    /// `client-certificate-data`, decoded: PEM.
    public var clientCertificateData: [UInt8]?
    /// `client-key`: a PEM file (absolute); k3s's is an EC P-256 key.
    public var clientKey: String?
    /// `client-key-data`, decoded: PEM.
    public var clientKeyData: [UInt8]?
    public var token: String?
    /// `tokenFile`: a file holding the bearer token (absolute).
    public var tokenFile: String?
    public var username: String?
    public var password: String?
    public var exec: KubeExecConfig?

    init(name: String, file: String, block: Document?) throws(HLSError) {
        let fields = try KubeconfigFields(file: file, path: "users[\(name)].user", object: block)
        self.name = name
        self.file = file
        clientCertificate = try fields.path("client-certificate")
        clientCertificateData = try fields.base64("client-certificate-data")
        clientKey = try fields.path("client-key")
        clientKeyData = try fields.base64("client-key-data")
        token = try fields.string("token")
        tokenFile = try fields.path("tokenFile")
        username = try fields.string("username")
        password = try fields.string("password")
        if let block = fields.object["exec"], block != .null {
            exec = try KubeExecConfig(
                KubeconfigFields(file: file, path: "users[\(name)].user.exec", object: block))
        }
        if fields.object["auth-provider"].map({ $0 != .null }) ?? false {
            throw fields.error(
                "auth-provider", "auth-provider plugins are not supported (kubectl removed them in 1.26)",
                hint: "use an exec credential plugin (users[].user.exec) instead")
        }
    }

    func place(_ key: String) -> Place { .field(file: file, path: "users[\(name)].user.\(key)") }
}

/// A user's `exec:` block: a credential plugin that prints an `ExecCredential`.
public struct KubeExecConfig: Sendable, Hashable {
    /// `client.authentication.k8s.io/v1` or `/v1beta1`.
    public var apiVersion: String
    /// The program: absolute, relative to the kubeconfig's directory when it has a `/`, else
    /// looked up on `PATH`.
    public var command: String
    public var args: [String]
    public var env: [(name: String, value: String)]
    /// `Never`, `IfAvailable` or `Always`.
    public var interactiveMode: String
    public var provideClusterInfo: Bool
    public var installHint: String?
    /// Where the block is (`FILE: users[NAME].user.exec`), for errors.
    public var place: Place

    public static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    init(_ fields: KubeconfigFields) throws(HLSError) {
        place = .field(file: fields.file, path: fields.path)
        guard let apiVersion = try fields.string("apiVersion") else {
            throw fields.error(
                "apiVersion", "apiVersion must be specified to use the exec credential plugin",
                hint: "client.authentication.k8s.io/v1")
        }
        guard Self.supportedVersions.contains(apiVersion) else {
            throw fields.error(
                "apiVersion", "exec plugin API version \(apiVersion) is not supported",
                hint: "use one of \(Self.supportedVersions.joined(separator: ", "))")
        }
        self.apiVersion = apiVersion
        guard let command = try fields.string("command") else {
            throw fields.error("command", "command must be specified to use the exec credential plugin")
        }
        self.command = command.contains("/") ? KubeconfigFields.resolve(command, relativeTo: fields.file) : command
        args = try fields.strings("args")
        var env: [(name: String, value: String)] = []
        if case .array(let items)? = fields.object["env"] {
            for (index, item) in items.enumerated() {
                guard case .string(let name)? = item["name"], !name.isEmpty else {
                    throw fields.error("env[\(index)].name", "env variable name must be specified")
                }
                guard case .string(let value)? = item["value"] else {
                    throw fields.error("env[\(index)].value", "env variable \(name) needs a string value")
                }
                env.append((name, value))
            }
        } else if let other = fields.object["env"], other != .null {
            throw fields.error("env", "env must be a list of {name, value}")
        }
        self.env = env
        let mode = try fields.string("interactiveMode")
        if mode == nil && apiVersion.hasSuffix("/v1") {
            throw fields.error(
                "interactiveMode", "interactiveMode must be specified to use the exec credential plugin",
                hint: "Never, IfAvailable or Always")
        }
        interactiveMode = mode ?? "IfAvailable"
        guard ["Never", "IfAvailable", "Always"].contains(interactiveMode) else {
            throw fields.error(
                "interactiveMode", "invalid interactiveMode \(interactiveMode)", hint: "Never, IfAvailable or Always")
        }
        provideClusterInfo = try fields.bool("provideClusterInfo")
        installHint = try fields.string("installHint")
    }

    public static func == (a: KubeExecConfig, b: KubeExecConfig) -> Bool {
        a.apiVersion == b.apiVersion && a.command == b.command && a.args == b.args
            && a.env.map(\.name) == b.env.map(\.name) && a.env.map(\.value) == b.env.map(\.value)
            && a.interactiveMode == b.interactiveMode && a.provideClusterInfo == b.provideClusterInfo
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(command)
        hasher.combine(args)
    }
}
