import HLSCore
import HLSFormats
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The run log: one JSON object per line (`--log FILE`), with a timestamp, an event name and
/// its fields. Secrets never reach it: values are rendered through `Value.document`, which
/// prints secret values as `***`, and a secret typed in plain text (a token in a command's
/// error message, a confirm's answer) is masked by its shape (`SecretShapes`).
public final class RunLog: Sendable {
    private let fd: Mutex<Int32?>

    public init(path: String?) {
        var opened: Int32? = nil
        if let path {
            let f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            if f >= 0 { opened = f }
        }
        fd = Mutex(opened)
    }

    /// Every event the run log writes; docs/language.md's table and docs/runbook.md list
    /// exactly these (a test compares them).
    public enum Event: String, Sendable, CaseIterable {
        case phaseStart = "phase_start"
        case phaseEnd = "phase_end"
        case phaseSkipped = "phase_skipped"
        case command
        case changed
        case planned
        case unchanged
        case failed
        case notRun = "not_run"
        case retry
        case confirm
        case error
    }

    public var isEnabled: Bool { fd.withLock { $0 != nil } }

    public func record(_ event: Event, _ fields: [(String, Value)] = []) {
        fd.withLock { fd in
            guard let fd else { return }
            var object: [(key: String, value: Document)] = [
                ("time", .string(RunLog.timestamp())), ("event", .string(event.rawValue)),
            ]
            for (k, v) in fields { object.append((k, v.document.secretsMasked)) }
            let line = JSONCodec.encode(.object(object)) + "\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        }
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = Int(ts.tv_nsec / 1_000_000)
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return
            "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)).\(msText)Z"
    }

    deinit {
        fd.withLock { if let f = $0 { close(f) } }
    }
}
