public import HLSCore

extension SSHSession {
    /// Runs `command` on the host in a new channel of this session and waits for it to end.
    ///
    /// - Parameters:
    ///   - stdin: bytes fed to the command's stdin, followed by EOF; nil sends EOF at once.
    ///   - cancellation: cancelling it (from any thread) stops the wait within about 100 ms and
    ///     throws `.interrupted` within about half a second more, after closing the channel.
    ///     As with `ssh host command` without a terminal, the remote process is not killed: it
    ///     runs until it exits or next writes to its closed output (libssh2 1.10 cannot send the
    ///     SSH "signal" request).
    ///   - timeout: the budget for the whole command; past it, `.timeout` is thrown and the
    ///     channel is closed as on cancellation.
    ///   - onStdout: receives stdout as it arrives, on the calling thread; when given, stdout is
    ///     not collected in the result.
    ///   - onStderr: the same for stderr.
    ///   - onStarted: called once the server accepted the command (its channel is open and the
    ///     exec request granted): an error after it may come from the command's own effects.
    /// - Returns: the exit status or signal, and the output not streamed to a handler.
    /// - Throws: `HLSError` with this session's endpoint as place — `.failed` when the
    ///   connection drops or the server refuses the channel, `.interrupted`, `.timeout`.
    ///   A non-zero exit status is a result, not an error.
    public func exec(
        _ command: String, stdin: [UInt8]? = nil, cancellation: Cancellation = .never, timeout: Duration? = nil,
        onStdout: ((ArraySlice<UInt8>) -> Void)? = nil, onStderr: ((ArraySlice<UInt8>) -> Void)? = nil,
        onStarted: (() -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        try withIO { io throws(HLSError) in
            var run = ExecRun(
                io: io, input: stdin ?? [], cancellation: cancellation, deadline: Deadline(after: timeout),
                onStdout: onStdout, onStderr: onStderr)
            return try run.run(command, onStarted: onStarted)
        }
    }

    /// Runs `command` as `exec(_:stdin:…)` does; a `.secret` one's text goes ahead of `stdin`
    /// (see `SSHCommand`), so it is on no command line of the host.
    public func exec(
        _ command: SSHCommand, stdin: [UInt8]? = nil, cancellation: Cancellation = .never, timeout: Duration? = nil,
        onStdout: ((ArraySlice<UInt8>) -> Void)? = nil, onStderr: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws(HLSError) -> SSHExecResult {
        let preamble = command.preamble
        return try exec(
            command.execText(onTerminal: false), stdin: preamble.isEmpty ? stdin : preamble + (stdin ?? []),
            cancellation: cancellation, timeout: timeout, onStdout: onStdout, onStderr: onStderr)
    }
}

/// One command's trip through a channel: both output streams read every round (a blocked
/// stderr must never stall stdout, or the other way round, once a 2 MiB window fills), stdin
/// written as the window allows, EOF after it, and a poll on the socket only when a round moved
/// nothing.
private struct ExecRun {
    let io: SSHSessionIO
    let input: [UInt8]
    let cancellation: Cancellation
    let deadline: Deadline
    let onStdout: ((ArraySlice<UInt8>) -> Void)?
    let onStderr: ((ArraySlice<UInt8>) -> Void)?

    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private var inputOffset = 0
    private var sender = SSHChannelInput()

    static let activity = "running the command"
    static let bufferSize = 64 * 1024
    /// Reads per stream per round: keeps stdin, the other stream and cancellation moving
    /// while a fast command floods one stream.
    static let readsPerRound = 16
    static let writeChunk = 256 * 1024
    /// How long closing the channel may take before `exec` returns anyway. A finished command's
    /// channel closes at once; an abandoned one's close waits for the remote command to exit,
    /// so it is left to the session to free later.
    static let closeBudget: Duration = .milliseconds(500)

    init(
        io: SSHSessionIO, input: [UInt8], cancellation: Cancellation, deadline: Deadline,
        onStdout: ((ArraySlice<UInt8>) -> Void)?, onStderr: ((ArraySlice<UInt8>) -> Void)?
    ) {
        self.io = io
        self.input = input
        self.cancellation = cancellation
        self.deadline = deadline
        self.onStdout = onStdout
        self.onStderr = onStderr
    }

    mutating func run(_ command: String, onStarted: (() -> Void)?) throws(HLSError) -> SSHExecResult {
        var trace = SSHTrace.begin("exec", io.endpoint)
        var outcome = "failed"
        defer { trace?.end(outcome) }
        let channel = try SSHChannel.openSession(io: io, deadline: deadline, cancellation: cancellation)
        defer { channel.release(deadline: Deadline(after: Self.closeBudget)) }
        trace?.mark("channel")
        try channel.exec(command, deadline: deadline, cancellation: cancellation)
        trace?.mark("started")
        onStarted?()

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var idleRounds = 0
        while true {
            if cancellation.isCancelled { throw .sshInterrupted(while: Self.activity, at: io.endpoint) }
            if deadline.hasPassed { throw .sshTimeout(deadline.budget, while: Self.activity, at: io.endpoint) }
            var progressed = false
            var ended = 0
            // A half-sent stdin packet must go out before a read may send a window adjust.
            for stream in [SSHChannel.Stream.stdout, .stderr] where !sender.mustRepeat {
                reads: for _ in 0..<Self.readsPerRound {
                    switch try channel.read(stream, into: buffer) {
                    case .data(let count):
                        deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), from: stream)
                        progressed = true
                    case .wouldBlock:
                        break reads
                    case .end:
                        ended += 1
                        break reads
                    }
                }
            }
            if ended == 2 {
                trace?.mark("eof")
                break
            }
            // And a half-sent window adjust (from a read) before stdin may be sent.
            if sender.mustRepeat || !io.outboundPending {
                if try feedInput(channel) { progressed = true }
            }
            if progressed {
                idleRounds = 0
            } else {
                // Data libssh2 already holds would not wake poll(); retry at once, but only once
                // (a packet no read takes, like an unknown extended stream, must not spin).
                idleRounds += 1
                if idleRounds > 1 || !channel.hasBufferedData {
                    try io.wait(Self.activity, deadline: deadline, cancellation: cancellation, readable: true)
                }
            }
        }
        try channel.closeAndWait(deadline: deadline, cancellation: cancellation)
        trace?.mark("closed")
        outcome = "ok"
        let signal = channel.exitSignal
        return SSHExecResult(
            exitStatus: signal == nil ? channel.exitStatus : nil, exitSignal: signal, stdout: stdout, stderr: stderr)
    }

