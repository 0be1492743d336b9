internal import CSSH2
public import HLSCore
import Synchronization

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

/// An authenticated SSH connection to one host: a TCP socket and the libssh2 session on it,
/// both owned here and released in `close()` or deinit. Commands run one after another over
/// the same connection, each on its own channel.
///
/// Threads: a session may be used from any thread, one operation at a time — every operation
/// holds the session's lock while it runs (an `exec` until its command ends). To stop a running
/// command from another thread, cancel the `Cancellation` it was given; that is noticed within
/// about 100 ms. libssh2 runs in non-blocking mode throughout: every wait is a `poll()` in
/// short slices.
///
/// `@unchecked Sendable` (and a `Lock`, not a `Mutex`): the state is the libssh2 session and
/// its socket (C pointers, borrowed by `io`), which no `Mutex` can hold as a sendable value; the
/// lock is held around each whole operation (`withIO`'s body) rather than around a value.
public final class SSHSession: @unchecked Sendable {
    public let endpoint: SSHEndpoint
    /// The key the server proved it holds, already verified against known_hosts.
    public let hostKey: SSHHostKey

    private let socket: Int32
    private let session: OpaquePointer
    /// Borrows `socket` and `session`; used only under `lock`.
    private let io: SSHSessionIO
    private let lock = Lock()
    private var closed = false
    /// Mirrors "open and not lost" for `isConnected`, which must not wait for a running command.
    private let usable = Atomic<Bool>(true)
    /// The `ProxyJump` tunnel this session runs through; closed after the session.
    private let tunnel: SSHTunnel?

    /// Connects to `endpoint`, verifies its host key and logs in.
    ///
    /// Errors name the endpoint as their place: connection refused or timed out, unknown or
    /// changed host key (with the `SHA256:` fingerprints), authentication failure (with the
    /// keys tried). `.interrupted` when `cancellation` fires first.
    public convenience init(
        connectingTo endpoint: SSHEndpoint, options: SSHConnectOptions, cancellation: Cancellation = .never
    ) throws(HLSError) {
        guard LibSSH2.ensureInitialized() else {
            throw HLSError(.failed, "cannot initialize libssh2", at: .host(endpoint.description))
        }
        let deadline = Deadline(after: options.connectTimeout)
        var trace = SSHTrace.begin("connect", endpoint)
        let socket: Int32
        do throws(HLSError) {
            socket = try SSHTCPConnect.open(endpoint, deadline: deadline, cancellation: cancellation)
        } catch {
            trace?.end("failed")
            throw error
        }
        trace?.mark("tcp")
        SSHTCPConnect.enableKeepalive(socket, options: options)
        try self.init(
            socket: socket, endpoint: endpoint, options: options, deadline: deadline, cancellation: cancellation,
            tunnel: nil, trace: trace)
    }

    /// Runs SSH over an already connected `socket` (a TCP connection, or one end of a
    /// `ProxyJump` tunnel, which the session then owns and closes after the socket). Takes
    /// ownership of `socket` and `tunnel` even when it throws.
    init(
        socket: Int32, endpoint: SSHEndpoint, options: SSHConnectOptions, deadline: Deadline,
        cancellation: Cancellation, tunnel: SSHTunnel?, trace: SSHTrace? = nil
    ) throws(HLSError) {
        var trace = trace ?? SSHTrace.begin("connect", endpoint)
        guard LibSSH2.ensureInitialized(), let session = hlsh_ssh2_session_init() else {
            closeDescriptor(socket)
            tunnel?.close()
            throw HLSError(.failed, "cannot create an SSH session (out of memory?)", at: .host(endpoint.description))
        }
        libssh2_session_set_blocking(session, 0)
        let io = SSHSessionIO(session: session, socket: socket, endpoint: endpoint)
        do throws(HLSError) {
            try io.call("negotiating SSH", deadline: deadline, cancellation: cancellation) {
                libssh2_session_handshake(session, socket)
            }
            trace?.mark("kex")
            let (key, keyType) = try Self.presentedHostKey(io)
            try SSHKnownHosts(path: options.knownHostsPath).verify(
                key, sessionKeyType: keyType, for: endpoint, policy: options.hostKeyPolicy, session: session)
            trace?.mark("hostkey")
            try io.authenticate(user: endpoint.user, options: options, deadline: deadline, cancellation: cancellation)
            trace?.mark("auth")
            self.hostKey = key
        } catch {
            trace?.end("failed")
            Self.teardown(io)
            tunnel?.close()
            throw error
        }
        if let interval = options.keepaliveInterval {
            let seconds = UInt32(clamping: max(1, interval.wholeSeconds))
            libssh2_keepalive_config(session, 1, seconds)
            io.keepaliveEnabled = true
        }
        trace?.end()
        self.tunnel = tunnel
        self.endpoint = endpoint
        self.socket = socket
        self.session = session
        self.io = io
    }

