import HLSCore

extension KubeAPI {
    /// What k3s's ServiceLB (klipper-lb) gives each Service of type LoadBalancer that names no
    /// `loadBalancerClass`: its svclb pods run on every node, so `status.loadBalancer.ingress`
    /// lists the InternalIP of each Ready node (`ipMode: VIP`, as k3s sets it). Only a Service
    /// whose ingress differs is written, through its status as the controller writes it.
    func assignLoadBalancerIngress() throws(KubeStatus) {
        try store.transact { (state: inout KubeStoreState) throws(KubeStatus) in
            let types = KubeBuiltInTypes.all
            let nodes = types.first { $0.plural == "nodes" }!
            let services = types.first { $0.plural == "services" }!
            let addresses = state.list(nodes, namespace: nil).map(\.object).filter { node in
                node.at(["status", "conditions"])?.items.contains {
                    $0.text("type") == "Ready" && $0.text("status") == "True"
                } ?? false
            }.compactMap { node in
                node.at(["status", "addresses"])?.items.first { $0.text("type") == "InternalIP" }?.text("address")
            }.sorted()
            let ingress = Document.array(
                addresses.map { .object([("ip", .string($0)), ("ipMode", .string("VIP"))]) })
            for (_, service) in state.list(services, namespace: nil)
            where service.text("spec", "type") == "LoadBalancer" && service.at(["spec", "loadBalancerClass"]) == nil {
                guard service.at(["status", "loadBalancer", "ingress"]) ?? .array([]) != ingress else { continue }
                var updated = service
                updated.set(["status", "loadBalancer"], .object([("ingress", ingress)]))
                KubeManagedFields.recordUpdate(
                    old: service, new: &updated, manager: "klipper-lb", type: services, subresource: "status")
                state.put(services, updated, event: "MODIFIED", old: service)
            }
        }
    }
}