    private mutating func deliver(_ bytes: UnsafeRawBufferPointer, from stream: SSHChannel.Stream) {
        switch stream {
        case .stdout:
            if let onStdout { onStdout(ArraySlice(bytes)) } else { stdout.append(contentsOf: bytes) }
        case .stderr:
            if let onStderr { onStderr(ArraySlice(bytes)) } else { stderr.append(contentsOf: bytes) }
        }
    }

    /// Writes the next piece of stdin, then EOF once all of it is out. True when it moved.
    private mutating func feedInput(_ channel: SSHChannel) throws(HLSError) -> Bool {
        guard !sender.eofSent else { return false }
        var moved = false
        if inputOffset < input.count {
            let range = inputOffset..<min(input.count, inputOffset + Self.writeChunk)
            let outcome = input.withUnsafeBytes { all in
                Result { () throws(HLSError) in
                    try sender.write(UnsafeRawBufferPointer(rebasing: all[range]), to: channel)
                }
            }
            guard let count = try outcome.get() else {
                inputOffset = input.count  // the command stopped reading: drop the rest
                return try sender.sendEOF(on: channel)
            }
            inputOffset += count
            if sender.mustRepeat || count == 0 { return false }
            moved = true
        }
        if inputOffset >= input.count, try sender.sendEOF(on: channel) { moved = true }
        return moved
    }
}
