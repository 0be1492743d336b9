#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Per-connection phase timestamps on standard error when `HLSH_SSH_TRACE` is set (to anything
/// but empty or `0`): one line per connection (`connect`: TCP, key exchange, host key check,
/// login) and one per command (`exec`: channel, request, exit, close), each mark the time since
/// the process's first trace in milliseconds, and the thread's CPU time at the end. For finding
/// where a fan-out over many hosts waits (bench/README.md, "SSH fan-out"); off, it costs one
/// load of a flag per phase.
struct SSHTrace {
    /// Whether tracing is on (read once).
    static let enabled: Bool = {
        guard let value = getenv("HLSH_SSH_TRACE") else { return false }
        let text = String(cString: value)
        return !text.isEmpty && text != "0"
    }()

    /// The zero of every trace's timestamps: the first use, announced with its wall-clock time
    /// (to line it up with other clocks).
    private static let origin: ContinuousClock.Instant = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let line = "hlsh-ssh-trace: origin unix-ms=\(Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        return .now
    }()

    private let label: String
    private var marks: [(String, ContinuousClock.Instant)] = []

    /// Starts a trace named `what` (`connect`, `exec`) for `endpoint`, with its first mark
    /// `start`; nil when tracing is off.
    static func begin(_ what: String, _ endpoint: SSHEndpoint) -> SSHTrace? {
        guard enabled else { return nil }
        _ = origin
        var trace = SSHTrace(label: "\(what) \(endpoint)")
        trace.mark("start")
        return trace
    }

    private init(label: String) { self.label = label }

    mutating func mark(_ phase: String) { marks.append((phase, .now)) }

    /// Writes the line (one `write(2)`, so lines from many threads do not interleave).
    func end(_ outcome: String = "ok") {
        var usage = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &usage)
        let cpu = Double(usage.tv_sec) * 1000 + Double(usage.tv_nsec) / 1_000_000
        let fields = marks.map { "\($0.0)=\(Self.milliseconds(Self.origin, $0.1))" }
        let line = "hlsh-ssh-trace: \(label) \(fields.joined(separator: " ")) \(outcome) cpu=\(Self.format(cpu))\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    private static func milliseconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> String {
        let d = (to - from).components
        return format(Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15)
    }

    private static func format(_ ms: Double) -> String {
        let tenths = Int((ms * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
