import HLSCore

/// k3s's ServiceLB (klipper-lb, the `service-controller` of k3s's cloud provider): its svclb
/// pods run on every node, so each Service of type LoadBalancer that names no
/// `loadBalancerClass` gets the InternalIP of every Ready node in `status.loadBalancer.ingress`
/// (sorted, `ipMode: VIP`); a Service that is no longer such a LoadBalancer has its ingress
/// cleared. It follows the nodes, and writes only a status that differs, with a merge patch of
/// the status subresource recorded under the manager `k3s` (the k3s binary's User-Agent, as
/// client-go sends it).
///
/// Whether it runs is the k3s server's to say (`servicelb` in the `disable` list of its
/// config.yaml): `runs` asks. While it does not, a LoadBalancer Service is looked at again
/// every second, as a ServiceLB that starts lists the Services it missed.
struct SimulatedServiceLB: SimulatedController {
    let runs: @Sendable () -> Bool

    let name = "k3s"
    let resource = KubeResourceName(group: "", version: "v1", plural: "services")
    let follows = [Self.nodes]

    static let nodes = KubeResourceName(group: "", version: "v1", plural: "nodes")
    /// How soon a LoadBalancer Service is looked at again while ServiceLB does not run.
    static let recheck = Duration.seconds(1)

    func reconcile(_ service: Document, client: KubeInProcessClient) -> Duration? {
        let balanced =
            service.text("spec", "type") == "LoadBalancer" && service.at(["spec", "loadBalancerClass"]) == nil
        guard runs() else { return balanced ? Self.recheck : nil }
        var ingress: [Document] = []
        if balanced {
            guard let nodes = try? client.list(Self.nodes.path(namespace: nil)) else { return Self.recheck }
            ingress = nodes.filter(KubeStoreState.kubeletRuns(on:)).compactMap(KubeStoreState.internalIP(of:)).sorted()
                .map { .object([("ip", .string($0)), ("ipMode", .string("VIP"))]) }
        }
        guard (service.at(["status", "loadBalancer", "ingress"])?.items ?? []) != ingress else { return nil }
        let path = resource.path(
            namespace: service.text("metadata", "namespace"), name: service.text("metadata", "name"))
        let patch = Document.object([
            ("status", .object([("loadBalancer", .object([("ingress", ingress.isEmpty ? .null : .array(ingress))]))]))
        ])
        return (try? client.mergePatch(path, patch, subresource: "status")) == nil ? Self.recheck : nil
    }
}
