internal import CSSH2
import Dispatch
import Foundation
import HLSCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `ProxyJump` hop: a `direct-tcpip` channel on the jump host's session to the target's
/// SSH port, bridged to one end of a local socket pair by a pump thread. The next session runs
/// over the other end as if it were a TCP connection, so its handshake, host key check (under
/// the target's own name) and login are end to end; the jump host only relays bytes.
///
/// The tunnel owns its jump session (one per tunnel: a jump session is not shared with
/// commands or with other tunnels, because a session serves one operation at a time).
final class SSHTunnel: @unchecked Sendable {
    private let jump: SSHSession
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var closed = false

    private init(jump: SSHSession) {
        self.jump = jump
    }

    /// Opens a channel from `jump` to `target`'s host and port and starts the pump; returns
    /// the tunnel and the socket for the target's session. Takes ownership of `jump` (closed on
    /// failure, or when the tunnel closes).
    static func open(
        through jump: SSHSession, to target: SSHEndpoint, deadline: SSHDeadline, cancellation: Cancellation
    ) throws(HLSError) -> (SSHTunnel, Int32) {
        let channel: OpaquePointer
        do throws(HLSError) {
            channel = try jump.withIO { io throws(HLSError) in
                try io.callReturningPointer(
                    "opening a tunnel to \(target.host) port \(target.port)", deadline: deadline,
                    cancellation: cancellation
                ) {
                    hlsh_ssh2_channel_direct_tcpip(io.session, target.host, Int32(target.port))
                }
            }
        } catch {
            jump.close()
            if error.kind != .failed { throw error.relocated(to: target) }
            throw HLSError(
                .failed, "cannot reach \(target) through the jump host \(jump.endpoint)", at: .host(target.description),
                hint: "check that the jump host allows TCP forwarding (AllowTcpForwarding) and can reach "
                    + "\(target.host) port \(target.port)",
                cause: error.cause ?? error.message)
        }
        var fds: [Int32] = [-1, -1]
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else {
            jump.close()
            throw HLSError(
                .failed, "cannot create a socket pair for the tunnel to \(target)", at: .host(target.description),
                cause: String(cString: strerror(errno)))
        }
        let tunnel = SSHTunnel(jump: jump)
        let pump = TunnelPump(jump: jump, channel: channel, outer: fds[1], stop: tunnel)
        let thread = Thread {
            pump.run()
            tunnel.finished.signal()
        }
        thread.name = "hlsh-ssh-tunnel"
        thread.start()
        return (tunnel, fds[0])
    }

    var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    /// Stops the pump (after the session using the tunnel has closed its end) and closes the
    /// jump session. Idempotent.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
        jump.close()
    }
}

/// The pump thread's state: bytes from the channel to the local socket and back, each
/// direction buffered up to `capacity`, the jump session's lock held only for one
/// non-blocking round at a time.
private final class TunnelPump: @unchecked Sendable {
    let jump: SSHSession
    let channel: OpaquePointer
    let outer: Int32
    unowned let stop: SSHTunnel

    var toOuter: [UInt8] = []
    var toChannel: [UInt8] = []
    var remoteEOF = false
    var localEOF = false
    var outerShut = false
    var eofSent = false
    static let capacity = 256 * 1024
    static let chunk = 32 * 1024

    init(jump: SSHSession, channel: OpaquePointer, outer: Int32, stop: SSHTunnel) {
        self.jump = jump
        self.channel = channel
        self.outer = outer
        self.stop = stop
    }

    enum Step { case moved, idle, ended }

    func run() {
        defer { _ = close(outer) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 16)
        defer { buffer.deallocate() }
        var jumpSocket: Int32 = -1
        while !stop.shouldStop {
            let step: Step
            do throws(HLSError) {
                step = try jump.withIO { io throws(HLSError) in
                    jumpSocket = io.socket
                    return try round(io, buffer)
                }
            } catch {
                return
            }
            if step == .ended { return }
            if step == .idle {
                var outerEvents: Int16 = 0
                if !localEOF && toChannel.count < Self.capacity { outerEvents |= Int16(POLLIN) }
                if !toOuter.isEmpty { outerEvents |= Int16(POLLOUT) }
                var jumpEvents = Int16(POLLIN)
                if !toChannel.isEmpty { jumpEvents |= Int16(POLLOUT) }
                var fds = [
                    pollfd(fd: jumpSocket, events: jumpEvents, revents: 0),
                    pollfd(fd: outer, events: outerEvents, revents: 0),
                ]
                _ = poll(&fds, 2, SSHSessionIO.pollSliceMilliseconds)
            }
        }
    }

    private func round(_ io: SSHSessionIO, _ buffer: UnsafeMutableRawBufferPointer) throws(HLSError) -> Step {
        var moved = false
        let base = buffer.baseAddress!
        // Channel → local socket.
        reads: for _ in 0..<16 where toOuter.count < Self.capacity && !remoteEOF {
            let n = libssh2_channel_read_ex(channel, 0, base.assumingMemoryBound(to: CChar.self), buffer.count)
            if n > 0 {
                toOuter.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                moved = true
            } else if n == 0 {
                if libssh2_channel_eof(channel) != 0 { remoteEOF = true }
                break reads
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                break reads
            } else {
                throw io.failure(Int32(truncatingIfNeeded: n), while: "relaying the tunnel")
            }
        }
        if !toOuter.isEmpty {
            let n = toOuter.withUnsafeBytes { write(outer, $0.baseAddress, $0.count) }
            if n > 0 {
                toOuter.removeFirst(n)
                moved = true
            } else if n < 0 && errno != EAGAIN && errno != EINTR {
                return .ended  // the session on the other end is gone
            }
        }
        if remoteEOF && toOuter.isEmpty && !outerShut {
            _ = shutdown(outer, Int32(SHUT_WR))
            outerShut = true
            return .ended
        }
        // Local socket → channel.
        if !localEOF && toChannel.count < Self.capacity {
            let n = read(outer, base, buffer.count)
            if n > 0 {
                toChannel.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                moved = true
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                localEOF = true
                moved = true
            }
        }
        while !toChannel.isEmpty {
            let n = toChannel.withUnsafeBytes {
                libssh2_channel_write_ex(channel, 0, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
            }
            if n > 0 {
                toChannel.removeFirst(n)
                moved = true
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) || n == 0 {
                break
            } else if LibSSH2Error.isConnectionLoss(Int32(truncatingIfNeeded: n)) {
                throw io.failure(Int32(truncatingIfNeeded: n), while: "relaying the tunnel")
            } else {
                return .ended  // the channel was closed by the jump host
            }
        }
        if localEOF && toChannel.isEmpty { return .ended }
        if !moved { try io.sendKeepaliveIfDue(deadline: SSHDeadline(after: .seconds(5))) }
        return moved ? .moved : .idle
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
