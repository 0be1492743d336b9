import HLSCore

/// How the volume controller records a replica's failure (controller/volume_controller.go,
/// `setReplicaFailedAt`): a replica that failed gets `spec.failedAt` and `spec.lastFailedAt` (the
/// time, once) and `desireState: stopped`; one that runs again is reused as Longhorn reuses a
/// failed replica: `failedAt` cleared, `lastFailedAt` kept, `healthyAt` set.
enum LonghornReplicaFailure {
    static func record(failed: Bool, _ replica: Document, at path: String, client: KubeInProcessClient) throws {
        let failedAt = replica.text("spec", "failedAt") ?? ""
        let now = KubeTime.rfc3339(KubeTime.now())
        if failed, failedAt.isEmpty {
            try client.mergePatch(
                path,
                .object([
                    (
                        "spec",
                        .object([
                            ("failedAt", .string(now)), ("lastFailedAt", .string(now)),
                            ("desireState", .string("stopped")),
                        ])
                    )
                ]))
        } else if !failed, !failedAt.isEmpty {
            try client.mergePatch(
                path,
                .object([
                    (
                        "spec",
                        .object([("failedAt", .string("")), ("healthyAt", .string(now))])
                    )
                ]))
        }
    }
}
