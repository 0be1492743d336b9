import HLSCore
import Synchronization

/// A fault to inject into the simulated PVE API.
public struct PVEFault: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Answer matching requests with this status instead of handling them: 500 with a
        /// JSON `message`, or a pveproxy forwarding failure (595–599) with the text in the
        /// status line, as when pveproxy cannot reach the node that owns the VM.
        /// `delay` holds the answer back (seconds), to exercise client timeouts.
        case http(status: Int, message: String?, delay: Double)
        /// Matching clone tasks fail as when the template's config lock is held:
        /// "can't lock file '/var/lock/qemu-server/lock-VMID.conf' - got timeout".
        case cloneLockTimeout
        /// Matching tasks (by task type, `*` for all) take this many seconds longer.
        case slowTasks(seconds: Double)
        /// Matching tasks (by task type, `*` for all) stop with this exit status and change
        /// nothing, as when the worker fails: qmstart's "start failed: QEMU exited with code 1".
        case failingTasks(exitStatus: String)
    }

    public var kind: Kind
    /// HTTP method (`GET`, `POST`, …) or `*`; for `slowTasks` and `failingTasks`, the task type
    /// (`qmclone`) or `*`.
    public var method: String
    /// Path below `/api2/json`, with `*` matching one segment and `**` the rest, e.g.
    /// `/nodes/*/qemu/*/clone`.
    public var path: String
    /// How many matches to affect; nil until `reset`.
    public var count: Int?

    public init(kind: Kind, method: String = "*", path: String = "/**", count: Int? = 1) {
        self.kind = kind
        self.method = method
        self.path = path
        self.count = count
    }
}

/// The faults currently armed. Shared by the request handlers, the admin surface and the Swift
/// API, so it keeps its list in a lock.
final class PVEFaultInjector: Sendable {
    private let faults = Mutex<[PVEFault]>([])

    func inject(_ fault: PVEFault) { faults.withLock { $0.append(fault) } }

    func reset() { faults.withLock { $0.removeAll() } }

    var armed: [PVEFault] { faults.withLock { $0 } }

    /// The first HTTP fault for this request (consuming one of its count), if any.
    func httpFault(method: String, path: String) -> (status: Int, message: String?, delay: Double)? {
        consume { fault in
            guard case .http(let status, let message, let delay) = fault.kind,
                fault.method == "*" || fault.method.uppercased() == method,
                Self.glob(fault.path, matches: path)
            else { return nil }
            return (status, message, delay)
        }
    }

    func cloneLockTimeout(path: String) -> Bool {
        consume { fault in
            guard case .cloneLockTimeout = fault.kind, Self.glob(fault.path, matches: path) else { return nil }
            return true
        } ?? false
    }

    func extraTaskDelay(type: String) -> Double {
        consume { fault in
            guard case .slowTasks(let seconds) = fault.kind, fault.method == "*" || fault.method == type else {
                return nil
            }
            return seconds
        } ?? 0
    }

    /// The exit status a failing-task fault gives a task of this type, if one is armed.
    func taskFailure(type: String) -> String? {
        consume { fault in
            guard case .failingTasks(let exitStatus) = fault.kind, fault.method == "*" || fault.method == type else {
                return nil
            }
            return exitStatus
        }
    }

    private func consume<T: Sendable>(_ match: (PVEFault) -> T?) -> T? {
        faults.withLock { list in
            for i in list.indices {
                guard let result = match(list[i]) else { continue }
                if let count = list[i].count {
                    if count <= 1 { list.remove(at: i) } else { list[i].count = count - 1 }
                }
                return result
            }
            return nil
        }
    }

    /// `*` matches one path segment, `**` any rest (including nothing).
    static func glob(_ pattern: String, matches path: String) -> Bool {
        let p = pattern.split(separator: "/").map(String.init)
        let s = path.split(separator: "/").map(String.init)
        func go(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == s.count }
            if p[i] == "**" { return (j...s.count).contains { go(i + 1, $0) } }
            guard j < s.count, p[i] == "*" || p[i] == s[j] else { return false }
            return go(i + 1, j + 1)
        }
        return go(0, 0)
    }

    // MARK: JSON admin surface

    /// Parses `{"kind":"http","method":"GET","path":"/cluster/resources","status":596,"count":1}`,
    /// `{"kind":"clone-lock-timeout","count":1}`, `{"kind":"slow-tasks","type":"qmclone","seconds":5}` or
    /// `{"kind":"failing-tasks","type":"qmstart","message":"start failed: QEMU exited with code 1"}`.
    static func parse(_ doc: Document) -> PVEFault? {
        func string(_ k: String) -> String? {
            if case .string(let s)? = doc[k] { return s }
            return nil
        }
        func number(_ k: String) -> Double? {
            switch doc[k] {
            case .int(let i)?: return Double(i)
            case .double(let d)?: return d
            case .string(let s)?: return Double(s)
            default: return nil
            }
        }
        let count: Int? = doc["count"] == .null ? nil : (number("count").map { Int($0) } ?? 1)
        switch string("kind") ?? "http" {
        case "http":
            guard let status = number("status") else { return nil }
            return PVEFault(
                kind: .http(status: Int(status), message: string("message"), delay: number("delay") ?? 0),
                method: string("method") ?? "*", path: string("path") ?? "/**", count: count)
        case "clone-lock-timeout":
            return PVEFault(kind: .cloneLockTimeout, method: "POST", path: string("path") ?? "/**", count: count)
        case "slow-tasks":
            guard let seconds = number("seconds") else { return nil }
            return PVEFault(kind: .slowTasks(seconds: seconds), method: string("type") ?? "*", count: count)
        case "failing-tasks":
            guard let message = string("message") else { return nil }
            return PVEFault(kind: .failingTasks(exitStatus: message), method: string("type") ?? "*", count: count)
        default:
            return nil
        }
    }

    static func document(_ fault: PVEFault) -> Document {
        var pairs: [(key: String, value: Document)] = []
        switch fault.kind {
        case .http(let status, let message, let delay):
            pairs = [("kind", .string("http")), ("status", .int(status)), ("delay", .double(delay))]
            if let message { pairs.append(("message", .string(message))) }
            pairs += [("method", .string(fault.method)), ("path", .string(fault.path))]
        case .cloneLockTimeout:
            pairs = [("kind", .string("clone-lock-timeout")), ("path", .string(fault.path))]
        case .slowTasks(let seconds):
            pairs = [("kind", .string("slow-tasks")), ("seconds", .double(seconds)), ("type", .string(fault.method))]
        case .failingTasks(let exitStatus):
            pairs = [
                ("kind", .string("failing-tasks")), ("message", .string(exitStatus)), ("type", .string(fault.method)),
            ]
        }
        pairs.append(("count", fault.count.map { .int($0) } ?? .null))
        return .object(pairs)
    }
}
