import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the lab's Kubernetes API runs: on its control-plane VM, a booted guest whose k3s server
/// unit is active. A real k3s API is served by that VM, so while none runs (the VM not created
/// yet, stopped, rebooting, gone with a restart of `sim serve`, or its k3s stopped) the simulated
/// API stops listening and a client's connection is refused; once one runs again it listens on
/// the same port. Only the listener follows the VM: the objects and the controllers stay in
/// process (they go only with the lab).
///
/// Follows the guests in the background (a pass every `every`, as the kubelets do); `start`
/// makes the first pass before it returns, so the lab's first client already meets the gate.
final class SimulatedControlPlane: Sendable {
    private let api: KubeAPISimulator
    private let root: @Sendable (String) -> String
    private let guests: @Sendable () -> [SimulatedGuest]
    /// Whether the API listens now; nil before the first pass.
    private let serving = Mutex<Bool?>(nil)
    private let passes: PeriodicPass

    /// - Parameters:
    ///   - root: a VM's root tree on the host, by name (`SimulatedNodes.root(of:)`).
    ///   - every: the time between passes (`SimulatedNodes.passInterval`).
    ///   - guests: the cluster's guests now.
    init(
        api: KubeAPISimulator, root: @escaping @Sendable (String) -> String, every: Duration = .milliseconds(200),
        guests: @escaping @Sendable () -> [SimulatedGuest]
    ) {
        self.api = api
        self.root = root
        self.guests = guests
        passes = PeriodicPass(every: every)
    }

    func start() { passes.start { [self] in follow() } }

    func stop() { passes.stop() }

    /// Whether the tree's k3s server unit is active (the simulated systemctl's marker of `k3s.service`).
    static func serverRuns(root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + NodeBoot.unitStatePath + "/k3s.service.active")
    }

    /// One pass now (none once stopped).
    func reconcile() { passes.run { follow() } }

    /// The API listens exactly while a control-plane VM runs.
    private func follow() {
        let current = guests()
        let servers = Set(current.filter { $0.booted && Self.serverRuns(root: root($0.name)) }.map(\.name))
        let runs = !servers.isEmpty
        if serving.withLock({ $0 }) != runs {
            // Tried again at the next pass if the port cannot be bound again yet.
            guard (try? api.serve(runs)) != nil else { return }
            serving.withLock { $0 = runs }
        }
        // The k3s server is "active" (its `systemctl start` returns, Type=notify) once its API
        // serves: tell each running server so, and take it back from any other (a reboot).
        for guest in current {
            let marker = root(guest.name) + NodeBoot.unitStatePath + "/k3s.service.serving"
            let exists = FileManager.default.fileExists(atPath: marker)
            if servers.contains(guest.name) {
                if !exists { _ = FileManager.default.createFile(atPath: marker, contents: nil) }
            } else if exists {
                try? FileManager.default.removeItem(atPath: marker)
            }
        }
    }
}

/// The lab's control-plane VM as the Kubernetes API's host (`SimulatedControlPlane`).
struct SimulatedControlPlaneComponent: LabComponent {
    let controlPlane: SimulatedControlPlane

    func start() throws(HLSError) -> [String: String] {
        controlPlane.start()
        return [:]
    }

    func stop() { controlPlane.stop() }
}
