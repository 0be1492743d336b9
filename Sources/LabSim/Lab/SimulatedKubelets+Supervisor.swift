import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// k3s's supervisor on the server, as a starting agent meets it: the agent asks for its kubelet
/// certificate (`/v1-k3s/serving-kubelet.crt`) with its node name and its node password
/// (`/etc/rancher/node/password`), and the server answers 200, 401 for a token it does not
/// know, or 403 when the node's `<name>.node-password.k3s` Secret holds another password
/// (`KubeNodePasswords`). The simulated k3s agent asks by writing `request` under
/// `supervisorPath` on its node and waits for `reply` (the status). An agent refused keeps
/// retrying, as k3s does every 5 seconds, its unit "activating": once the server lets it in
/// (its Secret deleted), its unit becomes active and its kubelet registers.
extension SimulatedKubelets {
    static let supervisorPath = "/var/lib/hlsh-sim/supervisor"
    static let retryInterval = Duration.seconds(5)

    /// Answers `guest`'s waiting agent, or retries for one that was refused.
    func answerSupervisor(_ guest: SimulatedGuest, among all: [SimulatedGuest]) {
        let fm = FileManager.default
        let tree = root(guest.name)
        let directory = tree + Self.supervisorPath
        checkServerPassword(guest)
        guard guest.booted, fm.fileExists(atPath: directory + "/request") else { return }
        let activating = tree + NodeBoot.unitStatePath + "/k3s-agent.service.activating"
        let retrying = fm.fileExists(atPath: activating)
        if retrying {
            let now = ContinuousClock.now
            let due = supervisorRetries.withLock { tries -> Bool in
                if let last = tries[guest.name], now - last < Self.retryInterval { return false }
                tries[guest.name] = now
                return true
            }
            guard due else { return }
        }
        guard let status = supervisorStatus(of: guest, among: all) else { return }
        if !retrying {
            _ = fm.createFile(atPath: directory + "/reply", contents: Data("\(status)\n".utf8))
        } else if status == 200 {
            // k3s got its certificates at last and reports READY: the unit is active.
            try? fm.removeItem(atPath: directory + "/request")
            try? fm.removeItem(atPath: activating)
            _ = fm.createFile(atPath: tree + NodeBoot.unitStatePath + "/k3s-agent.service.active", contents: nil)
            supervisorRetries.withLock { $0[guest.name] = nil }
        }
    }

    /// A server's own node password: k3s checks it against the file locally, so a server is never
    /// refused, and once its API runs stores the Secret, or records `NodePasswordValidationFailed`
    /// when the Secret holds another password (`ensureSecret`, deferred). Once per start of its
    /// unit (the time of the simulated systemctl's `active` marker).
    func checkServerPassword(_ guest: SimulatedGuest) {
        let tree = root(guest.name)
        let active = tree + NodeBoot.unitStatePath + "/k3s.service.active"
        guard guest.booted, SimulatedControlPlane.serverRuns(root: tree),
            let started = (try? FileManager.default.attributesOfItem(atPath: active))?[.modificationDate] as? Date,
            let password = try? String(contentsOfFile: tree + "/etc/rancher/node/password", encoding: .utf8)
                .trimmingWhitespace(), !password.isEmpty
        else { return }
        let key = "\(guest.name)|\(NodeBoot.bootID(root: tree) ?? "")|\(started.timeIntervalSince1970)"
        guard !serverPasswordsChecked.withLock({ $0.contains(key) }) else { return }
        let config = K3sConfig(path: tree + "/etc/rancher/k3s/config.yaml")
        let name = (config.scalar("node-name") ?? guest.name).lowercased()
        guard let accepted = try? api.ensureNodePassword(node: name, password: password) else { return }
        serverPasswordsChecked.withLock { _ = $0.insert(key) }
        if !accepted {
            api.recordNodeWarning(
                name, reason: "NodePasswordValidationFailed",
                message: "Deferred node password secret validation failed: unable to verify password for node "
                    + "\(name): hash does not match")
        }
    }

    /// The supervisor's answer to `guest`'s agent; nil while no server of its `server:` runs
    /// (the agent goes on waiting, as k3s does), or the API could not be asked.
    private func supervisorStatus(of guest: SimulatedGuest, among all: [SimulatedGuest]) -> Int? {
        let tree = root(guest.name)
        let config = K3sConfig(path: tree + "/etc/rancher/k3s/config.yaml")
        guard let url = config.scalar("server"),
            let joined = all.first(where: { $0.address.map { url.contains("//\($0):") } ?? false }), joined.booted,
            SimulatedControlPlane.serverRuns(root: root(joined.name))
        else { return nil }
        guard let token = config.scalar("token"),
            let serverToken = try? String(
                contentsOfFile: root(joined.name) + "/var/lib/rancher/k3s/server/token", encoding: .utf8
            ).trimmingWhitespace(),
            Self.accepts(serverToken, token)
        else { return 401 }
        guard
            let password = try? String(contentsOfFile: tree + "/etc/rancher/node/password", encoding: .utf8)
                .trimmingWhitespace(), !password.isEmpty
        else { return 400 }
        let name = (config.scalar("node-name") ?? guest.name).lowercased()
        guard let accepted = try? api.ensureNodePassword(node: name, password: password) else { return nil }
        return accepted ? 200 : 403
    }
}
