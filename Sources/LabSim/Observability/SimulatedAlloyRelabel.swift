import HLSCore

/// The `rule` blocks of an Alloy configuration's `discovery.relabel` components, as far as the
/// default action (`replace`) goes: `source_labels` joined by `;`, written to `target_label`. The
/// sources are the discovery's pod meta labels (`__meta_kubernetes_namespace`,
/// `…_pod_name`, `…_pod_container_name`, `…_pod_node_name`, `…_pod_label_NAME`); a rule with
/// another action, or a source the simulator does not know, sets nothing. Labels starting `__`
/// are dropped, as Loki never sees them.
struct SimulatedAlloyRelabel: Sendable {
    struct Rule: Sendable, Equatable {
        var sources: [String]
        var target: String
    }

    var rules: [Rule]

    init(_ config: String) {
        var rules: [Rule] = []
        var rest = Substring(config)
        while let start = rest.firstRange(of: "rule {") {
            let body = rest[start.upperBound...].prefix { $0 != "}" }
            rest = rest[body.endIndex...]
            var sources: [String] = []
            var target: String?
            var replace = true
            for line in body.split(separator: "\n") {
                let words = line.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                guard words.count == 2 else { continue }
                let value = words[1]
                switch words[0] {
                case "source_labels":
                    sources = value.split(separator: ",").map { Self.unquoted($0, also: "[]") }.filter { !$0.isEmpty }
                case "target_label": target = Self.unquoted(Substring(value))
                case "action": replace = Self.unquoted(Substring(value)) == "replace"
                default: continue
                }
            }
            if replace, let target, !sources.isEmpty { rules.append(Rule(sources: sources, target: target)) }
        }
        self.rules = rules
    }

    /// `text` without spaces, quotes and the characters of `also` around it.
    private static func unquoted(_ text: Substring, also: String = "") -> String {
        let strip = Set(" \t\"" + also)
        return String(text.drop { strip.contains($0) }.reversed().drop { strip.contains($0) }.reversed())
    }

    /// The labels of a container's stream.
    func labels(pod: Document, container: String) -> [String: String] {
        var labels: [String: String] = [:]
        for rule in rules where !rule.target.hasPrefix("__") {
            let values = rule.sources.map { Self.meta($0, pod: pod, container: container) }
            guard values.allSatisfy({ $0 != nil }) else { continue }
            let value = values.compactMap { $0 }.joined(separator: ";")
            if !value.isEmpty { labels[rule.target] = value }
        }
        return labels
    }

    private static func meta(_ name: String, pod: Document, container: String) -> String? {
        switch name {
        case "__meta_kubernetes_namespace": return pod.text("metadata", "namespace")
        case "__meta_kubernetes_pod_name": return pod.text("metadata", "name")
        case "__meta_kubernetes_pod_container_name": return container
        case "__meta_kubernetes_pod_node_name": return pod.text("spec", "nodeName")
        default:
            let prefix = "__meta_kubernetes_pod_label_"
            guard name.hasPrefix(prefix) else { return nil }
            let wanted = String(name.dropFirst(prefix.count))
            let labels = (pod.at(["metadata", "labels"]) ?? .object([])).stringMap
            return labels.first { Self.sanitized($0.key) == wanted }?.value ?? ""
        }
    }

    /// A Kubernetes label name as a Prometheus label name (every character not `[a-zA-Z0-9_]` an `_`).
    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
