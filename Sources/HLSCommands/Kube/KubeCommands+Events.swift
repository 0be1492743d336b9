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
            filters; unlike kubectl events --for, not on involvedObject.apiVersion, which the kubelet's \
            node events do not carry). Events about nodes and other cluster-wide objects are in the default namespace. \
            -o json|yaml gives the Event objects unchanged. -w prints the list, then each event as the \
            server records it (a watch, re-opened when it drops), until Ctrl-C.
            """,
        flags: [
            namespaceFlag, Flag("all-namespaces", short: "A", "every namespace"),
            Flag("for", .string, "only the events about this object: KIND/NAME (node/k3s-wk-01, pod/web)"),
            Flag("watch", short: "w", "go on printing events as they are recorded, until Ctrl-C"), contextFlag,
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
        let options = KubeListOptions(fieldSelector: selector)
        if inv.flag("watch") {
            try watchEvents(inv, client: client, namespace: namespace, options: options)
            return .null
        }
        let list = try client.list(.events, namespace: namespace, options: options, cancellation: cancellation)
        let sorted = list.items.enumerated().sorted {
            (lastSeen($0.element) ?? 0, $0.offset) < (lastSeen($1.element) ?? 0, $1.offset)
        }.map(\.element)
        if inv.string("output").map({ $0 != "table" }) ?? false { return .list(sorted.map(Value.init)) }
        let now = Date().timeIntervalSince1970
        return .list(sorted.map { eventRow($0, namespaceColumn: everywhere, now: now) })
    }

    /// `-w`: the list as a table (or objects), then one line per event recorded or counted
    /// again, until Ctrl-C.
    static func watchEvents(
        _ inv: Invocation, client: KubeClient, namespace: String?, options: KubeListOptions
    ) throws {
        let printer = KubeEventPrinter(inv)
        let receive: (KubeWatchEvent) throws(HLSError) -> KubeWatchDecision = { change in
            switch change {
            case .listed(let items, _): printer.listed(items)
            case .added(let object), .modified(let object): printer.show([object])
            default: break
            }
            return .continue
        }
        do {
            _ = try client.watch(
                .events, namespace: namespace, options: options, cancellation: inv.context.cancellation, receive)
        } catch {
            // Ctrl-C is how a watch is meant to end.
            guard error.kind == .interrupted, inv.context.cancellation.isCancelled else { throw error }
        }
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

/// Prints `kube events -w`'s events as they come: a table whose header is printed once (or each
/// object in the format asked for). Used on the thread running the watch.
final class KubeEventPrinter {
    private let inv: Invocation
    private let format: Render.Format
    private var headed = false

    init(_ inv: Invocation) {
        self.inv = inv
        format = inv.outputFormat
    }

    /// The first list, oldest first; a later one (after the watch was re-opened) is not
    /// printed again.
    func listed(_ events: [Document]) {
        guard !headed else { return }
        show(events.sorted { (KubeCommands.lastSeen($0) ?? 0) < (KubeCommands.lastSeen($1) ?? 0) })
        headed = true
    }

    func show(_ events: [Document]) {
        guard !events.isEmpty else { return }
        let terminal = inv.context.stdoutTerminal
        guard format == .table else {
            for event in events { inv.context.out(Render.value(Value(event), format: format, terminal: terminal)) }
            return
        }
        let now = Date().timeIntervalSince1970
        let rows = events.compactMap { event -> Record? in
            let row = KubeCommands.eventRow(event, namespaceColumn: inv.flag("all-namespaces"), now: now)
            if case .record(let record) = row { return record }
            return nil
        }
        var lines = Render.table(rows, terminal: terminal).split(separator: "\n").map(String.init)
        if headed { lines.removeFirst() }
        headed = true
        inv.context.out(lines.map { $0 + "\n" }.joined())
    }
}
