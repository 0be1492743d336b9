import HLSCore

/// cert-manager's ingress-shim: an Ingress annotated `cert-manager.io/cluster-issuer` (or
/// `cert-manager.io/issuer`) gets, for each `spec.tls` entry, a Certificate named after its
/// `secretName` for its hosts, owned by the Ingress.
struct CertManagerIngressShim: SimulatedController {
    let workload: SimulatedWorkload?
    let name = "cert-manager-ingress-shim"
    let resource = KubeResourceName.ingresses

    init(workload: SimulatedWorkload) { self.workload = workload }

    func reconcile(_ ingress: Document, client: KubeInProcessClient) -> Duration? {
        let annotations = (ingress.at(["metadata", "annotations"]) ?? .object([])).stringMap
        let issuer: (kind: String, name: String)
        if let name = annotations["cert-manager.io/cluster-issuer"] {
            issuer = ("ClusterIssuer", name)
        } else if let name = annotations["cert-manager.io/issuer"] {
            issuer = ("Issuer", name)
        } else {
            return nil
        }
        let namespace = ingress.text("metadata", "namespace") ?? ""
        for tls in ingress.at(["spec", "tls"])?.items ?? [] {
            guard let secretName = tls.text("secretName") else { continue }
            let certificate = Document.object([
                ("apiVersion", .string("cert-manager.io/v1")), ("kind", .string("Certificate")),
                (
                    "metadata",
                    .object([
                        ("name", .string(secretName)), ("namespace", .string(namespace)),
                        (
                            "ownerReferences",
                            CertManager.ownerReference(ingress, kind: "Ingress", apiVersion: "networking.k8s.io/v1")
                        ),
                    ])
                ),
                (
                    "spec",
                    .object([
                        ("dnsNames", tls["hosts"] ?? .array([])), ("secretName", .string(secretName)),
                        (
                            "issuerRef",
                            .object([
                                ("group", .string("cert-manager.io")), ("kind", .string(issuer.kind)),
                                ("name", .string(issuer.name)),
                            ])
                        ),
                        ("usages", .array([.string("digital signature"), .string("key encipherment")])),
                    ])
                ),
            ])
            let path = CertManager.certificates.path(namespace: namespace, name: secretName)
            if (try? client.apply(path, certificate)) == nil { return CertManager.retry }
        }
        return nil
    }
}
