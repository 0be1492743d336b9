internal import CSSH2
import HLSCore

/// One libssh2 session channel (an exec now; later a shell, a subsystem or a forwarded port).
/// Used only under its `SSHSession`'s lock, like the session it belongs to.
///
/// Freeing is explicit (`release`), never in deinit: libssh2 calls must stay inside the lock.
final class SSHChannel {
    let io: SSHSessionIO
    private(set) var raw: OpaquePointer?

    /// The data streams of a session channel.
    enum Stream: Int32 {
        case stdout = 0
        /// SSH_EXTENDED_DATA_STDERR
        case stderr = 1
    }

    /// What one read returned.
    enum ReadResult: Equatable {
        case data(Int)
        /// Nothing buffered right now.
        case wouldBlock
        /// The remote side sent EOF (or closed) and everything was read.
        case end
    }

    private init(io: SSHSessionIO, raw: OpaquePointer) {
        self.io = io
        self.raw = raw
    }

    /// Opens a "session" channel.
    static func openSession(io: SSHSessionIO, deadline: Deadline, cancellation: Cancellation) throws(HLSError)
        -> SSHChannel
    {
        try io.checkAlive()
        let raw: OpaquePointer = try io.callReturningPointer(
            "opening a channel", deadline: deadline, cancellation: cancellation
        ) {
            hlsh_ssh2_channel_open_session(io.session)
        }
        return SSHChannel(io: io, raw: raw)
    }

    private var channel: OpaquePointer {
        guard let raw else { preconditionFailure("SSHChannel used after release") }
        return raw
    }

    /// Starts `command` on the channel.
    func exec(_ command: String, deadline: Deadline, cancellation: Cancellation) throws(HLSError) {
        let channel = self.channel
        try io.call("starting the command", deadline: deadline, cancellation: cancellation) {
            hlsh_ssh2_channel_exec(channel, command)
        }
    }

    /// Reads what libssh2 has for `stream` into `buffer` without waiting.
    func read(_ stream: Stream, into buffer: UnsafeMutableRawBufferPointer) throws(HLSError) -> ReadResult {
        let n = libssh2_channel_read_ex(
            channel, stream.rawValue, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
        if n > 0 { return .data(n) }
        if n == 0 { return .end }
        if n == Int(LIBSSH2_ERROR_EAGAIN) { return .wouldBlock }
        throw io.failure(Int32(truncatingIfNeeded: n), while: "running the command")
    }

    /// Whether libssh2 already holds unread data for this channel (so waiting on the socket
    /// would stall).
    var hasBufferedData: Bool { libssh2_poll_channel_read(channel, 1) == 1 }

    /// What one write did.
    enum WriteResult: Equatable {
        case wrote(Int)
        /// The window or the socket is full: try again after waiting.
        case wouldBlock
        /// The remote side will take no more input (it closed the channel or its stdin).
        case refused
    }

    /// Writes some of `bytes` to the remote stdin without waiting.
    func write(_ bytes: UnsafeRawBufferPointer) throws(HLSError) -> WriteResult {
        let n = libssh2_channel_write_ex(
            channel, 0, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        if n >= 0 { return .wrote(n) }
        let rc = Int32(truncatingIfNeeded: n)
        if rc == LIBSSH2_ERROR_EAGAIN { return .wouldBlock }
        if LibSSH2Error.isConnectionLoss(rc) { throw io.failure(rc, while: "sending input") }
        return .refused
    }

    /// Sends EOF on stdin; false when it must be retried after waiting.
    func sendEOF() throws(HLSError) -> Bool {
        let rc = hlsh_ssh2_channel_send_eof(channel)
        if rc == 0 { return true }
        if rc == LIBSSH2_ERROR_EAGAIN { return false }
        if LibSSH2Error.isConnectionLoss(rc) { throw io.failure(rc, while: "sending end of input") }
        return true  // the channel is already closing: nothing more to tell it
    }

    /// Closes our side and waits for the server's close, which follows the exit status.
    func closeAndWait(deadline: Deadline, cancellation: Cancellation) throws(HLSError) {
        let channel = self.channel
        try io.call("closing the channel", deadline: deadline, cancellation: cancellation) {
            hlsh_ssh2_channel_close(channel)
        }
        try io.call("waiting for the command to finish", deadline: deadline, cancellation: cancellation) {
            libssh2_channel_wait_closed(channel)
        }
    }

    /// The exit status the server reported (0 when it reported none).
    var exitStatus: Int32 { libssh2_channel_get_exit_status(channel) }

    /// The signal that ended the command, without `SIG` (`TERM`), when there was one.
    var exitSignal: String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(channel, &name, &length, nil, nil, nil, nil) == 0, let name else {
            return nil
        }
        defer { libssh2_free(io.session, name) }
        return length > 0 ? String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self) : nil
    }

    /// Closes and frees the channel, trying until `deadline`. A channel that cannot finish in
    /// time (the server holds its close until the command exits) is handed to the session,
    /// which frees it later without waiting; the session stays usable.
    func release(deadline: Deadline) {
        guard let raw else { return }
        self.raw = nil
        if io.lost != nil {
            _ = libssh2_channel_free(raw)
            return
        }
        do throws(HLSError) {
            try io.call("closing the channel", deadline: deadline, cancellation: .never) {
                hlsh_ssh2_channel_close(raw)
            }
            try io.call("freeing the channel", deadline: deadline, cancellation: .never) { libssh2_channel_free(raw) }
        } catch {
            if io.lost != nil {
                _ = libssh2_channel_free(raw)
            } else {
                io.abandonedChannels.append(raw)
            }
        }
    }

    /// One non-blocking attempt to free each channel `release` could not finish; called before
    /// every session operation.
    static func freeAbandoned(_ io: SSHSessionIO) {
        io.abandonedChannels.removeAll { libssh2_channel_free($0) != LIBSSH2_ERROR_EAGAIN }
    }
}

/// The sending side of a channel's stdin, keeping libssh2 1.10's rule: a write or EOF that
/// left its packet half sent must be repeated before anything else is sent on the session
/// (see `SSHSessionIO.outboundPending`). Loops check `mustRepeat` before reading (a read may
/// send a window adjust) and skip writing while a read's packet is half sent.
struct SSHChannelInput {
    /// The last write or EOF left its packet half sent: only it may be called next.
    private(set) var mustRepeat = false
    private(set) var eofSent = false

    /// Writes some of `bytes`; the number written (0 when blocked), nil when the remote side
    /// takes no more input.
    mutating func write(_ bytes: UnsafeRawBufferPointer, to channel: SSHChannel) throws(HLSError) -> Int? {
        switch try channel.write(bytes) {
        case .wrote(let count):
            mustRepeat = false
            return count
        case .wouldBlock:
            mustRepeat = channel.io.outboundPending
            return 0
        case .refused:
            mustRepeat = false
            return nil
        }
    }

    /// Sends EOF once; true when it went out now.
    mutating func sendEOF(on channel: SSHChannel) throws(HLSError) -> Bool {
        guard !eofSent else { return false }
        if try channel.sendEOF() {
            eofSent = true
            mustRepeat = false
            return true
        }
        mustRepeat = channel.io.outboundPending
        return false
    }
}
