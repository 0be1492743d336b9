internal import CSSH2
import HLSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Non-blocking libssh2 calls on one session: retry on `LIBSSH2_ERROR_EAGAIN`, wait on the
/// socket in the directions libssh2 asks for, in slices short enough that cancellation and
/// deadlines are noticed, and turn every failure into an `HLSError` naming the host.
///
/// Not thread-safe: `SSHSession` confines it behind its lock. It borrows the session pointer and
/// the socket; `SSHSession` owns and frees them.
final class SSHSessionIO {
    let session: OpaquePointer
    let socket: Int32
    let endpoint: SSHEndpoint
    /// The error that ended the connection. Once set, every later operation fails with it.
    var lost: HLSError?
    /// Channels whose close did not finish when their command was abandoned; freed later
    /// (or by `libssh2_session_free`).
    var abandonedChannels: [OpaquePointer] = []
    /// Whether `libssh2_keepalive_config` was set: waits then send keepalives when due.
    var keepaliveEnabled = false

    /// The longest single `poll()`, so a cancellation or deadline is seen within this time.
    static let pollSliceMilliseconds: Int32 = 100

    init(session: OpaquePointer, socket: Int32, endpoint: SSHEndpoint) {
        self.session = session
        self.socket = socket
        self.endpoint = endpoint
    }

    /// The error choke point for this session: every libssh2 code goes through here.
    /// Connection-loss codes also mark the session as lost.
    func failure(_ rc: Int32, while activity: String) -> HLSError {
        let error = HLSError.libssh2(rc, session: session, while: activity, at: endpoint)
        if LibSSH2Error.isConnectionLoss(rc) { lost = error }
        return error
    }

    /// libssh2's text for its most recent error (empty when there is none).
    var lastErrorText: String {
        var pointer: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        _ = libssh2_session_last_error(session, &pointer, &length, 0)
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
    }

    /// Whether the call that just returned EAGAIN left a packet half sent on the socket. Until
    /// it is out, only that same call may be repeated: libssh2 1.10 refuses any other packet (a
    /// window adjust sent by a read, data for another channel) with LIBSSH2_ERROR_BAD_USE and
    /// reports it as a failed send — seen when a socket's buffer is small (a `ProxyJump`
    /// socket pair) or the peer is slow.
    var outboundPending: Bool {
        libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    /// Throws the loss error when the connection is already gone.
    func checkAlive() throws(HLSError) {
        if let lost { throw lost }
    }

    /// Runs `body` until it returns something other than `LIBSSH2_ERROR_EAGAIN`; returns a
    /// non-negative result, throws for a negative one.
    @discardableResult
    func call(
        _ activity: @autoclosure () -> String, deadline: Deadline, cancellation: Cancellation,
        _ body: () -> Int32
    ) throws(HLSError) -> Int32 {
        while true {
            let rc = body()
            if rc >= 0 { return rc }
            if rc != LIBSSH2_ERROR_EAGAIN { throw failure(rc, while: activity()) }
            try wait(activity(), deadline: deadline, cancellation: cancellation)
        }
    }

    /// Like `call`, for libssh2 functions that return a pointer and report errors through
    /// `libssh2_session_last_errno`.
    func callReturningPointer<Pointer>(
        _ activity: @autoclosure () -> String, deadline: Deadline, cancellation: Cancellation,
        _ body: () -> Pointer?
    ) throws(HLSError) -> Pointer {
        while true {
            if let pointer = body() { return pointer }
            let rc = libssh2_session_last_errno(session)
            if rc != LIBSSH2_ERROR_EAGAIN { throw failure(rc == 0 ? LIBSSH2_ERROR_SOCKET_NONE : rc, while: activity()) }
            try wait(activity(), deadline: deadline, cancellation: cancellation)
        }
    }

    /// Sends a keepalive when one is due (libssh2 keeps the clock). Call only while no packet is
    /// half sent (libssh2 did not just block outbound). A keepalive that itself blocks half way
    /// is finished here before anything else is sent, because libssh2 refuses to start a
    /// different packet until the pending one is out.
    func sendKeepaliveIfDue(deadline: Deadline) throws(HLSError) {
        guard keepaliveEnabled, lost == nil else { return }
        var next: Int32 = 0
        var rc = libssh2_keepalive_send(session, &next)
        while rc == LIBSSH2_ERROR_EAGAIN {
            if deadline.hasPassed { throw .sshTimeout(deadline.budget, while: "sending a keepalive", at: endpoint) }
            var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, deadline.pollMilliseconds(cap: Self.pollSliceMilliseconds))
            rc = libssh2_keepalive_send(session, &next)
        }
        if rc < 0 && LibSSH2Error.isConnectionLoss(rc) { throw failure(rc, while: "sending a keepalive") }
    }

    /// Checks cancellation and the deadline, then waits (at most one slice) until the socket
    /// is ready in the directions libssh2 blocked on. With `readable`, also wakes up for
    /// incoming data whatever libssh2's last call blocked on.
    func wait(
        _ activity: String, deadline: Deadline, cancellation: Cancellation, readable: Bool = false
    ) throws(HLSError) {
        if cancellation.isCancelled { throw .sshInterrupted(while: activity, at: endpoint) }
        if deadline.hasPassed { throw .sshTimeout(deadline.budget, while: activity, at: endpoint) }
        let directions = libssh2_session_block_directions(session)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND == 0 { try sendKeepaliveIfDue(deadline: deadline) }
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 || readable { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        // EINTR and errors both just end this slice: the next libssh2 call reports a dead socket.
        _ = poll(&descriptor, 1, deadline.pollMilliseconds(cap: Self.pollSliceMilliseconds))
    }
}