    deinit {
        if !closed {
            Self.teardown(io)
            tunnel?.close()
        }
    }

    /// Disconnects and releases the socket and the libssh2 session. Idempotent; waits for a
    /// running operation to end first.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        usable.store(false, ordering: .releasing)
        Self.teardown(io)
        tunnel?.close()
    }

    /// Whether the session is open and its connection has not been found lost. Does not wait
    /// for a running operation (it reports the state as of the last one).
    public var isConnected: Bool { usable.load(ordering: .acquiring) }

    /// Looks at the socket without waiting or consuming anything: when the server has closed
    /// the connection (a rebooted host, a killed sshd), it reads as end-of-file. Marks the
    /// session unusable then, so `SSHConnectionPool` reconnects before the next command
    /// instead of failing it. A connection that vanished silently is only found by use (or
    /// by keepalive).
    @discardableResult
    public func checkPeerStillConnected() -> Bool {
        guard isConnected else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return true }
        var byte: UInt8 = 0
        let n = recv(socket, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || descriptor.revents & Int16(POLLERR) != 0 {
            usable.store(false, ordering: .releasing)
            return false
        }
        return true
    }

    /// Channels of abandoned commands not freed yet (for tests).
    var abandonedChannelCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return io.abandonedChannels.count
    }

    /// Runs `body` with the session's I/O under the lock, after checking the session is usable.
    func withIO<Result>(_ body: (SSHSessionIO) throws(HLSError) -> Result) throws(HLSError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        if closed {
            throw HLSError(.failed, "the SSH session to \(endpoint) is closed", at: .host(endpoint.description))
        }
        defer { usable.store(io.lost == nil, ordering: .releasing) }
        try io.checkAlive()
        SSHChannel.freeAbandoned(io)
        return try body(io)
    }

    /// The key the server offered in the handshake and its `LIBSSH2_HOSTKEY_TYPE_*`.
    static func presentedHostKey(_ io: SSHSessionIO) throws(HLSError) -> (SSHHostKey, Int32) {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(io.session, &length, &type), length > 0 else {
            throw io.failure(LIBSSH2_ERROR_HOSTKEY_INIT, while: "reading the host key")
        }
        let blob = [UInt8](UnsafeRawBufferPointer(start: pointer, count: length))
        guard let name = SSHHostKeyType.name(forSessionType: type) else {
            throw HLSError(
                .failed, "the server offered a host key of a type hlsh does not know (libssh2 type \(type))",
                at: .host(io.endpoint.description))
        }
        return (SSHHostKey(typeName: name, blob: blob), type)
    }

    /// Ends a session: a polite disconnect while the connection is up (bounded to about a
    /// second), then `shutdown` so libssh2 cannot wait on the socket while it frees leftover
    /// channels, then `libssh2_session_free` and `close`.
    static func teardown(_ io: SSHSessionIO) {
        if io.lost == nil {
            _ = try? io.call("disconnecting", deadline: Deadline(after: .seconds(1)), cancellation: .never) {
                hlsh_ssh2_session_disconnect(io.session, "hlsh closing the connection")
            }
        }
        _ = shutdown(io.socket, Int32(SHUT_RDWR))
        var attempts = 0
        while libssh2_session_free(io.session) == LIBSSH2_ERROR_EAGAIN && attempts < 100 { attempts += 1 }
        closeDescriptor(io.socket)
    }
}

/// `close(2)`, out of reach of `SSHSession.close()`'s name.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
