public import HLSCore
public import HLSTransport
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SSH connections of one hlsh session: targets resolved the way ssh does (the target's own
/// `user@`/`:port`, then ssh_config, then the inventory, then OpenSSH's defaults), and one pooled
/// connection per host reused by every later command (new channels, not new handshakes).
/// Thread-safe; connections to different hosts are made in parallel by the callers' threads.
public final class NodeConnections: Sendable {
    public struct Settings: Sendable {
        /// The ssh_config to read (`$HLSH_SSH_CONFIG`, else `~/.ssh/config`).
        public var configPath: String
        public var home: String
        public var environment: [String: String]
        /// Record an unknown host's key on first contact (a changed key is always refused).
        public var acceptNewHostKeys: Bool
        /// Key files to offer when ssh_config names none (the inventory's keys).
        public var identityFiles: [String]
        /// Refuse every host but loopback: a rehearsal against the simulated lab
        /// (`HLSH_SIM_LOOPBACK_ONLY=1`, set by `--sim`) must never reach a real machine.
        public var loopbackOnly = false

        public init(
            configPath: String, home: String, environment: [String: String], acceptNewHostKeys: Bool = false,
            identityFiles: [String] = []
        ) {
            self.configPath = configPath
            self.home = home
            self.environment = environment
            self.acceptNewHostKeys = acceptNewHostKeys
            self.identityFiles = identityFiles
        }

        /// From the environment: `HLSH_SSH_CONFIG` or `~/.ssh/config` under `HOME`.
        public static func fromEnvironment(_ environment: [String: String]) -> Settings {
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            var settings = Settings(
                configPath: environment["HLSH_SSH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.ssh/config",
                home: home, environment: environment)
            settings.loopbackOnly = environment["HLSH_SIM_LOOPBACK_ONLY"] == "1"
            return settings
        }
    }

    public let settings: Settings
    /// The resolver over the ssh_config as last read, and that file's modification time: the
    /// file is read again when it changes, as each `ssh` run would (the simulated lab rewrites
    /// it as VMs boot).
    private let current = Mutex<(stamp: Date?, resolver: SSHTargetResolver)?>(nil)
    private let pool = SSHConnectionPool()

    /// Reads the ssh_config (a missing file is an empty one).
    public init(settings: Settings) throws(HLSError) {
        self.settings = settings
        _ = try resolver()
    }

    private func resolver() throws(HLSError) -> SSHTargetResolver {
        let stamp =
            (try? FileManager.default.attributesOfItem(atPath: settings.configPath))?[.modificationDate] as? Date
        if let cached = current.withLock({ $0 }), cached.stamp == stamp { return cached.resolver }
        let config = try SSHConfig.load(path: settings.configPath, home: settings.home)
        let resolver = SSHTargetResolver(
            config: config, home: settings.home, localUser: SSHTargetResolver.currentUserName(settings.environment),
            environment: settings.environment)
        current.withLock { $0 = (stamp, resolver) }
        return resolver
    }

    /// Where and how `target` is reached; `acceptNew` records an unknown host key.
    public func resolve(_ target: NodeTarget, acceptNew: Bool = false) throws(HLSError) -> SSHResolvedTarget {
        var resolver = try self.resolver()
        if acceptNew { resolver.hostKeyPolicyOverride = .acceptNew }
        let defaults = SSHTargetDefaults(
            address: target.address, user: target.user, port: target.port, identityFiles: settings.identityFiles,
            hostKeyPolicy: settings.acceptNewHostKeys ? .acceptNew : nil)
        var resolved = try resolver.resolve(target.spec, defaults: defaults)
        resolved.name = target.name
        if settings.loopbackOnly {
            for hop in [resolved] + resolved.jumpHosts where !isLoopbackHost(hop.endpoint.host) {
                throw HLSError(
                    .failed,
                    "\(target.name) is not reachable in the simulated lab (it resolves to \(hop.endpoint.host))",
                    at: .host(target.name),
                    hint: "a simulated VM answers on SSH once it has booted; a rehearsal never connects elsewhere")
            }
        }
        return resolved
    }

    /// The open session to `target`, connecting (and logging in) when there is none or the
    /// last one was lost. A failure to connect names the node as the user wrote it, ahead of
    /// the address it resolved to (which the message names when it does not name the node):
    /// `k3s-cp-01: host key of [127.0.0.1]:34817 is not known: …`.
    public func session(for target: NodeTarget, cancellation: Cancellation = .never, acceptNew: Bool = false)
        throws(HLSError) -> SSHSession
    {
        let resolved = try resolve(target, acceptNew: acceptNew)
        do {
            return try pool.session(for: resolved, cancellation: cancellation)
        } catch {
            throw Self.naming(target, in: error)
        }
    }

    /// `error` with the node's name ahead of its message, unless it names it already or is an
    /// interrupt.
    static func naming(_ target: NodeTarget, in error: HLSError) -> HLSError {
        guard error.kind != .interrupted, !error.message.contains(target.name) else { return error }
        var named = error
        named.message = "\(target.name): \(error.message)"
        return named
    }

    /// Runs `command` on `target` over its pooled connection (see `SSHSession.exec`).
    public func exec(
        _ target: NodeTarget, _ command: String, stdin: [UInt8]? = nil, timeout: Duration? = nil,
        cancellation: Cancellation = .never, acceptNew: Bool = false,
        onStdout: ((ArraySlice<UInt8>) -> Void)? = nil, onStderr: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        try exec(
            target, .plain(command), stdin: stdin, timeout: timeout, cancellation: cancellation,
            acceptNew: acceptNew, onStdout: onStdout, onStderr: onStderr)
    }

    /// Runs `command` on `target`; a `.secret` one shows on no command line (see `SSHCommand`).
    /// A connection lost meanwhile names the node, as a failure to connect does.
    public func exec(
        _ target: NodeTarget, _ command: SSHCommand, stdin: [UInt8]? = nil, timeout: Duration? = nil,
        cancellation: Cancellation = .never, acceptNew: Bool = false,
        onStdout: ((ArraySlice<UInt8>) -> Void)? = nil, onStderr: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        let session = try session(for: target, cancellation: cancellation, acceptNew: acceptNew)
        do {
            return try session.exec(
                command, stdin: stdin, cancellation: cancellation, timeout: timeout, onStdout: onStdout,
                onStderr: onStderr)
        } catch {
            throw Self.naming(target, in: error)
        }
    }

    /// Closes every connection.
    public func closeAll() { pool.closeAll() }
}
