import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The object an Event is about (`involvedObject`, a core/v1 ObjectReference).
struct KubeObjectReference: Sendable {
    var kind: String
    var namespace: String?
    var name: String
    var uid: String
    var apiVersion: String?
    var resourceVersion: String?
    /// `spec.containers{web}` for an event about one container.
    var fieldPath: String?

    /// The kubelet's own node reference (`kl.nodeRef`): kind Node, and the node's *name* as uid.
    static func kubeletNode(_ name: String) -> KubeObjectReference {
        KubeObjectReference(kind: "Node", name: name, uid: name)
    }

    /// A reference to a stored object, as `reference.GetReference` makes it.
    static func to(_ object: Document, kind: String, fieldPath: String? = nil) -> KubeObjectReference {
        KubeObjectReference(
            kind: kind, namespace: object.text("metadata", "namespace"), name: object.text("metadata", "name") ?? "",
            uid: object.text("metadata", "uid") ?? "", apiVersion: object.text("apiVersion") ?? "v1",
            resourceVersion: object.text("metadata", "resourceVersion"), fieldPath: fieldPath)
    }

    var document: Document {
        var pairs: [(key: String, value: Document)] = [("kind", .string(kind))]
        if let namespace { pairs.append(("namespace", .string(namespace))) }
        pairs.append(("name", .string(name)))
        pairs.append(("uid", .string(uid)))
        if let apiVersion { pairs.append(("apiVersion", .string(apiVersion))) }
        if let resourceVersion { pairs.append(("resourceVersion", .string(resourceVersion))) }
        if let fieldPath { pairs.append(("fieldPath", .string(fieldPath))) }
        return .object(pairs)
    }
}

/// Who records an Event (`source`): the kubelet of a node, or a controller.
struct KubeEventSource: Sendable {
    var component: String
    var host: String?

    static func kubelet(_ node: String) -> KubeEventSource { KubeEventSource(component: "kubelet", host: node) }
    static let nodeController = KubeEventSource(component: "node-controller")
}

/// Events as the cluster's components record them through client-go's legacy recorder
/// (`tools/record`): a core/v1 Event named `<object>.<hex nanoseconds>` in the object's
/// namespace (`default` for cluster-scoped objects), `source` and `reportingComponent` /
/// `reportingInstance` from the recorder, and the correlator's aggregation — the same event
/// again (same object, type, reason, message and source) raises `count` and `lastTimestamp`
/// of the one already stored instead of adding another. The correlator lives in the component's
/// process: a kubelet that starts again records new Event objects (`aggregate: false`).
extension KubeStoreState {
    mutating func recordEvent(
        about object: KubeObjectReference, type: String = "Normal", reason: String, message: String,
        source: KubeEventSource, aggregate: Bool = true
    ) {
        let namespace = object.namespace ?? "default"
        let now = KubeTime.rfc3339(KubeTime.now())
        let involved = object.document
        let stored = aggregate ? list(Self.events, namespace: namespace).map(\.object) : []
        let same = stored.first { (event: Document) -> Bool in
            guard event["involvedObject"] == involved, event.text("reason") == reason else { return false }
            guard event.text("message") == message, event.text("type") == type else { return false }
            return event.text("source", "component") == source.component && event.text("source", "host") == source.host
        }
        if let same {
            var bumped = same
            var count = 1
            if case .int(let n)? = same["count"] { count = n }
            bumped.set("count", .int(count + 1))
            bumped.set("lastTimestamp", .string(now))
            put(Self.events, bumped, event: "MODIFIED", old: same)
            return
        }
        var nanos = Int(Date().timeIntervalSince1970 * 1e9)
        while get(Self.events, namespace: namespace, name: object.name + "." + String(nanos, radix: 16)) != nil {
            nanos += 1
        }
        var sourcePairs: [(key: String, value: Document)] = [("component", .string(source.component))]
        if let host = source.host { sourcePairs.append(("host", .string(host))) }
        let event = Document.object([
            ("kind", .string("Event")), ("apiVersion", .string("v1")),
            (
                "metadata",
                .object([
                    ("name", .string(object.name + "." + String(nanos, radix: 16))), ("namespace", .string(namespace)),
                ])
            ),
            ("involvedObject", involved), ("reason", .string(reason)), ("message", .string(message)),
            ("source", .object(sourcePairs)), ("firstTimestamp", .string(now)), ("lastTimestamp", .string(now)),
            ("count", .int(1)), ("type", .string(type)), ("eventTime", .null),
            ("reportingComponent", .string(source.component)), ("reportingInstance", .string(source.host ?? "")),
        ])
        _ = try? create(Self.events, event, namespace: namespace, manager: .update(source.component))
    }

