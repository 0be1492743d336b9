import HLSCore
import HLSLanguage
import Kube

/// Longhorn's types as the client reads them (`longhorn.io/v1beta2`, namespace
/// `longhorn-system`), named without discovery.
enum Longhorn {
    static let namespace = "longhorn-system"

    static let volumes = resource("volumes", "Volume", short: "lhv")
    static let replicas = resource("replicas", "Replica", short: "lhr")
    static let nodes = resource("nodes", "Node", short: "lhn")
    static let settings = resource("settings", "Setting", short: "lhs")
    static let storageClasses = KubeResource(
        group: "storage.k8s.io", version: "v1", name: "storageclasses", kind: "StorageClass", namespaced: false,
        shortNames: ["sc"])

    private static func resource(_ plural: String, _ kind: String, short: String) -> KubeResource {
        KubeResource(
            group: "longhorn.io", version: "v1beta2", name: plural, kind: kind, namespaced: true, shortNames: [short],
            subresources: ["status"])
    }
}

/// One Longhorn volume with its claim and replicas, as `volume list` and `show` present it.
struct LonghornVolume {
    struct Replica {
        var name: String
        var node: String
        var state: String
        /// `spec.failedAt`: when Longhorn marked it failed; empty while it is not.
        var failedAt: String
    }

    var name: String
    /// The claim's namespace and name (`status.kubernetesStatus`), empty for a volume no claim has.
    var namespace: String
    var pvc: String
    var state: String
    var robustness: String
    var size: Int64
    var actualSize: Int64
    /// `spec.numberOfReplicas`.
    var wanted: Int
    var node: String
    var replicas: [Replica]
    var object: Document

    init(_ volume: Document, replicas: [Document]) {
        object = volume
        name = volume.string("metadata", "name") ?? ""
        namespace = volume.string("status", "kubernetesStatus", "namespace") ?? ""
        pvc = volume.string("status", "kubernetesStatus", "pvcName") ?? ""
        state = volume.string("status", "state") ?? ""
        robustness = volume.string("status", "robustness") ?? ""
        size = Int64(volume.string("spec", "size") ?? "") ?? 0
        actualSize = Self.int(volume.at("status", "actualSize")).map(Int64.init) ?? 0
        wanted = Self.int(volume.at("spec", "numberOfReplicas")) ?? 0
        node = volume.string("status", "currentNodeID") ?? ""
        let volumeName = name
        self.replicas = replicas.filter { $0.string("spec", "volumeName") == volumeName }.map {
            Replica(
                name: $0.string("metadata", "name") ?? "", node: $0.string("spec", "nodeID") ?? "",
                state: $0.string("status", "currentState") ?? "", failedAt: $0.string("spec", "failedAt") ?? "")
        }.sorted { ($0.node, $0.name) < ($1.node, $1.name) }
    }

    /// The distinct nodes its replicas sit on, sorted.
    var replicaNodes: [String] { Array(Set(replicas.map(\.node).filter { !$0.isEmpty })).sorted() }

    /// `volume list`'s row: stable lower-case keys.
    var row: Value {
        .record(
            Record([
                ("namespace", .string(namespace)), ("pvc", .string(pvc)), ("volume", .string(name)),
                ("state", .string(state)), ("robustness", .string(robustness)), ("size", .size(size)),
                ("actual_size", .size(actualSize)), ("replicas", .int(wanted)),
                ("nodes", .string(replicaNodes.joined(separator: ","))),
            ]))
    }

    /// `volume show`'s record: the row, the node it is attached to, each replica, the
    /// conditions and the pods using it.
    var details: Value {
        guard case .record(var record) = row else { return row }
        record["node"] = .string(node)
        record["replica_list"] = .list(
            replicas.map {
                .record(
                    Record([
                        ("name", .string($0.name)), ("node", .string($0.node)), ("state", .string($0.state)),
                        ("failed_at", .string($0.failedAt)),
                    ]))
            })
        record["conditions"] = .list(
            (object.at("status", "conditions")?.elements ?? []).map { condition in
                .record(
                    Record([
                        ("type", .string(condition.string("type") ?? "")),
                        ("status", .string(condition.string("status") ?? "")),
                        ("reason", .string(condition.string("reason") ?? "")),
                        ("message", .string(condition.string("message") ?? "")),
                    ]))
            })
        record["workloads"] = .list(
            (object.at("status", "kubernetesStatus", "workloadsStatus")?.elements ?? []).map { workload in
                .record(
                    Record([
                        ("pod", .string(workload.string("podName") ?? "")),
                        ("status", .string(workload.string("podStatus") ?? "")),
                        ("workload", .string(workload.string("workloadName") ?? "")),
                        ("kind", .string(workload.string("workloadType") ?? "")),
                    ]))
            })
        return .record(record)
    }

    static func int(_ value: Document?) -> Int? {
        switch value {
        case .int(let n)?: n
        case .string(let s)?: Int(s)
        case .double(let d)?: Int(exactly: d.rounded(.towardZero))
        default: nil
        }
    }
}
