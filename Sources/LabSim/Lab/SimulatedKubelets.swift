import HLSCore
import HLSFormats
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The kubelets of the simulated k3s: a node whose k3s unit is active (the simulated systemctl's
/// marker under `/var/lib/hlsh-sim/systemd`) registers as a Kubernetes Node, as k3s's kubelet
/// does a moment after the service starts — Ready, with the roles of a server (control-plane,
/// master) or none for an agent, the version of the k3s installed at `/usr/local/bin/k3s`, its
/// address (`node-ip` in `/etc/rancher/k3s/config.yaml`, else its cloud-init one), and the
/// config's `node-name`, `node-label` and `node-taint`. An agent joins only with its server's
/// token and a node password its server accepts (`answerSupervisor`). A node whose unit stops,
/// or whose VM stops or is destroyed, turns NotReady once its kubelet has been silent for the
/// node monitor grace period (`gracePeriod`), as the node lifecycle controller marks it; the
/// Node object stays, as on a real cluster. The machine's boot id is the Node's `status.nodeInfo.bootID`: after a
/// reboot the kubelet registers again with the new one.
///
/// Follows the nodes in the background (a pass every `every`, 200 ms by default); a pass registers only what changed,
/// so a node left alone keeps its resourceVersion. Thread-safe.
final class SimulatedKubelets: Sendable {
    let api: KubeAPISimulator
    let root: @Sendable (String) -> String
    private let guests: @Sendable () -> [SimulatedGuest]
    /// Whether a guest's sshd answers: k3s starts after it in an Ubuntu boot, so a kubelet
    /// reports nothing before it (a Node Ready while its machine refused SSH misled `node wait`).
    private let sshUp: @Sendable (String) -> Bool
    /// What each guest's kubelet last told the API, by guest name: its node name and a digest of
    /// the registration (`notReady` once it went down).
    private let told = Mutex<[String: (node: String, digest: String)]>([:])
    private let passes: PeriodicPass
    /// kube-controller-manager's `--node-monitor-grace-period`: how long a silent kubelet's Node stays Ready.
    private let gracePeriod: Duration
    /// When each guest's kubelet fell silent, while its Node is still within the grace period.
    private let silentSince = Mutex<[String: ContinuousClock.Instant]>([:])
    /// When each guest's refused agent last asked the supervisor again (`answerSupervisor`).
    let supervisorRetries = Mutex<[String: ContinuousClock.Instant]>([:])
    /// The server starts whose own node password was checked, by `guest|boot id|start` (`checkServerPassword`).
    let serverPasswordsChecked = Mutex<Set<String>>([])
    private static let notReady = "NotReady"

    /// - Parameters:
    ///   - root: a VM's root tree on the host, by name (`SimulatedNodes.root(of:)`).
    ///   - guests: the cluster's guests now.
    ///   - every: the time between passes (`SimulatedNodes.passInterval`).
    ///   - gracePeriod: how long a Node stays Ready after its kubelet fell silent (zero: until the next pass).
    init(
        api: KubeAPISimulator, root: @escaping @Sendable (String) -> String, every: Duration = .milliseconds(200),
        gracePeriod: Duration = .zero, guests: @escaping @Sendable () -> [SimulatedGuest],
        sshUp: @escaping @Sendable (String) -> Bool
    ) {
        passes = PeriodicPass(every: every)
        self.gracePeriod = gracePeriod
        self.api = api
        self.root = root
        self.guests = guests
        self.sshUp = sshUp
    }

    func start() { passes.start { [self] in follow() } }

    func stop() { passes.stop() }

    /// One pass now (none once stopped).
    func reconcile() { passes.run { follow() } }

    /// One pass: registers the nodes whose k3s runs and changed, marks NotReady those that stopped.
    private func follow() {
        let all = guests()
        for guest in all { answerSupervisor(guest, among: all) }
        for guest in all {
            let registration = guest.booted && sshUp(guest.name) ? kubelet(of: guest, among: all) : nil
            let last = told.withLock { $0[guest.name] }
            if let registration {
                silentSince.withLock { $0[guest.name] = nil }
                let digest = Self.digest(registration)
                guard last?.digest != digest else { continue }
                guard (try? api.registerNode(registration)) != nil else { continue }
                told.withLock { $0[guest.name] = (registration.name, digest) }
            } else if let last, last.digest != Self.notReady {
                markNotReadyAfterGrace(guest.name, node: last.node)
            }
        }
        // A destroyed VM's kubelet posts no more status either: its Node goes NotReady and stays.
        let present = Set(all.map(\.name))
        for (name, last) in told.withLock({ $0 }) where !present.contains(name) && last.digest != Self.notReady {
            markNotReadyAfterGrace(name, node: last.node)
        }
    }

    /// A guest's kubelet posts nothing: its Node turns NotReady once that has lasted the grace
    /// period. Until then it keeps the Ready (and the boot id) it last posted.
    private func markNotReadyAfterGrace(_ guest: String, node: String) {
        if gracePeriod > .zero {
            let now = ContinuousClock.now
            let since = silentSince.withLock { silent in
                if let since = silent[guest] { return since }
                silent[guest] = now
                return now
            }
            guard now - since >= gracePeriod else { return }
        }
        guard (try? api.setNodeReady(node, false)) != nil else { return }
        silentSince.withLock { $0[guest] = nil }
        told.withLock { $0[guest] = (node, Self.notReady) }
    }

    /// The Node that `guest`'s kubelet registers, nil while its k3s does not run (or an agent's
    /// token is not its server's).
    func kubelet(of guest: SimulatedGuest, among all: [SimulatedGuest]) -> KubeNodeRegistration? {
        let tree = root(guest.name)
        let fm = FileManager.default
        let units = tree + NodeBoot.unitStatePath + "/"
        let server = fm.fileExists(atPath: units + "k3s.service.active")
        guard server || fm.fileExists(atPath: units + "k3s-agent.service.active") else { return nil }
        let config = K3sConfig(path: tree + "/etc/rancher/k3s/config.yaml")
        guard let version = Self.installedVersion(tree + "/usr/local/bin/k3s"),
            let address = config.scalar("node-ip") ?? guest.address
        else { return nil }
        if !server {
            guard let token = config.scalar("token"), let url = config.scalar("server"),
                let joined = all.first(where: { $0.address.map { url.contains("//\($0):") } ?? false }),
                let serverToken = try? String(
                    contentsOfFile: root(joined.name) + "/var/lib/rancher/k3s/server/token", encoding: .utf8
                ).trimmingWhitespace(),
                Self.accepts(serverToken, token)
            else { return nil }
        }
        var labels: [String: String] = [:]
        for label in config.list("node-label") {
            let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            labels[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let taints = config.list("node-taint").compactMap { taint -> KubeNodeRegistration.Taint? in
            guard let colon = taint.lastIndex(of: ":") else { return nil }
            let keyValue = taint[..<colon].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return KubeNodeRegistration.Taint(
                key: String(keyValue[0]), value: keyValue.count > 1 ? String(keyValue[1]) : "",
                effect: String(taint[taint.index(after: colon)...]))
        }
        var registration = KubeNodeRegistration(
            name: config.scalar("node-name") ?? guest.name, internalIP: address, controlPlane: server,
            version: version, labels: labels, taints: taints)
        registration.bootID = NodeBoot.bootID(root: tree) ?? ""
        return registration
    }

    /// The version the simulated k3s binary reports (`k3s version v1.31.4+k3s1 (…)`).
    static func installedVersion(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let range = text.firstRange(of: "k3s version v")
        else { return nil }
        let version = text[text.index(range.upperBound, offsetBy: -1)...].prefix { !$0.isWhitespace && $0 != "\"" }
        return String(version)
    }

    /// Whether a server whose token is `server` (`K10<CA hash>::server:<password>`) lets in an
    /// agent that gives `given`: the full token or, as k3s also accepts, its password alone.
    static func accepts(_ server: String, _ given: String) -> Bool {
        guard !given.isEmpty else { return false }
        if given == server { return true }
        guard let range = server.firstRange(of: "::server:") else { return false }
        return given == server[range.upperBound...]
    }

    private static func digest(_ node: KubeNodeRegistration) -> String {
        let labels = node.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let taints = node.taints.map { "\($0.key)=\($0.value):\($0.effect)" }
        return [node.name, node.internalIP, "\(node.controlPlane)", node.version, node.bootID]
            .joined(separator: "|") + "|" + labels.joined(separator: ",") + "|" + taints.joined(separator: ",")
    }
}

/// A node's `/etc/rancher/k3s/config.yaml`, as k3s reads it: scalars, and flags that repeat as
/// YAML lists (or one scalar).
struct K3sConfig {
    let document: Document

    init(path: String) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        document = (try? YAMLCodec.decode(text, file: path)) ?? .null
    }

    func scalar(_ key: String) -> String? {
        switch document[key] {
        case .string(let value)?: return value
        case .int(let value)?: return String(value)
        case .bool(let value)?: return String(value)
        default: return nil
        }
    }

    func list(_ key: String) -> [String] {
        if case .array(let items)? = document[key] {
            return items.compactMap { if case .string(let value) = $0 { value } else { nil } }
        }
        return scalar(key).map { [$0] } ?? []
    }
}
