import HLSCore

/// What happens to a Longhorn PersistentVolume whose claim is gone (the PV controller, then the
/// CSI provisioner's DeleteVolume): with reclaim policy Delete, the Longhorn volume (its replicas
/// and engine go with it, by their ownerReferences) and the PV are deleted; with Retain the PV
/// is `Released` and the volume stays.
struct LonghornReclaimer: SimulatedController {
    let name = "driver.longhorn.io"
    let resource = KubeResourceName.persistentVolumes
    let follows = [KubeResourceName.persistentVolumeClaims]
    let workload: SimulatedWorkload? = Longhorn.manager

    func reconcile(_ pv: Document, client: KubeInProcessClient) -> Duration? {
        guard pv.text("spec", "csi", "driver") == Longhorn.driver, let name = pv.text("metadata", "name"),
            let claimNamespace = pv.text("spec", "claimRef", "namespace"),
            let claimName = pv.text("spec", "claimRef", "name")
        else { return nil }
        do {
            let claim = try client.get(
                KubeResourceName.persistentVolumeClaims.path(namespace: claimNamespace, name: claimName))
            if let claim, claim.text("metadata", "uid") == pv.text("spec", "claimRef", "uid") { return nil }
            let path = KubeResourceName.persistentVolumes.path(namespace: nil, name: name)
            if pv.text("spec", "persistentVolumeReclaimPolicy") == "Delete" {
                try client.delete(
                    Longhorn.volumes.path(
                        namespace: Longhorn.namespace, name: pv.text("spec", "csi", "volumeHandle") ?? name))
                try client.delete(path)
            } else if pv.text("status", "phase") != "Released" {
                try client.mergePatch(
                    path, .object([("status", .object([("phase", .string("Released"))]))]), subresource: "status")
            }
        } catch {
            return .seconds(1)
        }
        return nil
    }
}
