internal import CSSH2
import Dispatch
import HLSCore
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

/// A `ProxyJump` host: one SSH session to it, carrying a `direct-tcpip` channel per tunnel to a
/// target's SSH port. Each channel is bridged to one end of a local socket pair by a single
/// pump thread; the target's session runs over the other end as if it were a TCP connection,
/// so its handshake, host key check (under the target's own name) and login are end to end —
/// the jump host only relays bytes.
///
/// The jump session is used for tunnels only, never for commands: the pump holds the session's
/// lock for one non-blocking round at a time, which a command (holding it until it ends) would
/// stall. `SSHConnectionPool` shares one jump host among all targets behind it.
final class SSHJumpHost: Sendable {
    let session: SSHSession
    /// Close the jump host when its last tunnel closes (for a jump host nobody pools).
    private let closesWhenUnused: Bool
    private let state = Mutex(State())
    private let stopRequested = Atomic<Bool>(false)
    private let pumpFinished = DispatchSemaphore(value: 0)

    private struct State {
        var forwards: [Forward] = []
        var pumpRunning = false
        var closed = false
    }

    init(session: SSHSession, closesWhenUnused: Bool) {
        self.session = session
        self.closesWhenUnused = closesWhenUnused
    }

    /// Whether new tunnels can go through: open, and its connection not found lost.
    var isUsable: Bool {
        state.withLock { !$0.closed } && session.isConnected
    }

    /// Opens a channel to `target`'s host and port; returns the tunnel and the socket for the
    /// target's session (which takes ownership of both).
    func openTunnel(to target: SSHEndpoint, deadline: Deadline, cancellation: Cancellation) throws(HLSError)
        -> (SSHTunnel, Int32)
    {
        let channel: OpaquePointer
        do throws(HLSError) {
            channel = try session.withIO { io throws(HLSError) in
                try io.callReturningPointer(
                    "opening a tunnel to \(target.host) port \(target.port)", deadline: deadline,
                    cancellation: cancellation
                ) {
                    hlsh_ssh2_channel_direct_tcpip(io.session, target.host, Int32(target.port))
                }
            }
        } catch {
            if closesWhenUnused && state.withLock({ $0.forwards.isEmpty }) { close() }
            if error.kind != .failed { throw error.relocated(to: target) }
            throw HLSError(
                .failed, "cannot reach \(target) through the jump host \(session.endpoint)",
                at: .host(target.description),
                hint: "check that the jump host allows TCP forwarding (AllowTcpForwarding) and can reach "
                    + "\(target.host) port \(target.port)",
                cause: error.cause ?? error.message)
        }
        var fds: [Int32] = [-1, -1]
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else {
            _ = try? session.withIO { _ in libssh2_channel_free(channel) }
            throw HLSError(
                .failed, "cannot create a socket pair for the tunnel to \(target)", at: .host(target.description),
                cause: String(cString: strerror(errno)))
        }
        let forward = Forward(channel: channel, outer: fds[1])
        let startPump = state.withLock { state in
            state.forwards.append(forward)
            defer { state.pumpRunning = true }
            return !state.pumpRunning
        }
        if startPump {
            Threads.detach(name: "hlsh-ssh-jump") { [self] in
                pump()
                pumpFinished.signal()
            }
        }
        return (SSHTunnel(jumpHost: self, forward: forward), fds[0])
    }

    /// Called when the session using `forward` has closed its end: waits briefly for the pump
    /// to pass on what that session last wrote (its disconnect), then forgets the forward.
    fileprivate func release(_ forward: Forward) {
        _ = forward.ended.wait(timeout: .now() + 1)
        let unused = state.withLock { state in
            state.forwards.removeAll { $0 === forward }
            return state.forwards.isEmpty
        }
        if unused && closesWhenUnused { close() }
    }

    /// Stops the pump and closes the jump session (and every channel on it). Idempotent.
    func close() {
        let wasRunning = state.withLock { state -> Bool? in
            if state.closed { return nil }
            state.closed = true
            return state.pumpRunning
        }
        guard let wasRunning else { return }
        stopRequested.store(true, ordering: .releasing)
        if wasRunning { pumpFinished.wait() }
        for forward in state.withLock({ $0.forwards }) { forward.finish() }
        session.close()
    }

