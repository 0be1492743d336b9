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
                ("external-ip", .string(externalIP(of: object))), ("ports", .string(ports(of: object))),
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

    /// A Service's external addresses as the API server prints them (`getServiceExternalIP`):
    /// a LoadBalancer's ingress (sorted, each once) then `spec.externalIPs`, `<pending>` while it
    /// has neither; `spec.externalIPs` or `<none>` for ClusterIP and NodePort; `spec.externalName`
    /// for ExternalName.
    static func externalIP(of service: Document) -> String {
        var external: [String] = []
        if case .array(let ips)? = service["spec"]?["externalIPs"] {
            external = ips.compactMap { if case .string(let ip) = $0 { ip } else { nil } }
        }
        let type: String
        if case .string(let given)? = service["spec"]?["type"] { type = given } else { type = "ClusterIP" }
        switch type {
        case "ClusterIP", "NodePort": return external.isEmpty ? "<none>" : external.joined(separator: ",")
        case "ExternalName":
            if case .string(let name)? = service["spec"]?["externalName"] { return name }
            return ""
        case "LoadBalancer":
            var ingress: [String] = []
            if case .array(let entries)? = service["status"]?["loadBalancer"]?["ingress"] {
                ingress = entries.compactMap { entry in
                    if case .string(let ip)? = entry["ip"] ?? entry["hostname"] { ip } else { nil }
                }
            }
            let all = Array(Set(ingress)).sorted() + external
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        default: return "<unknown>"
        }
    }

    /// A Service's ports as the API server prints them (`makePortString`): `80/TCP`, or
    /// `80:30080/TCP` with a node port; `<none>` without ports.
    static func ports(of service: Document) -> String {
        guard case .array(let ports)? = service["spec"]?["ports"], !ports.isEmpty else { return "<none>" }
        return ports.map { port in
            var text = port["port"].flatMap(int).map(String.init) ?? ""
            if let node = port["nodePort"].flatMap(int), node > 0 { text += ":\(node)" }
            if case .string(let proto)? = port["protocol"] { return text + "/" + proto }
            return text + "/TCP"
        }.joined(separator: ",")
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
