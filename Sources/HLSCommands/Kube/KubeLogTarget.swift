import HLSCore
import Kube

/// What `kube logs` reads: a pod by name, or `KIND/NAME` (`deploy/web`, `svc/web`, `pod/web`) as
/// kubectl takes it: one pod of the workload's (or Service's) selector, chosen as kubectl's
/// `podutils.ByLogging` orders them: on a node first, then Running before Unknown before Pending,
/// ready before not, more restarts before fewer, older before newer.
enum KubeLogTarget {
    /// The pod `word` names in `namespace`, and, when it was picked among several, a note saying
    /// so ("found 2 pods, using pod/web-6d4f…", kubectl's line).
    static func pod(_ word: String, namespace: String, client: KubeClient, cancellation: Cancellation)
        throws(HLSError) -> (name: String, note: String?)
    {
        guard let slash = word.firstIndex(of: "/") else { return (word, nil) }
        let kindWord = String(word[..<slash])
        let name = String(word[word.index(after: slash)...])
        let resource = try client.resolve(kindWord, cancellation: cancellation)
        if resource.name == "pods" && resource.group.isEmpty { return (name, nil) }
        let object = try client.get(resource, name, namespace: namespace, cancellation: cancellation)
        let subject = "\(resource.name)\(resource.group.isEmpty ? "" : ".\(resource.group)")/\(name)"
        guard let selector = selector(of: object, kind: resource.kind) else {
            throw HLSError(
                .usage, "\(subject) has no pod selector: kube logs reads a pod, a workload or a Service",
                hint: "kube get pods -n \(namespace) lists the pods")
        }
        let pods = try client.list(
            .pods, namespace: namespace, options: KubeListOptions(labelSelector: selector), cancellation: cancellation
        ).items
        guard let first = pods.sorted(by: byLogging).first, let pod = first.string("metadata", "name") else {
            throw HLSError(
                .failed, "no pod of \(subject) in namespace \(namespace) (selector \(selector))",
                hint: "kube get \(resource.name) \(name) -n \(namespace) -o yaml shows why none runs")
        }
        return (pod, pods.count > 1 ? "found \(pods.count) pods, using pod/\(pod)" : nil)
    }

    /// A label selector in the API's query syntax: a Service's `spec.selector`, a workload's
    /// `spec.selector` (`matchLabels`, then `matchExpressions`); nil when there is none.
    static func selector(of object: Document, kind: String) -> String? {
        if kind == "Service" {
            guard case .object(let labels)? = object.at("spec", "selector"), !labels.isEmpty else { return nil }
            return labels.compactMap { key, value in value.string().map { "\(key)=\($0)" } }.joined(separator: ",")
        }
        var terms: [String] = []
        if case .object(let labels)? = object.at("spec", "selector", "matchLabels") {
            terms += labels.compactMap { key, value in value.string().map { "\(key)=\($0)" } }
        }
        if case .array(let expressions)? = object.at("spec", "selector", "matchExpressions") {
            for expression in expressions {
                guard let key = expression.string("key"), let op = expression.string("operator") else { continue }
                let values: [String] =
                    if case .array(let list)? = expression["values"] { list.compactMap { $0.string() } } else { [] }
                switch op {
                case "In": terms.append("\(key) in (\(values.joined(separator: ",")))")
                case "NotIn": terms.append("\(key) notin (\(values.joined(separator: ",")))")
                case "Exists": terms.append(key)
                case "DoesNotExist": terms.append("!\(key)")
                default: continue
                }
            }
        }
        return terms.isEmpty ? nil : terms.joined(separator: ",")
    }

    /// kubectl's `ByLogging` order: whether `a` comes before `b`.
    static func byLogging(_ a: Document, _ b: Document) -> Bool {
        func key(_ pod: Document) -> (Int, Int, Int, Int) {
            let assigned = pod.string("spec", "nodeName").map { $0.isEmpty ? 1 : 0 } ?? 1
            let phase = ["Running": 0, "Unknown": 1, "Pending": 2][pod.string("status", "phase") ?? ""] ?? 3
            let ready = KubeCondition("Ready", of: pod)?.status == "True" ? 0 : 1
            var restarts = 0
            if case .array(let statuses)? = pod.at("status", "containerStatuses") {
                for status in statuses { if case .int(let n)? = status["restartCount"] { restarts += n } }
            }
            return (assigned, phase, ready, -restarts)
        }
        let (ka, kb) = (key(a), key(b))
        if ka != kb { return ka < kb }
        // Older first; a pod without a creation time last.
        let ta = a.string("metadata", "creationTimestamp") ?? "~"
        let tb = b.string("metadata", "creationTimestamp") ?? "~"
        return ta < tb
    }
}
