import HLSCore

/// The CSI provisioning of Longhorn volumes (csi-provisioner with Longhorn's CSI controller,
/// and the PV controller's binding): a PersistentVolumeClaim of a StorageClass whose provisioner
/// is `driver.longhorn.io` gets a Longhorn Volume and a PersistentVolume, both named
/// `pvc-<claim uid>`, with the class's parameters (numberOfReplicas, staleReplicaTimeout,
/// dataLocality, fsType), and claim and volume are bound both ways.
struct LonghornProvisioner: SimulatedController {
    let name = "driver.longhorn.io"
    let resource = KubeResourceName.persistentVolumeClaims
    let follows = [KubeResourceName.storageClasses]
    let workload: SimulatedWorkload? = Longhorn.manager

    func reconcile(_ claim: Document, client: KubeInProcessClient) -> Duration? {
        guard claim.text("spec", "volumeName") == nil, claim.at(["metadata", "deletionTimestamp"]) == nil,
            let namespace = claim.text("metadata", "namespace"), let claimName = claim.text("metadata", "name"),
            let uid = claim.text("metadata", "uid")
        else { return nil }
        guard let classes = try? client.list(KubeResourceName.storageClasses.path(namespace: nil)) else {
            return .seconds(1)
        }
        let className = claim.text("spec", "storageClassName")
        let storageClass = classes.first { candidate in
            if let className { return candidate.text("metadata", "name") == className }
            return candidate.text("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true"
        }
        guard let storageClass, storageClass.text("provisioner") == Longhorn.driver else { return nil }
        let parameters = storageClass["parameters"]?.stringMap ?? [:]
        let request = claim.text("spec", "resources", "requests", "storage") ?? "1Gi"
        let bytes = Self.bytes(request) ?? 0
        let name = "pvc-" + uid
        let accessModes = claim.at(["spec", "accessModes"]) ?? .array([.string("ReadWriteOnce")])
        do {
            if try client.get(Longhorn.volumes.path(namespace: Longhorn.namespace, name: name)) == nil {
                try client.create(
                    Longhorn.volumes.path(namespace: Longhorn.namespace),
                    .object([
                        ("apiVersion", .string("\(Longhorn.group)/\(Longhorn.version)")), ("kind", .string("Volume")),
                        (
                            "metadata",
                            .object([
                                ("name", .string(name)), ("namespace", .string(Longhorn.namespace)),
                                ("labels", .object([("longhornvolume", .string(name))])),
                            ])
                        ),
                        (
                            "spec",
                            .object([
                                ("size", .string(String(bytes))),
                                ("numberOfReplicas", .int(Int(parameters["numberOfReplicas"] ?? "") ?? 3)),
                                ("staleReplicaTimeout", .int(Int(parameters["staleReplicaTimeout"] ?? "") ?? 30)),
                                ("dataLocality", .string(parameters["dataLocality"] ?? "disabled")),
                                ("accessMode", .string("rwo")), ("frontend", .string("blockdev")),
                                ("dataEngine", .string(parameters["dataEngine"] ?? "v1")),
                                ("replicaSoftAntiAffinity", .string("ignored")),
                                ("replicaAutoBalance", .string("ignored")), ("nodeID", .string("")),
                            ])
                        ),
                    ]))
            }
            let pvPath = KubeResourceName.persistentVolumes.path(namespace: nil, name: name)
            if try client.get(pvPath) == nil {
                try client.create(
                    KubeResourceName.persistentVolumes.path(namespace: nil),
                    .object([
                        ("apiVersion", .string("v1")), ("kind", .string("PersistentVolume")),
                        (
                            "metadata",
                            .object([
                                ("name", .string(name)),
                                (
                                    "annotations",
                                    .object([("pv.kubernetes.io/provisioned-by", .string(Longhorn.driver))])
                                ),
                            ])
                        ),
                        (
                            "spec",
                            .object([
                                ("accessModes", accessModes),
                                ("capacity", .object([("storage", .string(request))])),
                                (
                                    "claimRef",
                                    .object([
                                        ("apiVersion", .string("v1")), ("kind", .string("PersistentVolumeClaim")),
                                        ("name", .string(claimName)), ("namespace", .string(namespace)),
                                        ("uid", .string(uid)),
                                    ])
                                ),
                                (
                                    "csi",
                                    .object([
                                        ("driver", .string(Longhorn.driver)),
                                        ("fsType", .string(parameters["fsType"] ?? "ext4")),
                                        ("volumeAttributes", storageClass["parameters"] ?? .object([])),
                                        ("volumeHandle", .string(name)),
                                    ])
                                ),
                                (
                                    "persistentVolumeReclaimPolicy",
                                    .string(storageClass.text("reclaimPolicy") ?? "Delete")
                                ),
                                ("storageClassName", .string(storageClass.text("metadata", "name") ?? "")),
                                ("volumeMode", .string("Filesystem")),
                            ])
                        ),
                    ]))
                try client.mergePatch(
                    pvPath, .object([("status", .object([("phase", .string("Bound"))]))]), subresource: "status")
            }
            let claimPath = KubeResourceName.persistentVolumeClaims.path(namespace: namespace, name: claimName)
            try client.mergePatch(
                claimPath,
                .object([
                    (
                        "metadata",
                        .object([
                            (
                                "annotations",
                                .object([
                                    ("pv.kubernetes.io/bind-completed", .string("yes")),
                                    ("pv.kubernetes.io/bound-by-controller", .string("yes")),
                                    ("volume.beta.kubernetes.io/storage-provisioner", .string(Longhorn.driver)),
                                    ("volume.kubernetes.io/storage-provisioner", .string(Longhorn.driver)),
                                ])
                            )
                        ])
                    ),
                    ("spec", .object([("volumeName", .string(name))])),
                ]))
            try client.mergePatch(
                claimPath,
                .object([
                    (
                        "status",
                        .object([
                            ("phase", .string("Bound")), ("accessModes", accessModes),
                            ("capacity", .object([("storage", .string(request))])),
                        ])
                    )
                ]), subresource: "status")
        } catch {
            return .seconds(1)
        }
        return nil
    }

    /// A resource quantity in bytes (`2Gi`, `512Mi`, `10G`, `1000`), nil when it is not one.
    static func bytes(_ quantity: String) -> Int? {
        let units: [(String, Int)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("k", 1000), ("M", 1_000_000),
            ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ]
        for (suffix, factor) in units where quantity.hasSuffix(suffix) {
            return Int(quantity.dropLast(suffix.count)).map { $0 * factor }
        }
        return Int(quantity)
    }
}
