public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the inventory (or a command's flags) knows about a host, layered under ssh_config.
public struct SSHTargetDefaults: Sendable, Hashable {
    /// The address to connect to when ssh_config has no `HostName`.
    public var address: String?
    public var user: String?
    public var port: UInt16?
    /// Key files to offer when ssh_config names none.
    public var identityFiles: [String]
    /// The policy for unknown host keys when ssh_config has no `StrictHostKeyChecking`.
    public var hostKeyPolicy: SSHHostKeyPolicy?
    /// known_hosts when ssh_config has no `UserKnownHostsFile`.
    public var knownHostsPath: String?
    public var connectTimeout: Duration?

    public init(
        address: String? = nil, user: String? = nil, port: UInt16? = nil, identityFiles: [String] = [],
        hostKeyPolicy: SSHHostKeyPolicy? = nil, knownHostsPath: String? = nil, connectTimeout: Duration? = nil
    ) {
        self.address = address
        self.user = user
        self.port = port
        self.identityFiles = identityFiles
        self.hostKeyPolicy = hostKeyPolicy
        self.knownHostsPath = knownHostsPath
        self.connectTimeout = connectTimeout
    }
}

/// Everything needed to connect to one host: where, as whom, how to check and log in, and
/// through which jump hosts. Equal values share one connection in `SSHConnectionPool`.
public struct SSHResolvedTarget: Sendable, Hashable, CustomStringConvertible {
    /// The name as the user gave it (an alias, an inventory name or `user@host:port`).
    public var name: String
    public var endpoint: SSHEndpoint
    public var options: SSHConnectOptions
    /// `ProxyJump` hops, outermost first; empty for a direct connection.
    public var jumpHosts: [SSHResolvedTarget]

    public init(name: String, endpoint: SSHEndpoint, options: SSHConnectOptions, jumpHosts: [SSHResolvedTarget] = []) {
        self.name = name
        self.endpoint = endpoint
        self.options = options
        self.jumpHosts = jumpHosts
    }

    /// `user@host:port`, with ` via jump` hops when there are any.
    public var description: String {
        jumpHosts.isEmpty
            ? endpoint.description
            : "\(endpoint) via \(jumpHosts.map(\.endpoint.description).joined(separator: ", "))"
    }
}

/// Turns what the user typed into a concrete `SSHResolvedTarget`, the way `ssh` does: the
/// target's own `user@` and `:port` win, then ssh_config (so existing aliases just work), then
/// the caller's defaults (the inventory), then OpenSSH's defaults (local user, port 22,
/// `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`, `~/.ssh/known_hosts`, the agent at
/// `SSH_AUTH_SOCK`). A host key policy override (`--accept-new`) beats them all.
public struct SSHTargetResolver: Sendable {
    public var config: SSHConfig
    /// The local home directory (`~`, `%d`, default key and known_hosts paths).
    public var home: String
    public var localUser: String
    /// Where `SSH_AUTH_SOCK` is read from.
    public var environment: [String: String]
    /// `--accept-new` and the like: wins over ssh_config and the defaults.
    public var hostKeyPolicyOverride: SSHHostKeyPolicy?
    /// Keepalive interval when ssh_config sets none (OpenSSH's default is none; long k3s
    /// installs behind NAT want one).
    public var defaultKeepalive: Duration = .seconds(30)
    public var defaultConnectTimeout: Duration = .seconds(15)

    public init(
        config: SSHConfig, home: String, localUser: String, environment: [String: String],
        hostKeyPolicyOverride: SSHHostKeyPolicy? = nil
    ) {
        self.config = config
        self.home = home
        self.localUser = localUser
        self.environment = environment
        self.hostKeyPolicyOverride = hostKeyPolicyOverride
    }

    /// The resolver for this process: `$HOME/.ssh/config` (or `configPath`), the current
    /// user and environment.
    public static func standard(
        configPath: String? = nil, hostKeyPolicyOverride: SSHHostKeyPolicy? = nil
    ) throws(HLSError) -> SSHTargetResolver {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let config = try SSHConfig.load(path: configPath ?? home + "/.ssh/config", home: home)
        return SSHTargetResolver(
            config: config, home: home, localUser: currentUserName(environment), environment: environment,
            hostKeyPolicyOverride: hostKeyPolicyOverride)
    }

    /// Resolves `target` (`alias`, `user@alias:port`, …) with `defaults` under ssh_config.
    public func resolve(_ target: String, defaults: SSHTargetDefaults = SSHTargetDefaults()) throws(HLSError)
        -> SSHResolvedTarget
    {
        let parsed = try SSHTarget.parse(target)
        var resolved = resolveOne(parsed, name: target, defaults: defaults)
        let settings = config.resolve(alias: parsed.host)
        if let hops = settings.proxyJump, !hops.isEmpty {
            // Hops are resolved through ssh_config too, but their own ProxyJump is not followed
            // (a `Host *` ProxyJump would otherwise loop through the jump host itself).
            for hop in hops {
                let hopTarget = try SSHTarget.parse(hop)
                resolved.jumpHosts.append(resolveOne(hopTarget, name: hop, defaults: SSHTargetDefaults()))
            }
        }
        return resolved
    }

    private func resolveOne(_ target: SSHTarget, name: String, defaults: SSHTargetDefaults) -> SSHResolvedTarget {
        let settings = config.resolve(alias: target.host)
        let host = settings.hostName ?? defaults.address ?? target.host
        let user = target.user ?? settings.user ?? defaults.user ?? localUser
        let port = target.port ?? settings.port ?? defaults.port ?? 22
        let tokens: [Character: String] = [
            "h": host, "p": String(port), "r": user, "u": localUser, "d": home, "n": target.host,
            "l": Self.localHostName(), "i": String(getuid()),
        ]
        func path(_ raw: String) -> String {
            SSHConfigTokens.expandTilde(SSHConfigTokens.expand(raw, tokens), home: home)
        }

        var files = settings.identityFiles.map(path)
        if files.isEmpty { files = defaults.identityFiles.map(path) }
        let explicit = !files.isEmpty
        if !explicit {
            files = ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
                .filter { FileManager.default.fileExists(atPath: $0) }
        }
        let identities = files.map { file in
            SSHIdentity(
                privateKeyPath: file,
                publicKeyPath: FileManager.default.fileExists(atPath: file + ".pub") ? file + ".pub" : nil)
        }

        let knownHosts: String
        if let files = settings.userKnownHostsFiles {
            knownHosts = files.first.map(path) ?? "/dev/null"
        } else {
            knownHosts = defaults.knownHostsPath.map(path) ?? "\(home)/.ssh/known_hosts"
        }
        let policy =
            hostKeyPolicyOverride ?? settings.strictHostKeyChecking?.policy ?? defaults.hostKeyPolicy ?? .strict
        let keepalive = settings.serverAliveInterval ?? defaultKeepalive

        let options = SSHConnectOptions(
            knownHostsPath: knownHosts, hostKeyPolicy: policy, identities: identities,
            agentSocket: agentSocket(settings.identityAgent),
            identitiesOnly: (settings.identitiesOnly ?? false) && explicit,
            connectTimeout: settings.connectTimeout ?? defaults.connectTimeout ?? defaultConnectTimeout,
            keepaliveInterval: keepalive == .zero ? nil : keepalive,
            keepaliveCountMax: settings.serverAliveCountMax ?? 3)
        return SSHResolvedTarget(
            name: name, endpoint: SSHEndpoint(user: user, host: host, port: port), options: options)
    }

    /// The agent socket `IdentityAgent` names: nil for `none`, the environment's
    /// `SSH_AUTH_SOCK` for `SSH_AUTH_SOCK` (or when unset), `$VAR`/`${VAR}` from the environment.
    private func agentSocket(_ setting: String?) -> String? {
        guard let setting else { return nonEmpty(environment["SSH_AUTH_SOCK"]) }
        switch setting {
        case "none", "NONE": return nil
        case "SSH_AUTH_SOCK": return nonEmpty(environment["SSH_AUTH_SOCK"])
        default:
            if setting.hasPrefix("${") && setting.hasSuffix("}") {
                return nonEmpty(environment[String(setting.dropFirst(2).dropLast())])
            }
            if setting.hasPrefix("$") { return nonEmpty(environment[String(setting.dropFirst())]) }
            return setting
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func currentUserName(_ environment: [String: String]) -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "root"
    }
}