    /// The pump thread: rounds over every forward under the session's lock, a poll on all
    /// their sockets outside it.
    private func pump() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var jumpSocket: Int32 = -1
        // The forward whose last libssh2 call left a packet half sent: it goes first, alone,
        // until that packet is out (see `SSHSessionIO.outboundPending`).
        var blocked: Forward?
        while !stopRequested.load(ordering: .acquiring) {
            var active = state.withLock { $0.forwards.filter { !$0.isFinished } }
            if let first = blocked, let index = active.firstIndex(where: { $0 === first }) {
                active.remove(at: index)
                active.insert(first, at: 0)
            }
            blocked = nil
            var moved = false
            var buffered = false
            do throws(HLSError) {
                try session.withIO { io throws(HLSError) in
                    jumpSocket = io.socket
                    for forward in active {
                        switch try forward.round(io, buffer) {
                        case .moved: moved = true
                        case .idle: break
                        case .blocked: blocked = forward
                        }
                        if blocked != nil { break }
                    }
                    guard blocked == nil else { return }
                    buffered = active.contains { !$0.isFinished && $0.hasBufferedData }
                    if !moved && !active.isEmpty {
                        try io.sendKeepaliveIfDue(deadline: Deadline(after: .seconds(5)))
                    }
                }
            } catch {
                // The jump connection is gone: every tunnel ends, its sessions see end-of-file.
                for forward in state.withLock({ $0.forwards }) { forward.finish() }
                return
            }
            if (moved || buffered) && blocked == nil { continue }
            var fds: [pollfd] = []
            let live = active.filter { !$0.isFinished }
            if !live.isEmpty {
                let wantsOut = blocked != nil || live.contains { !$0.toChannel.isEmpty }
                fds.append(pollfd(fd: jumpSocket, events: Int16(POLLIN) | (wantsOut ? Int16(POLLOUT) : 0), revents: 0))
            }
            for forward in live { fds.append(pollfd(fd: forward.outer, events: forward.outerEvents, revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), SSHSessionIO.pollSliceMilliseconds)
        }
    }
}

/// A target session's tunnel: its forward on a jump host. Closed by the session after it has
/// closed its own socket.
final class SSHTunnel: Sendable {
    private let jumpHost: SSHJumpHost
    fileprivate let forward: Forward
    private let closed = Atomic<Bool>(false)

    fileprivate init(jumpHost: SSHJumpHost, forward: Forward) {
        self.jumpHost = jumpHost
        self.forward = forward
    }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        jumpHost.release(forward)
    }
}

/// One channel and its local socket: bytes buffered each way up to `capacity`. Touched only
/// by the pump thread (and `finish` once it has stopped). A finished forward's channel is left
/// to the jump session to free when it closes: closing it here would be one more packet to
/// order around half-sent ones, for a channel the jump host closes anyway once the target's
/// connection ends.
///
/// `@unchecked Sendable`: it owns a libssh2 channel pointer and buffers confined to the pump
/// thread (which works on them under the jump session's lock); only `finishedFlag` (an
/// atomic) and `ended` (a semaphore) are shared, so a `Mutex` would guard nothing.
private final class Forward: @unchecked Sendable {
    private let channel: OpaquePointer
    let outer: Int32
    var toOuter: [UInt8] = []
    var toChannel: [UInt8] = []
    private var remoteEOF = false
    private var localEOF = false
    /// Which libssh2 call left a packet half sent and must be repeated first.
    private var pending: Pending?
    private let finishedFlag = Atomic<Bool>(false)
    let ended = DispatchSemaphore(value: 0)
    static let capacity = 256 * 1024

    private enum Pending { case read, write }
    enum Outcome { case moved, idle, blocked }

    init(channel: OpaquePointer, outer: Int32) {
        self.channel = channel
        self.outer = outer
    }

