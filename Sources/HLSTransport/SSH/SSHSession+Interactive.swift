internal import CSSH2
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

extension SSHSession {
    /// `node ssh`: an interactive login shell (or `command`) on a remote pseudo-terminal, wired
    /// to this process's terminal in raw mode (restored on every exit path). `TERM` comes from
    /// the environment; the window size from the terminal, re-sent when it changes.
    public func interactiveShell(command: SSHCommand? = nil, cancellation: Cancellation = .never) throws(HLSError)
        -> SSHExecResult
    {
        let term = ProcessInfo.processInfo.environment["TERM"].flatMap { $0.isEmpty ? nil : $0 } ?? "xterm-256color"
        return try SSHLocalTerminal.withRawMode(STDIN_FILENO) { () throws(HLSError) in
            try interactive(
                input: STDIN_FILENO, output: STDOUT_FILENO, term: term,
                size: SSHLocalTerminal.size(of: STDOUT_FILENO) ?? SSHTerminalSize(columns: 80, rows: 24),
                command: command, currentSize: { SSHLocalTerminal.size(of: STDOUT_FILENO) }, cancellation: cancellation)
        }
    }

    /// Runs a shell (or `command`) on a remote pseudo-terminal of `term` type and `size`,
    /// copying bytes from `input` to it and from it to `output` until the remote side closes.
    /// End of `input` is passed on as EOF. `currentSize` is asked every round (about every
    /// 100 ms when idle; a `TIOCGWINSZ` is cheap, so no SIGWINCH handler is needed) and a new
    /// size is sent as a window change. The descriptors are neither closed nor switched to raw
    /// mode here (see `interactiveShell`), so a test can drive this with pipes.
    ///
    /// - Returns: the exit status or signal; the output went to `output`, so the result's
    ///   stdout and stderr are empty.
    public func interactive(
        input: Int32, output: Int32, term: String, size: SSHTerminalSize, command: SSHCommand? = nil,
        currentSize: (() -> SSHTerminalSize?)? = nil, cancellation: Cancellation = .never
    ) throws(HLSError) -> SSHExecResult {
        try withIO { io throws(HLSError) in
            var run = InteractiveRun(
                io: io, input: input, output: output, errorOutput: output, cancellation: cancellation)
            return try run.run(terminal: (term, size), command: command, currentSize: currentSize)
        }
    }

    /// A shell (or `command`) without a pseudo-terminal, as `ssh` runs one when its input is
    /// not a terminal: bytes from `input` go to it (nothing echoes them back), its stdout to
    /// `output` and its stderr to `errorOutput`; end of `input` is passed on as EOF, so a
    /// shell reading commands from it ends there.
    public func piped(
        input: Int32, output: Int32, errorOutput: Int32, command: SSHCommand? = nil,
        cancellation: Cancellation = .never
    ) throws(HLSError) -> SSHExecResult {
        try withIO { io throws(HLSError) in
            var run = InteractiveRun(
                io: io, input: input, output: output, errorOutput: errorOutput, cancellation: cancellation)
            return try run.run(terminal: nil, command: command, currentSize: nil)
        }
    }
}

/// The pump between local descriptors and a remote shell, on a pseudo-terminal or not.
private struct InteractiveRun {
    let io: SSHSessionIO
    let input: Int32
    let output: Int32
    let errorOutput: Int32
    let cancellation: Cancellation
    var pending: [UInt8] = []
    var inputEnded = false
    var sender = SSHChannelInput()
    static let activity = "running the interactive session"

    init(io: SSHSessionIO, input: Int32, output: Int32, errorOutput: Int32, cancellation: Cancellation) {
        self.io = io
        self.input = input
        self.output = output
        self.errorOutput = errorOutput
        self.cancellation = cancellation
    }