    /// The kubelet's node status events (`recordNodeStatusEvent`): `Node X status is now: REASON`.
    mutating func recordNodeStatus(_ node: String, _ reason: String, aggregate: Bool = true) {
        recordEvent(
            about: .kubeletNode(node), reason: reason, message: "Node \(node) status is now: \(reason)",
            source: .kubelet(node), aggregate: aggregate)
    }

    /// What a kubelet records when it starts and registers its node, all new Event objects (a
    /// kubelet that starts again has a new correlator): `Starting`, the initial conditions,
    /// allocatable enforced; the node controller's `RegisteredNode` when the Node is new to it;
    /// `Warning Rebooted` when the Node's boot id was `oldBootID` (not empty) and is another now,
    /// as the kubelet's first status update finds (`MachineInfo` in kubelet_node_status.go);
    /// then Ready (or NotReady).
    mutating func recordKubeletStart(_ node: Document, new: Bool, ready: Bool, oldBootID: String = "") {
        let name = node.text("metadata", "name") ?? ""
        recordEvent(
            about: .kubeletNode(name), reason: "Starting", message: "Starting kubelet.", source: .kubelet(name),
            aggregate: false)
        for reason in ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"] {
            recordNodeStatus(name, reason, aggregate: false)
        }
        recordEvent(
            about: .kubeletNode(name), reason: "NodeAllocatableEnforced",
            message: "Updated Node Allocatable limit across pods", source: .kubelet(name), aggregate: false)
        if new {
            recordEvent(
                about: KubeObjectReference(
                    kind: "Node", name: name, uid: node.text("metadata", "uid") ?? "", apiVersion: "v1"),
                reason: "RegisteredNode", message: "Node \(name) event: Registered Node \(name) in Controller",
                source: .nodeController)
        }
        let bootID = node.text("status", "nodeInfo", "bootID") ?? ""
        if !oldBootID.isEmpty, oldBootID != bootID {
            recordEvent(
                about: .kubeletNode(name), type: "Warning", reason: "Rebooted",
                message: "Node \(name) has been rebooted, boot id: \(bootID)", source: .kubelet(name), aggregate: false)
        }
        recordNodeStatus(name, ready ? "NodeReady" : "NodeNotReady", aggregate: false)
    }

    /// The node controller noticing a kubelet that stopped posting status (`NodeNotReady`).
    mutating func recordNodeLost(_ node: Document) {
        let name = node.text("metadata", "name") ?? ""
        recordEvent(
            about: KubeObjectReference(
                kind: "Node", name: name, uid: node.text("metadata", "uid") ?? "", apiVersion: "v1"),
            reason: "NodeNotReady", message: "Node \(name) status is now: NodeNotReady", source: .nodeController)
    }

    /// Events that follow from a write, as the components watching the object would record
    /// them: a cordon or uncordon seen by the node's running kubelet (`NodeNotSchedulable`,
    /// `NodeSchedulable`).
    mutating func recordEvents(after type: KubeResourceType, old: Document, new: Document) {
        guard type.group.isEmpty, type.plural == "nodes", Self.kubeletRuns(on: new) else { return }
        let was = old.at(["spec", "unschedulable"]) == .bool(true)
        let now = new.at(["spec", "unschedulable"]) == .bool(true)
        guard was != now, let name = new.text("metadata", "name") else { return }
        recordNodeStatus(name, now ? "NodeNotSchedulable" : "NodeSchedulable")
    }

    /// The kubelet's `Killing` of each running container of a pod being deleted.
    mutating func recordPodKilled(_ pod: Document) {
        guard let node = pod.text("spec", "nodeName"), pod.text("status", "phase") == "Running" else { return }
        for container in pod.at(["spec", "containers"])?.items ?? [] {
            guard let name = container.text("name") else { continue }
            recordEvent(
                about: .to(pod, kind: "Pod", fieldPath: "spec.containers{\(name)}"), reason: "Killing",
                message: "Stopping container \(name)", source: .kubelet(node))
        }
    }
}
