import HLSCore

/// Traefik's publishing of its address on the Ingresses it serves
/// (`--providers.kubernetesingress.ingressendpoint.publishedservice`): each one's
/// `status.loadBalancer.ingress` becomes its Service's (the `ip` and `hostname`, without the
/// Service's `ipMode`), and follows it when ServiceLB changes it. Runs as Traefik's Deployment.
struct TraefikIngressStatus: SimulatedController {
    let traefik: SimulatedTraefik

    let name = "traefik"
    let resource = KubeResourceName.ingresses
    let follows = [
        KubeResourceName.services, KubeResourceName.ingressClasses,
    ]
    var workload: SimulatedWorkload? { traefik.workload }

    func reconcile(_ ingress: Document, client: KubeInProcessClient) -> Duration? {
        let defaultClass = TraefikRoutes.traefikIsDefaultClass(client: client)
        guard TraefikRoutes.isTraefiks(ingress, defaultClass: defaultClass) else { return nil }
        let published: [Document] = traefik.serviceAddresses(client: client).map { address in
            .object(address.pairs.filter { $0.key == "ip" || $0.key == "hostname" || $0.key == "ports" })
        }
        guard (ingress.at(["status", "loadBalancer", "ingress"])?.items ?? []) != published else { return nil }
        let path = resource.path(
            namespace: ingress.text("metadata", "namespace"), name: ingress.text("metadata", "name"))
        let patch = Document.object([
            (
                "status",
                .object([("loadBalancer", .object([("ingress", published.isEmpty ? .null : .array(published))]))])
            )
        ])
        return (try? client.mergePatch(path, patch, subresource: "status")) == nil ? .seconds(1) : nil
    }
}