    var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }

    /// Ends the forward: closes the local socket (the session on the other end sees EOF).
    func finish() {
        guard !finishedFlag.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = close(outer)
        ended.signal()
    }

    var hasBufferedData: Bool {
        guard toOuter.count < Self.capacity, !remoteEOF else { return false }
        return libssh2_poll_channel_read(channel, 0) == 1
    }

    var outerEvents: Int16 {
        var events: Int16 = 0
        if !localEOF && toChannel.count < Self.capacity { events |= Int16(POLLIN) }
        if !toOuter.isEmpty { events |= Int16(POLLOUT) }
        return events
    }

    /// One non-blocking pass each way. `.blocked` when a libssh2 call left a packet half sent:
    /// nothing else may be sent on the jump session until this forward's next round.
    func round(_ io: SSHSessionIO, _ buffer: UnsafeMutableRawBufferPointer) throws(HLSError) -> Outcome {
        guard !isFinished else { return .idle }
        var moved = false
        let writeFirst = pending == .write
        pending = nil
        if writeFirst {
            let (wrote, blocked) = try writeToChannel(io)
            if blocked { return .blocked }
            moved = moved || wrote
        }
        let (read, readBlocked) = try readFromChannel(io, buffer)
        if readBlocked { return .blocked }
        moved = moved || read
        if pumpLocalSocket(buffer) { moved = true }
        if isFinished { return .moved }
        if !writeFirst {
            let (wrote, blocked) = try writeToChannel(io)
            if blocked { return .blocked }
            moved = moved || wrote
        }
        if localEOF && toChannel.isEmpty {
            finish()
            return .moved
        }
        return moved ? .moved : .idle
    }

    /// Channel → buffer; (moved, blocked).
    private func readFromChannel(_ io: SSHSessionIO, _ buffer: UnsafeMutableRawBufferPointer) throws(HLSError) -> (
        Bool, Bool
    ) {
        var moved = false
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        for _ in 0..<16 where toOuter.count < Self.capacity && !remoteEOF {
            let n = libssh2_channel_read_ex(channel, 0, base, buffer.count)
            if n > 0 {
                toOuter.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                moved = true
            } else if n == 0 {
                if libssh2_channel_eof(channel) != 0 { remoteEOF = true }
                break
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                if io.outboundPending {
                    pending = .read
                    return (moved, true)
                }
                break
            } else {
                let rc = Int32(truncatingIfNeeded: n)
                if LibSSH2Error.isConnectionLoss(rc) { throw io.failure(rc, while: "relaying a tunnel") }
                remoteEOF = true
            }
        }
        return (moved, false)
    }

    /// Buffer → channel; (moved, blocked).
    private func writeToChannel(_ io: SSHSessionIO) throws(HLSError) -> (Bool, Bool) {
        var moved = false
        while !toChannel.isEmpty {
            let n = toChannel.withUnsafeBytes {
                libssh2_channel_write_ex(channel, 0, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
            }
            if n > 0 {
                toChannel.removeFirst(n)
                moved = true
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                if io.outboundPending {
                    pending = .write
                    return (moved, true)
                }
                break
            } else if n == 0 {
                break
            } else if LibSSH2Error.isConnectionLoss(Int32(truncatingIfNeeded: n)) {
                throw io.failure(Int32(truncatingIfNeeded: n), while: "relaying a tunnel")
            } else {
                finish()  // the jump host closed the channel
                return (true, false)
            }
        }
        return (moved, false)
    }

    /// The local socket both ways (no libssh2 involved); true when something moved. Finishes
    /// the forward when the channel's data is all delivered after its EOF, or the session on
    /// the other end is gone.
    private func pumpLocalSocket(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var moved = false
        if !toOuter.isEmpty {
            // send, not write: the session may have closed its end, and SIGPIPE would kill hlsh.
            let n = toOuter.withUnsafeBytes { send(outer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                toOuter.removeFirst(n)
                moved = true
            } else if n < 0 && errno != EAGAIN && errno != EINTR {
                finish()
                return true
            }
        }
        if remoteEOF && toOuter.isEmpty {
            finish()
            return true
        }
        if !localEOF && toChannel.count < Self.capacity {
            let n = read(outer, buffer.baseAddress, buffer.count)
            if n > 0 {
                toChannel.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                moved = true
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                localEOF = true
                moved = true
            }
        }
        return moved
    }
}

extension HLSError {
    /// The same error placed at `endpoint` (for errors of a jump host's session that are
    /// about reaching the target).
    func relocated(to endpoint: SSHEndpoint) -> HLSError {
        var copy = self
        copy.place = .host(endpoint.description)
        return copy
    }
}
