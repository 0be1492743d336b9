import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// k3s's ServiceLB (klipper-lb) in the simulated cluster: while a k3s server runs whose
/// `/etc/rancher/k3s/config.yaml` does not list `servicelb` under `disable`, every Service of
/// type LoadBalancer gets the Ready nodes' addresses in `status.loadBalancer.ingress`. With it
/// disabled (and nothing else to give addresses) such a Service stays `<pending>`, as on a real
/// k3s. It runs in the kubelets' pass (`SimulatedKubelets`), after the nodes are registered.
struct SimulatedServiceLB: Sendable {
    let api: KubeAPISimulator
    let root: @Sendable (String) -> String

    /// One pass over the booted guests' trees.
    func reconcile(_ guests: [SimulatedGuest]) {
        guard guests.contains(where: { $0.booted && Self.runsServiceLB(root: root($0.name)) }) else { return }
        try? api.assignLoadBalancerIngress()
    }

    /// Whether the k3s server of this tree runs with ServiceLB (k3s's `disable` flag, a list or
    /// one name, in its config.yaml).
    static func runsServiceLB(root: String) -> Bool {
        guard FileManager.default.fileExists(atPath: root + NodeBoot.unitStatePath + "/k3s.service.active") else {
            return false
        }
        return !K3sConfig(path: root + "/etc/rancher/k3s/config.yaml").list("disable").contains("servicelb")
    }
}
