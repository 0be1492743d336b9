import HLSCore

/// The default scheduler's filters, as far as the simulated lab goes (kube-scheduler's
/// NodeUnschedulable, TaintToleration and NodeAffinity plugins, in that order): why a pod
/// cannot go to a node, in the scheduler's words, or nil when it can.
enum KubeScheduling {
    /// Why `pod` (a Pod, or a pod template) cannot run on `node`; nil when it can. A node that
    /// is not Ready counts as tainted `node.kubernetes.io/not-ready` (or `unreachable` when its
    /// status is Unknown) NoSchedule, as the node lifecycle controller taints it;
    /// `ignoringReadiness` leaves that out and the cordon too (what the DaemonSet controller asks).
    static func reason(_ pod: Document, on node: Document, ignoringReadiness: Bool = false) -> String? {
        let tolerations = pod.at(["spec", "tolerations"])?.items ?? []
        if !ignoringReadiness, node.at(["spec", "unschedulable"]) == .bool(true),
            !tolerates(tolerations, key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule")
        {
            return "node(s) were unschedulable"
        }
        var taints = (node.at(["spec", "taints"])?.items ?? []).map {
            (key: $0.text("key") ?? "", value: $0.text("value") ?? "", effect: $0.text("effect") ?? "")
        }
        if !ignoringReadiness, !KubeStoreState.kubeletRuns(on: node) {
            let ready = (node.at(["status", "conditions"])?.items ?? []).first { $0.text("type") == "Ready" }
            let key =
                ready?.text("status") == "False" ? "node.kubernetes.io/not-ready" : "node.kubernetes.io/unreachable"
            taints.insert((key: key, value: "", effect: "NoSchedule"), at: 0)
        }
        for taint in taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !tolerates(tolerations, key: taint.key, value: taint.value, effect: taint.effect) {
                return "node(s) had untolerated taint {\(taint.key): \(taint.value)}"
            }
        }
        if !matchesAffinity(pod, node) { return "node(s) didn't match Pod's node affinity/selector" }
        return nil
    }

    /// `v1.Toleration.ToleratesTaint`.
    static func tolerates(_ tolerations: [Document], key: String, value: String, effect: String) -> Bool {
        tolerations.contains { toleration in
            if let e = toleration.text("effect"), !e.isEmpty, e != effect { return false }
            let tKey = toleration.text("key") ?? ""
            if !tKey.isEmpty, tKey != key { return false }
            switch toleration.text("operator") ?? "Equal" {
            case "Exists": return true
            case "Equal", "": return !tKey.isEmpty && (toleration.text("value") ?? "") == value
            default: return false
            }
        }
    }

    /// The pod's `nodeSelector` and required node affinity (label expressions and
    /// `metadata.name` fields) against the node.
    static func matchesAffinity(_ pod: Document, _ node: Document) -> Bool {
        let labels = (node.at(["metadata", "labels"]) ?? .object([])).stringMap
        let selector = (pod.at(["spec", "nodeSelector"]) ?? .object([])).stringMap
        guard selector.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        let terms =
            pod.at([
                "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
            ])?.items ?? []
        guard !terms.isEmpty else { return true }
        let fields = ["metadata.name": node.text("metadata", "name") ?? ""]
        return terms.contains { term in
            let expressions =
                (term.at(["matchExpressions"])?.items ?? []).map { ($0, labels) }
                + (term.at(["matchFields"])?.items ?? []).map { ($0, fields) }
            return !expressions.isEmpty && expressions.allSatisfy { matches($0.0, $0.1) }
        }
    }

    private static func matches(_ requirement: Document, _ values: [String: String]) -> Bool {
        let key = requirement.text("key") ?? ""
        let wanted = (requirement.at(["values"])?.items ?? []).compactMap(\.scalarText)
        let value = values[key]
        switch requirement.text("operator") ?? "" {
        case "In": return value.map(wanted.contains) ?? false
        case "NotIn": return !(value.map(wanted.contains) ?? false)
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt": return (value.flatMap { Int($0) } ?? .min) > (wanted.first.flatMap { Int($0) } ?? .max)
        case "Lt": return (value.flatMap { Int($0) } ?? .max) < (wanted.first.flatMap { Int($0) } ?? .min)
        default: return false
        }
    }

    /// The FailedScheduling message of a pod no node fits (`framework.FitError`): a PreFilter's
    /// rejection, or each filter's reason with its node count, sorted; then what preemption found
    /// (nothing it could help with: the filters above are all unresolvable).
    static func failure(_ reasons: [String], nodes: Int, preFilter: String? = nil) -> String {
        guard nodes > 0 else { return "no nodes available to schedule pods" }
        let histogram = Dictionary(grouping: reasons) { $0 }.map { "\($0.value.count) \($0.key)" }.sorted()
        return "0/\(nodes) nodes are available: " + (preFilter ?? histogram.joined(separator: ", "))
            + ". preemption: 0/\(nodes) "
            + "nodes are available: \(nodes) Preemption is not helpful for scheduling."
    }
}
