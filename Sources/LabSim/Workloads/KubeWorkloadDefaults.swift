import HLSCore

/// What the apiserver defaults in an `apps/v1` workload's spec (`apps/v1/defaults.go`) and its
/// controller and `kubectl rollout status` read: replicas, the update strategy, the history limit.
enum KubeWorkloadDefaults {
    static func apply(_ plural: String, _ object: inout Document) {
        func fill(_ path: String..., with value: Document) {
            if object.at(["spec"] + path) == nil { object.set(["spec"] + path, value) }
        }
        switch plural {
        case "deployments":
            fill("replicas", with: .int(1))
            fill(
                "strategy",
                with: .object([
                    ("type", .string("RollingUpdate")),
                    ("rollingUpdate", .object([("maxUnavailable", .string("25%")), ("maxSurge", .string("25%"))])),
                ]))
            fill("revisionHistoryLimit", with: .int(10))
            fill("progressDeadlineSeconds", with: .int(600))
        case "replicasets":
            fill("replicas", with: .int(1))
        case "daemonsets":
            fill("updateStrategy", "type", with: .string("RollingUpdate"))
            if object.text("spec", "updateStrategy", "type") == "RollingUpdate" {
                fill(
                    "updateStrategy", "rollingUpdate",
                    with: .object([("maxUnavailable", .int(1)), ("maxSurge", .int(0))]))
            }
            fill("revisionHistoryLimit", with: .int(10))
        case "statefulsets":
            fill("replicas", with: .int(1))
            fill("podManagementPolicy", with: .string("OrderedReady"))
            // A strategy given without its type (a chart's `rollingUpdate: {partition: 0}`) is
            // a RollingUpdate one too.
            fill("updateStrategy", "type", with: .string("RollingUpdate"))
            if object.text("spec", "updateStrategy", "type") == "RollingUpdate" {
                fill("updateStrategy", "rollingUpdate", with: .object([("partition", .int(0))]))
            }
            fill("revisionHistoryLimit", with: .int(10))
            fill(
                "persistentVolumeClaimRetentionPolicy",
                with: .object([("whenDeleted", .string("Retain")), ("whenScaled", .string("Retain"))]))
        default:
            break
        }
    }
}
