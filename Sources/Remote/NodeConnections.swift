import Foundation
public import HLSCore
public import HLSTransport
import Synchronization

/// The SSH connections of one hlsh session: one per node, made on first use and reused by
/// every later command (new channels, not new handshakes). Connections to different nodes are
/// made in parallel by the callers' threads. Thread-safe.
public final class NodeConnections: Sendable {
    public struct Settings: Sendable {
        public var knownHostsPath: String
        /// Record an unknown host's key on first contact (a changed key is always refused).
        public var acceptNewHostKeys: Bool
        /// Keys offered when nothing more specific is configured.
        public var identities: [SSHIdentity]
        public var connectTimeout: Duration

        public init(
            knownHostsPath: String, acceptNewHostKeys: Bool, identities: [SSHIdentity],
            connectTimeout: Duration = .seconds(15)
        ) {
            self.knownHostsPath = knownHostsPath
            self.acceptNewHostKeys = acceptNewHostKeys
            self.identities = identities
            self.connectTimeout = connectTimeout
        }

        /// OpenSSH's defaults under `home`: `~/.ssh/known_hosts` and the first of `id_ed25519`,
        /// `id_ecdsa`, `id_rsa` that exist.
        public static func defaults(home: String, acceptNewHostKeys: Bool = false) -> Settings {
            let keys = ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
                .filter { FileManager.default.fileExists(atPath: $0) }
                .map { SSHIdentity(privateKeyPath: $0) }
            return Settings(
                knownHostsPath: "\(home)/.ssh/known_hosts", acceptNewHostKeys: acceptNewHostKeys, identities: keys)
        }
    }

    public let settings: Settings
    private let sessions = Mutex<[NodeTarget: SSHSession]>([:])

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The endpoint `target` is reached at.
    public func endpoint(of target: NodeTarget) -> SSHEndpoint {
        SSHEndpoint(user: target.user ?? Self.localUser, host: target.host, port: target.port ?? 22)
    }

    /// The open session to `target`, connecting (and logging in) when there is none or the
    /// last one was lost.
    /// `acceptNew` records an unknown host's key even when the settings do not.
    public func session(for target: NodeTarget, cancellation: Cancellation = .never, acceptNew: Bool = false)
        throws(HLSError) -> SSHSession
    {
        if let session = sessions.withLock({ $0[target] }), session.isConnected { return session }
        let options = SSHConnectOptions(
            knownHostsPath: settings.knownHostsPath,
            hostKeyPolicy: settings.acceptNewHostKeys || acceptNew ? .acceptNew : .strict,
            identities: settings.identities,
            connectTimeout: settings.connectTimeout)
        let session = try SSHSession(connectingTo: endpoint(of: target), options: options, cancellation: cancellation)
        let replaced = sessions.withLock { all -> SSHSession? in
            defer { all[target] = session }
            return all[target]
        }
        replaced?.close()
        return session
    }

    /// Runs `command` on `target` over its session (see `SSHSession.exec`).
    public func exec(
        _ target: NodeTarget, _ command: String, stdin: [UInt8]? = nil, timeout: Duration? = nil,
        cancellation: Cancellation = .never, acceptNew: Bool = false,
        onStdout: ((ArraySlice<UInt8>) -> Void)? = nil, onStderr: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        try session(for: target, cancellation: cancellation, acceptNew: acceptNew).exec(
            command, stdin: stdin, cancellation: cancellation, timeout: timeout, onStdout: onStdout,
            onStderr: onStderr)
    }

    /// How many connections are open (for tests and `node` summaries).
    public var openCount: Int { sessions.withLock { $0.values.filter(\.isConnected).count } }

    /// Closes every connection.
    public func closeAll() {
        let all = sessions.withLock { s in
            defer { s.removeAll() }
            return Array(s.values)
        }
        for session in all { session.close() }
    }

    private static let localUser: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }()
}
