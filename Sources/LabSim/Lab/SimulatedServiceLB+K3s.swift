import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Whether the lab's k3s runs ServiceLB: while a k3s server runs whose
/// `/etc/rancher/k3s/config.yaml` does not list `servicelb` under `disable`. With it disabled
/// (and nothing else to give addresses) a LoadBalancer Service stays `<pending>`, as on a real k3s.
extension SimulatedServiceLB {
    /// Whether one of the booted guests runs a k3s server with ServiceLB.
    static func runs(among guests: [SimulatedGuest], root: (String) -> String) -> Bool {
        guests.contains { $0.booted && runsServiceLB(root: root($0.name)) }
    }

    /// Whether the k3s server of this tree runs with ServiceLB (k3s's `disable` flag, a list or
    /// one name, in its config.yaml).
    static func runsServiceLB(root: String) -> Bool {
        guard SimulatedControlPlane.serverRuns(root: root) else { return false }
        return !K3sConfig(path: root + "/etc/rancher/k3s/config.yaml").list("disable").contains("servicelb")
    }
}
