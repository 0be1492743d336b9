import HLSCore
import Synchronization

/// Faults to inject into the simulated Flux controllers, per object (`Kind/namespace/name`), as
/// `KubeFaultInjector` does for the API: a reconcile that takes longer, or one that fails a
/// number of times and then recovers.
public final class FluxFaults: Sendable {
    public enum Fault: Sendable, Equatable {
        /// Each reconcile of the object takes `seconds` longer, `times` times.
        case slow(seconds: Double, times: Int)
        /// The next `times` reconciles of the object fail with `message`.
        case failing(times: Int, message: String)
    }

    private let faults = Mutex<[String: [Fault]]>([:])

    public init() {}

    /// Arms `fault` for the object `kind/namespace/name` (`Kustomization/flux-system/apps`).
    public func inject(_ fault: Fault, kind: String, namespace: String, name: String) {
        faults.withLock { $0["\(kind)/\(namespace)/\(name)", default: []].append(fault) }
    }

    public func reset() { faults.withLock { $0.removeAll() } }

    /// Consumes the faults armed for the object: sleeps as a slow one asks, and returns the
    /// message of a failing one.
    func strike(kind: String, namespace: String, name: String) -> String? {
        let key = "\(kind)/\(namespace)/\(name)"
        let (delay, failure) = faults.withLock { all -> (Double, String?) in
            var delay = 0.0
            var failure: String?
            var kept: [Fault] = []
            for fault in all[key] ?? [] {
                switch fault {
                case .slow(let seconds, let times):
                    delay += seconds
                    if times > 1 { kept.append(.slow(seconds: seconds, times: times - 1)) }
                case .failing(let times, let message) where failure == nil:
                    failure = message
                    if times > 1 { kept.append(.failing(times: times - 1, message: message)) }
                default: kept.append(fault)
                }
            }
            all[key] = kept.isEmpty ? nil : kept
            return (delay, failure)
        }
        if delay > 0 { Threads.sleep(for: .milliseconds(Int64(delay * 1000))) }
        return failure
    }
}
