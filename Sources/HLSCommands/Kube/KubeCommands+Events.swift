import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension KubeCommands {
    static let events = CommandSpec(
        ["kube", "events"], summary: "The cluster's events (core/v1 Event), oldest first, as kubectl events lists them",
        discussion: """
            What the kubelets and controllers recorded: a node starting and turning Ready, a cordon, a \
            container created, started or stopped. One row per event, sorted by when it was last seen \
            (a repeated event is one row whose count rises); --for KIND/NAME keeps the events about one \
            object (a field selector on involvedObject.kind and involvedObject.name, so the server \
            filters). Events about nodes and other cluster-wide objects are in the default namespace. \
            -o json|yaml gives the Event objects unchanged.
            """,
        flags: [
            namespaceFlag, Flag("all-namespaces", short: "A", "every namespace"),
            Flag("for", .string, "only the events about this object: KIND/NAME (node/k3s-wk-01, pod/web)"),
            contextFlag,
        ],
        columns: ["namespace", "last-seen", "type", "reason", "object", "message"],
        examples: [
            Example("kube events --for node/k3s-wk-01", "what the worker's kubelet reported", needsLab: true),
            Example(
                #"kube events -A | where type == "Warning""#, "the warnings of every namespace", needsLab: true),
        ],
        implementation: .query(listEvents))

    static func listEvents(_ inv: Invocation) throws -> Value {
        let client = try client(inv)
        let cancellation = inv.context.cancellation
        let everywhere = inv.flag("all-namespaces")
        var selector: String?
        var namespace = everywhere ? nil : namespace(inv, client)
        if let target = inv.string("for") {
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw inv.usage("--for takes KIND/NAME (node/k3s-wk-01, pod/web), not \(target)")
            }
            let resource = try client.resolve(parts[0], cancellation: cancellation)
            selector = "involvedObject.kind=\(resource.kind),involvedObject.name=\(parts[1])"
            // A cluster-wide object's events are recorded in the default namespace.
            if !resource.namespaced && !everywhere && inv.string("namespace") == nil { namespace = "default" }
        }
        let list = try client.list(
            .events, namespace: namespace, options: KubeListOptions(fieldSelector: selector),
            cancellation: cancellation)
        let sorted = list.items.enumerated().sorted {
            (lastSeen($0.element) ?? 0, $0.offset) < (lastSeen($1.element) ?? 0, $1.offset)
        }.map(\.element)
        if inv.string("output").map({ $0 != "table" }) ?? false { return .list(sorted.map(Value.init)) }
        let now = Date().timeIntervalSince1970
        return .list(sorted.map { eventRow($0, namespaceColumn: everywhere, now: now) })
    }

    /// When an event was last seen (kubectl events' order): its series' last observation, else
    /// `lastTimestamp`, else `eventTime`; seconds since the epoch.
    static func lastSeen(_ event: Document) -> Double? {
        for path in [["series", "lastObservedTime"], ["lastTimestamp"], ["eventTime"], ["firstTimestamp"]] {
            var value: Document? = event
            for key in path { value = value?[key] }
            if case .string(let text)? = value, let seconds = RFC3339.seconds(text) { return seconds }
        }
        return nil
    }

    /// One event's row: LAST SEEN (an age), TYPE, REASON, OBJECT (`Node/k3s-wk-01`), MESSAGE.
    static func eventRow(_ event: Document, namespaceColumn: Bool, now: Double) -> Value {
        func text(_ value: Document?) -> Value {
            if case .string(let s)? = value { return .string(s) }
            return .null
        }
        var record = Record()
        if namespaceColumn { record["namespace"] = text(event["metadata"]?["namespace"]) }
        record["last-seen"] = lastSeen(event).map { .duration(.seconds(Int64(max(0, now - $0)))) } ?? .null
        record["type"] = text(event["type"])
        record["reason"] = text(event["reason"])
        let involved = event["involvedObject"]
        if case .string(let kind)? = involved?["kind"], case .string(let name)? = involved?["name"] {
            record["object"] = .string("\(kind)/\(name)")
        } else {
            record["object"] = .null
        }
        record["message"] = text(event["message"])
        return .record(record)
    }
}
