internal import CHlshSupport
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
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid` — for daemons such as
/// sshd, which close every inherited descriptor and so make Foundation's `Process` (which waits
/// for a pipe to close) block. The child inherits no descriptor but its three standard ones.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, created with mode 0600 if missing; appended to or truncated.
        case file(String, append: Bool)
        /// An open descriptor of this process (not closed here).
        case descriptor(Int32)
    }

    public let pid: Int32
    /// Whether `pid` is a tether (docs/adr/0018) running the program in its process group.
    private let tethered: Bool
    /// The exit status once reaped (128 + signal when a signal ended it).
    private let status = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments`; `environment` replaces this process's when given.
    /// `newSession` puts the child in a session (and process group) of its own, so a terminal's
    /// Ctrl-C does not reach it. `tethered` does that too, and runs the program under a tether
    /// process (then `pid`) that ends it and everything it started when this process ends — even
    /// by SIGKILL — and exits with the program's status once it and its descendants are gone.
    public init(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, stdin: Stream = .null,
        stdout: Stream = .null, stderr: Stream = .null, newSession: Bool = false, tethered: Bool = false
    ) throws(HLSError) {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        func descriptor(_ stream: Stream, reading: Bool) throws(HLSError) -> Int32 {
            switch stream {
            case .null: return -1
            case .descriptor(let fd): return fd
            case .file(let file, let append):
                let flags = reading ? O_RDONLY : O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
                let fd = open(file, flags | O_CLOEXEC, 0o600)
                guard fd >= 0 else {
                    throw HLSError(.failed, "cannot open \(file) for \(path)", cause: String(cString: strerror(errno)))
                }
                opened.append(fd)
                return fd
            }
        }
        let fds = (
            try descriptor(stdin, reading: true), try descriptor(stdout, reading: false),
            try descriptor(stderr, reading: false)
        )
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let env =
            (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for entry in env { free(entry) } }
        var child: Int32 = 0
        let rc =
            tethered
            ? hlsh_spawn_tethered(&child, path, argv, env, fds.0, fds.1, fds.2)
            : hlsh_spawn(&child, path, argv, env, fds.0, fds.1, fds.2, newSession ? 1 : 0)
        guard rc == 0 else {
            throw HLSError(.failed, "cannot start \(path)", cause: String(cString: strerror(rc)))
        }
        pid = child
        self.tethered = tethered
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool {
        status.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = Self.decode(raw) }
            return status == nil
        }
    }

    /// Waits for the child to exit: its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func wait() -> Int32 {
        if let done = status.withLock({ $0 }) { return done }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        return status.withLock { status in
            if status == nil { status = Self.decode(raw) }
            return status!
        }
    }

    /// Sends `signal` while the child is still ours (never to a reaped pid, which may be reused);
    /// to a tethered child's whole process group (the tether and the program).
    public func signal(_ signal: Int32) {
        status.withLock { status in
            guard status == nil else { return }
            _ = Glibc.kill(tethered ? -pid : pid, signal)
        }
    }

    /// SIGKILLs the child if it still runs, and reaps it.
    public func kill() {
        signal(SIGKILL)
        wait()
    }

    private static func decode(_ raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}
