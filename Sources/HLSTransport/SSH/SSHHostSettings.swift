/// What an ssh_config says about one host. Every field is optional (nil: the file does not say),
/// so a caller can layer its own defaults underneath. Values are as written, after `~`
/// expansion but before `%` tokens (those need the final host, port and user; see
/// `SSHTargetResolver`).
public struct SSHHostSettings: Sendable, Hashable {
    public var hostName: String?
    public var user: String?
    public var port: UInt16?
    /// Every `IdentityFile` that applies, in file order (they accumulate, unlike other keywords).
    public var identityFiles: [String] = []
    public var identitiesOnly: Bool?
    /// The `ProxyJump` hops, outermost first; an empty list for `ProxyJump none`.
    public var proxyJump: [String]?
    /// The `UserKnownHostsFile`s; an empty list for `none`.
    public var userKnownHostsFiles: [String]?
    public var strictHostKeyChecking: SSHStrictHostKeyChecking?
    public var connectTimeout: Duration?
    public var serverAliveInterval: Duration?
    public var serverAliveCountMax: Int?
    /// `IdentityAgent`: `none`, `SSH_AUTH_SOCK` (take it from the environment) or a socket path.
    public var identityAgent: String?

    public init() {}
}

/// ssh_config's `StrictHostKeyChecking`. `ask` is treated as `yes` (hlsh never prompts).
public enum SSHStrictHostKeyChecking: Sendable, Hashable {
    case yes
    case acceptNew
    /// OpenSSH connects to unknown hosts and records them; hlsh does the same, but still refuses
    /// a changed key.
    case no

    /// The host key policy it maps to: `.strict` for `yes`, `.acceptNew` otherwise.
    public var policy: SSHHostKeyPolicy { self == .yes ? .strict : .acceptNew }
}
