import HLSCore
import HLSFormats

/// The longhorn-driver-deployer: once its pod runs, it deploys Longhorn's CSI driver — the
/// csi-attacher, csi-provisioner, csi-resizer and csi-snapshotter Deployments (3 replicas each)
/// and the longhorn-csi-plugin DaemonSet — in its namespace.
struct LonghornDriverDeployer: SimulatedController {
    let name = "longhorn-driver-deployer"
    let resource = KubeResourceName.deployments
    let workload: SimulatedWorkload? = Self.deployer

    static let deployer = SimulatedWorkload(
        kind: .deployment, namespace: Longhorn.namespace, name: "longhorn-driver-deployer")
    static let sidecars = ["csi-attacher", "csi-provisioner", "csi-resizer", "csi-snapshotter"]

    func reconcile(_ deployment: Document, client: KubeInProcessClient) -> Duration? {
        guard deployment.text("metadata", "namespace") == Longhorn.namespace,
            deployment.text("metadata", "name") == Self.deployer.name
        else { return nil }
        let ns = Longhorn.namespace
        let plugin = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: longhorn-csi-plugin
              namespace: \(ns)
            spec:
              selector:
                matchLabels:
                  app: longhorn-csi-plugin
              template:
                metadata:
                  labels:
                    app: longhorn-csi-plugin
                spec:
                  containers:
                  - name: longhorn-csi-plugin
                    image: \(deployment.at(["spec", "template", "spec", "containers"])?.items.first?.text("image") ?? "")
            """
        let yaml =
            Self.sidecars.map { Longhorn.deployment($0, namespace: ns, image: "longhornio/\($0)", replicas: 3) }
            + [plugin]
        do {
            for object in try YAMLCodec.decodeAll(yaml.joined(separator: "\n---\n"), file: "longhorn-driver-deployer") {
                let resource: KubeResourceName = object.text("kind") == "DaemonSet" ? .daemonSets : .deployments
                try client.apply(resource.path(of: object), object)
            }
        } catch {
            return .seconds(1)
        }
        return nil
    }
}