    /// `terminal`: the pseudo-terminal's type and size; nil for none.
    mutating func run(
        terminal: (term: String, size: SSHTerminalSize)?, command: SSHCommand?,
        currentSize: (() -> SSHTerminalSize?)?
    ) throws(HLSError) -> SSHExecResult {
        let never = Deadline.never
        let channel = try SSHChannel.openSession(io: io, deadline: never, cancellation: cancellation)
        defer { channel.release(deadline: Deadline(after: .milliseconds(500))) }
        let raw = channel.raw!
        if let (term, size) = terminal {
            let modes = command?.terminalModes ?? []
            try io.call("requesting a terminal", deadline: never, cancellation: cancellation) {
                modes.withUnsafeBufferPointer { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        libssh2_channel_request_pty_ex(
                            raw, term, UInt32(term.utf8.count), chars.baseAddress, UInt32(chars.count),
                            Int32(size.columns), Int32(size.rows), 0, 0)
                    }
                }
            }
        }
        if let command {
            try channel.exec(command.execText(onTerminal: terminal != nil), deadline: never, cancellation: cancellation)
            pending = command.preamble
        } else {
            try io.call("starting the shell", deadline: never, cancellation: cancellation) {
                hlsh_ssh2_channel_shell(raw)
            }
        }

        var lastSize = terminal?.size
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        loop: while true {
            if cancellation.isCancelled { throw .sshInterrupted(while: Self.activity, at: io.endpoint) }
            if lastSize != nil, !sender.mustRepeat && !io.outboundPending, let newSize = currentSize?(),
                newSize != lastSize
            {
                lastSize = newSize
                try io.call("resizing the terminal", deadline: never, cancellation: cancellation) {
                    hlsh_ssh2_channel_request_pty_size(raw, Int32(newSize.columns), Int32(newSize.rows))
                }
            }
            var moved = false
            var ended = 0
            // Half-sent packets go out before anything else is sent (see `outboundPending`).
            for stream in [SSHChannel.Stream.stdout, .stderr] where !sender.mustRepeat {
                reads: for _ in 0..<16 {
                    switch try channel.read(stream, into: buffer) {
                    case .data(let count):
                        writeAll(
                            UnsafeRawBufferPointer(rebasing: buffer[0..<count]),
                            to: stream == .stdout ? output : errorOutput)
                        moved = true
                    case .wouldBlock:
                        break reads
                    case .end:
                        ended += 1
                        break reads
                    }
                }
            }
            if ended == 2 { break loop }
            if sender.mustRepeat || !io.outboundPending {
                if try feedInput(channel, buffer) { moved = true }
            }
            if !moved {
                if channel.hasBufferedData { continue }
                try io.sendKeepaliveIfDue(deadline: Deadline(after: .seconds(5)))
                let directions = libssh2_session_block_directions(io.session)
                var socketEvents = Int16(POLLIN)
                if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { socketEvents |= Int16(POLLOUT) }
                var fds = [pollfd(fd: io.socket, events: socketEvents, revents: 0)]
                if !inputEnded && pending.isEmpty { fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
                _ = poll(&fds, nfds_t(fds.count), SSHSessionIO.pollSliceMilliseconds)
            }
        }
        try channel.closeAndWait(deadline: Deadline(after: .seconds(5)), cancellation: cancellation)
        let signal = channel.exitSignal
        return SSHExecResult(
            exitStatus: signal == nil ? channel.exitStatus : nil, exitSignal: signal, stdout: [], stderr: [])
    }

    /// Reads what `input` has (without blocking: only after poll says so) and writes it to the
    /// channel; sends EOF once `input` ends. True when something moved.
    private mutating func feedInput(_ channel: SSHChannel, _ buffer: UnsafeMutableRawBufferPointer) throws(HLSError)
        -> Bool
    {
        var moved = false
        if !inputEnded && pending.isEmpty && !sender.mustRepeat {
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) > 0 {
                let n = read(input, buffer.baseAddress, buffer.count)
                if n > 0 {
                    pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    inputEnded = true
                }
                moved = true
            }
        }
        if !pending.isEmpty {
            let outcome = pending.withUnsafeBytes { bytes in
                Result { () throws(HLSError) in try sender.write(bytes, to: channel) }
            }
            if let count = try outcome.get() {
                pending.removeFirst(count)
                if sender.mustRepeat { return moved }
                moved = moved || count > 0
            } else {
                pending = []
                inputEnded = true
            }
        }
        if inputEnded && pending.isEmpty, try sender.sendEOF(on: channel) { moved = true }
        return moved
    }

    /// Writes all of `bytes` to `output`, retrying short writes; a closed output drops them.
    private func writeAll(_ bytes: UnsafeRawBufferPointer, to output: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = write(output, bytes.baseAddress!.advanced(by: offset), bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EAGAIN {
                var descriptor = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, SSHSessionIO.pollSliceMilliseconds)
            } else {
                return
            }
        }
    }
}
