/// How a remote command ended and what it wrote.
public struct SSHExecResult: Sendable, Hashable {
    /// The command's exit status; nil when a signal ended it.
    public var exitStatus: Int32?
    /// The signal that ended the command, as the server names it (`TERM`, `KILL`: no `SIG`).
    public var exitSignal: String?
    /// Everything written to stdout, unless the caller streamed it to `onStdout`.
    public var stdout: [UInt8]
    /// Everything written to stderr, unless the caller streamed it to `onStderr`.
    public var stderr: [UInt8]

    public init(exitStatus: Int32?, exitSignal: String?, stdout: [UInt8], stderr: [UInt8]) {
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Exit status 0.
    public var succeeded: Bool { exitStatus == 0 }

    /// stdout decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// stderr decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
