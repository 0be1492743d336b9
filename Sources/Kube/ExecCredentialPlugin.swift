import HLSCore
import HLSFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What an exec credential plugin printed: a token, or a client certificate and key, and until
/// when they hold.
struct ExecCredential: Sendable {
    var token: String?
    var clientCertificate: [UInt8]?
    var clientKey: [UInt8]?
    /// `status.expirationTimestamp` in seconds since the epoch; nil: good until a 401.
    var expires: Double?

    /// Whether the credential may still be used `margin` seconds from now.
    func isFresh(now: Double, margin: Double = 10) -> Bool {
        guard let expires else { return true }
        return expires > now + margin
    }
}

/// Runs a kubeconfig's `exec` credential plugin as client-go does (`plugin/pkg/client/auth/exec`):
/// the command with its args, the caller's environment plus the config's `env` plus
/// `KUBERNETES_EXEC_INFO` (an `ExecCredential` whose `spec` says whether it may prompt and, with
/// `provideClusterInfo`, the cluster), stdin only when it may prompt; its stdout must be an
/// `ExecCredential` of the same apiVersion with a token or a certificate and key.
enum ExecCredentialPlugin {
    static let timeout: Duration = .seconds(120)

    static func run(
        _ config: KubeExecConfig, cluster: Document?, environment: [String: String], context: String,
        cancellation: Cancellation
    ) throws(HLSError) -> ExecCredential {
        func failure(_ message: String, hint: String? = nil, cause: String? = nil) -> HLSError {
            HLSError(
                .failed, "exec credential plugin \(config.command) of context \(context): \(message)",
                at: config.place, hint: hint, cause: cause)
        }
        let interactive = config.interactiveMode != "Never" && isatty(0) == 1
        if config.interactiveMode == "Always" && !interactive {
            throw failure("it must be interactive, and standard input is not a terminal")
        }
        var spec: [(key: String, value: Document)] = [("interactive", .bool(interactive))]
        if let cluster { spec.append(("cluster", cluster)) }
        let info = Document.object([
            ("kind", .string("ExecCredential")), ("apiVersion", .string(config.apiVersion)), ("spec", .object(spec)),
        ])
        var env = environment
        for (name, value) in config.env { env[name] = value }
        env["KUBERNETES_EXEC_INFO"] = JSONCodec.encode(info)
        guard let path = locate(config.command, path: env["PATH"]) else {
            throw failure(
                "command not found", hint: config.installHint ?? "install it, or put it on PATH")
        }
        let (status, stdout, stderr) = try capture(
            path, config.args, environment: env, stdin: interactive, cancellation: cancellation, what: config.command)
        let errText = String(decoding: stderr, as: UTF8.self).trimmingWhitespace()
        guard status == 0 else {
            throw failure(
                "it exited with status \(status)", hint: config.installHint,
                cause: errText.isEmpty ? nil : String(errText.suffix(500)))
        }
        let document: Document
        do {
            document = try JSONCodec.decode(String(decoding: stdout, as: UTF8.self), file: "\(config.command) output")
        } catch {
            throw failure("its output is not an ExecCredential (not JSON)", cause: error.message)
        }
        guard document["kind"] == .string("ExecCredential") else {
            throw failure(
                "its output is not an ExecCredential (kind is \(document["kind"].map { JSONCodec.encode($0) } ?? "missing"))"
            )
        }
        guard document["apiVersion"] == .string(config.apiVersion) else {
            throw failure(
                "it is configured to use API version \(config.apiVersion), and it returned "
                    + (document["apiVersion"].map { JSONCodec.encode($0) } ?? "none"))
        }
        guard let status = document["status"], case .object = status else {
            throw failure("it did not return a status field")
        }
        func string(_ key: String) -> String? {
            if case .string(let value)? = status[key], !value.isEmpty { return value }
            return nil
        }
        var credential = ExecCredential(
            token: string("token"), clientCertificate: string("clientCertificateData").map { Array($0.utf8) },
            clientKey: string("clientKeyData").map { Array($0.utf8) })
        if (credential.clientCertificate == nil) != (credential.clientKey == nil) {
            throw failure("it returned only a certificate or a key, not both")
        }
        if credential.token == nil && credential.clientCertificate == nil {
            throw failure("it returned neither a token nor a certificate and key")
        }
        if let stamp = string("expirationTimestamp") {
            guard let seconds = RFC3339.seconds(stamp) else {
                throw failure("its expirationTimestamp \(stamp) is not an RFC 3339 time")
            }
            credential.expires = seconds
        }
        return credential
    }

    /// `command` itself when it has a `/`, else the first executable of that name on `path`.
    static func locate(_ command: String, path: String?) -> String? {
        if command.contains("/") { return access(command, X_OK) == 0 ? command : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `path` and collects its stdout and stderr (read as they come, so a full pipe never
    /// blocks it); killed on cancellation or after `timeout`.
    static func capture(
        _ path: String, _ arguments: [String], environment: [String: String], stdin: Bool,
        cancellation: Cancellation, what: String
    ) throws(HLSError) -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw HLSError(.failed, "cannot run \(what): no pipe", cause: String(cString: strerror(errno)))
        }
        defer { for fd in [outPipe[0], errPipe[0]] { close(fd) } }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                path, arguments, environment: environment, stdin: stdin ? .descriptor(0) : .null,
                stdout: .descriptor(outPipe[1]), stderr: .descriptor(errPipe[1]))
        } catch {
            close(outPipe[1])
            close(errPipe[1])
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        var collected: [[UInt8]] = [[], []]
        var open = [true, true]
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open[0] || open[1] {
            if cancellation.isCancelled || ContinuousClock.now > deadline {
                child.kill()
                if cancellation.isCancelled { throw HLSError(.interrupted, "interrupted: \(what)") }
                throw HLSError(
                    .timeout, "exec credential plugin \(what) did not finish within \(timeout.text)")
            }
            // A stream at its end is left out (poll ignores negative descriptors).
            var fds = [
                pollfd(fd: open[0] ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? errPipe[0] : -1, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 50)
            for index in 0..<2 where open[index] && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    collected[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
        }
        return (child.wait(), collected[0], collected[1])
    }
}
