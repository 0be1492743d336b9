import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The rows `kube get` shows by default, made here from the objects rather than asked of the
/// server as a `Table`: the same objects then serve `-o json|yaml` unchanged, and the rows are
/// typed values (an age is a duration) that pipe into `where` and `sort`. NAME, NAMESPACE (for
/// namespaced types), the columns kubectl shows for the common kinds, and AGE.
enum KubeTable {
    /// One object's row; `namespaceColumn` for a list across namespaces.
    static func row(
        _ object: Document, resource: KubeResource, namespaceColumn: Bool = false,
        now: Double = Date().timeIntervalSince1970
    ) -> Value {
        let metadata = object["metadata"]
        var record = Record()
        if namespaceColumn && resource.namespaced { record["namespace"] = string(metadata?["namespace"]) }
        record["name"] = string(metadata?["name"])
        for (key, value) in columns(of: object, kind: resource.kind) { record[key] = value }
        if case .string(let created)? = metadata?["creationTimestamp"], let seconds = RFC3339.seconds(created) {
            record["age"] = .duration(.seconds(Int64(max(0, now - seconds))))
        } else {
            record["age"] = .null
        }
        return .record(record)
    }

    /// The kind-specific columns, as kubectl's printers choose them.
    static func columns(of object: Document, kind: String) -> [(String, Value)] {
        let status = object["status"]
        switch kind {
        case "Node":
            var state = conditionStatus(object, "Ready") == "True" ? "Ready" : "NotReady"
            if object["spec"]?["unschedulable"] == .bool(true) { state += ",SchedulingDisabled" }
            return [
                ("status", .string(state)), ("roles", .string(roles(of: object))),
                ("version", string(status?["nodeInfo"]?["kubeletVersion"])),
            ]
        case "Pod":
            var ready = 0
            var total = 0
            var restarts = 0
            if case .array(let containers)? = status?["containerStatuses"] {
                total = containers.count
                for container in containers {
                    if container["ready"] == .bool(true) { ready += 1 }
                    if case .int(let count)? = container["restartCount"] { restarts += count }
                }
            } else if case .array(let containers)? = object["spec"]?["containers"] {
                total = containers.count
            }
            return [
                ("ready", .string("\(ready)/\(total)")), ("status", string(status?["phase"])),
                ("restarts", .int(restarts)), ("node", string(object["spec"]?["nodeName"])),
            ]
        case "Namespace":
            return [("status", string(status?["phase"]))]
        case "ConfigMap":
            return [("data", .int(count(object["data"]) + count(object["binaryData"])))]
        case "Secret":
            return [("type", string(object["type"])), ("data", .int(count(object["data"])))]
        case "Service":
            return [
                ("type", string(object["spec"]?["type"])), ("cluster-ip", string(object["spec"]?["clusterIP"])),
                ("external-ip", .string(externalIP(of: object))),
            ]
        case "Deployment", "StatefulSet", "ReplicaSet":
            let ready = status?["readyReplicas"].flatMap(int) ?? 0
            let wanted = object["spec"]?["replicas"].flatMap(int) ?? 1
            return [("ready", .string("\(ready)/\(wanted)"))]
        default:
            return []
        }
    }

    /// `status` of the object's condition `type` (`True`, `False`, `Unknown`), nil when absent.
    static func conditionStatus(_ object: Document, _ type: String) -> String? {
        KubeCondition(type, of: object)?.status
    }

    /// A Service's external addresses as kubectl shows them: its load balancer's ingress (and
    /// `spec.externalIPs`), `<pending>` for a LoadBalancer that has none yet, else `<none>`.
    static func externalIP(of service: Document) -> String {
        var addresses: [String] = []
        if case .array(let ips)? = service["spec"]?["externalIPs"] {
            addresses += ips.compactMap { if case .string(let ip) = $0 { ip } else { nil } }
        }
        if case .array(let ingress)? = service["status"]?["loadBalancer"]?["ingress"] {
            addresses += ingress.compactMap { entry in
                if case .string(let ip)? = entry["ip"] ?? entry["hostname"] { ip } else { nil }
            }
        }
        if !addresses.isEmpty { return addresses.joined(separator: ",") }
        return service["spec"]?["type"] == .string("LoadBalancer") ? "<pending>" : "<none>"
    }

    /// `control-plane,master` from the `node-role.kubernetes.io/…` labels, `<none>` without.
    static func roles(of node: Document) -> String {
        guard case .object(let labels)? = node["metadata"]?["labels"] else { return "<none>" }
        let prefix = "node-role.kubernetes.io/"
        let roles = labels.map(\.key).filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    private static func string(_ document: Document?) -> Value {
        if case .string(let text)? = document { return .string(text) }
        return .null
    }

    private static func int(_ document: Document) -> Int? {
        if case .int(let value) = document { return value }
        return nil
    }

    private static func count(_ document: Document?) -> Int {
        if case .object(let pairs)? = document { return pairs.count }
        return 0
    }
}
