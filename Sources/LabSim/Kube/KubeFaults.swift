import Synchronization

/// A fault to inject into the simulated Kubernetes API, each armed for a number of matches.
public enum KubeFault: Sendable, Equatable {
    /// Requests whose path contains `path` (every request when empty) answer 500 InternalError.
    case internalError(path: String, times: Int)
    /// Requests whose path contains `path` are answered `seconds` late.
    case slow(path: String, seconds: Double, times: Int)
    /// The next watches get an ERROR event with 410 Expired instead of events.
    case watchExpired(times: Int)
    /// The next evictions answer 429 as a blocking disruption budget does.
    case evictionBlocked(times: Int)
    /// The simulated ACME server refuses the next `times` challenges (no TXT record found):
    /// cert-manager marks them invalid, their Orders and CertificateRequests fail, and so does the
    /// Certificate's issuance.
    case acmeChallengeInvalid(times: Int)
    /// Cloudflare's API does not answer the next `times` DNS-01 presentations (a timeout):
    /// cert-manager keeps the Challenge pending with that error and tries again.
    case cloudflareUnreachable(times: Int)
    /// The next `times` CertificateRequests wait `seconds` before their issuer signs them.
    case slowIssuance(seconds: Double, times: Int)
    /// The Longhorn volume `volume` (its `pvc-…` name) has a replica that failed: it stays
    /// degraded while attached, until the faults are reset.
    case volumeDegraded(volume: String)
}

/// The armed faults, consumed as requests match them.
final class KubeFaultInjector: Sendable {
    private let faults = Mutex<[KubeFault]>([])

    func inject(_ fault: KubeFault) { faults.withLock { $0.append(fault) } }
    func reset() { faults.withLock { $0.removeAll() } }
    var armed: [KubeFault] { faults.withLock { $0 } }

    /// The Longhorn volumes armed as degraded.
    var degradedVolumes: Set<String> {
        Set(
            armed.compactMap {
                if case .volumeDegraded(let volume) = $0 { return volume }
                return nil
            })
    }

    /// A 500 to answer with and/or a delay for this request.
    func requestFault(method: String, path: String) -> (status: KubeStatus?, delay: Double) {
        faults.withLock { list in
            var status: KubeStatus?
            var delay = 0.0
            var kept: [KubeFault] = []
            for fault in list {
                switch fault {
                case .internalError(let p, let times) where status == nil && (p.isEmpty || path.contains(p)):
                    status = KubeStatus.internalError("injected fault")
                    if times > 1 { kept.append(.internalError(path: p, times: times - 1)) }
                case .slow(let p, let seconds, let times) where p.isEmpty || path.contains(p):
                    delay += seconds
                    if times > 1 { kept.append(.slow(path: p, seconds: seconds, times: times - 1)) }
                default:
                    kept.append(fault)
                }
            }
            list = kept
            return (status, delay)
        }
    }

    func consumeWatchExpiry() -> Bool {
        consume {
            if case .watchExpired(let n) = $0 { return (true, n > 1 ? .watchExpired(times: n - 1) : nil) }
            return nil
        }
    }

    func consumeEvictionBlock() -> Bool {
        consume {
            if case .evictionBlocked(let n) = $0 { return (true, n > 1 ? .evictionBlocked(times: n - 1) : nil) }
            return nil
        }
    }

    func consumeChallengeRefusal() -> Bool {
        consume {
            if case .acmeChallengeInvalid(let n) = $0 {
                return (true, n > 1 ? .acmeChallengeInvalid(times: n - 1) : nil)
            }
            return nil
        }
    }

    func consumeCloudflareOutage() -> Bool {
        consume {
            if case .cloudflareUnreachable(let n) = $0 {
                return (true, n > 1 ? .cloudflareUnreachable(times: n - 1) : nil)
            }
            return nil
        }
    }

    /// The seconds an armed slow issuance adds, nil when none is armed.
    func consumeSlowIssuance() -> Double? {
        var seconds: Double?
        _ = consume {
            guard case .slowIssuance(let s, let n) = $0 else { return nil }
            seconds = s
            return (true, n > 1 ? .slowIssuance(seconds: s, times: n - 1) : nil)
        }
        return seconds
    }

    private func consume(_ match: (KubeFault) -> (Bool, KubeFault?)?) -> Bool {
        faults.withLock { list in
            for i in list.indices {
                guard let (_, rest) = match(list[i]) else { continue }
                if let rest { list[i] = rest } else { list.remove(at: i) }
                return true
            }
            return false
        }
    }
}
