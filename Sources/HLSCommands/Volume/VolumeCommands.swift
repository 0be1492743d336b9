import HLSCore
import HLSLanguage
import Kube

/// The `volume` object: Longhorn volumes with their claims and replicas, read from the
/// `longhorn.io` objects of the kubeconfig's cluster (what the Longhorn UI shows).
enum VolumeCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("volume", summary: "Longhorn volumes")
        for spec in [list, show, wait] { registry.register(spec) }
        registry.registerProvider(names)
    }

    static let nameParameter = Parameter(
        "name", .name("longhorn-volume"), "a PersistentVolumeClaim (in -n) or a Longhorn volume (pvc-…)")

    // MARK: list

    static let list = CommandSpec(
        ["volume", "list"], summary: "Longhorn volumes: claim, state, robustness, size, replicas and their nodes",
        discussion: """
            One row per Longhorn volume whose claim is in the namespace (-n, else the context's; every \
            namespace with -A; volumes no claim has show with -A only): the PersistentVolumeClaim, the Longhorn \
            volume (pvc-…), state (attached, detached, attaching), robustness (healthy, degraded, faulted; \
            unknown while detached), size, actual size, the replica count asked for and the nodes the \
            replicas sit on. Warns when a volume's replica count, the longhorn StorageClass's or the \
            default-replica-count setting's exceeds the schedulable Longhorn nodes (Longhorn's default of 3 on a \
            two-node lab): such a volume stays degraded.
            """,
        flags: [
            KubeCommands.namespaceFlag, Flag("all-namespaces", short: "A", "every namespace"), KubeCommands.contextFlag,
        ],
        columns: ["namespace", "pvc", "volume", "state", "robustness", "size", "actual_size", "replicas", "nodes"],
        examples: [
            Example("volume list -A", "every Longhorn volume of the cluster", needsLab: true),
            Example(#"volume list -A | where robustness != "healthy""#, "volumes that are not healthy", needsLab: true),
        ],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let volumes = try selected(inv, client: client)
            try warn(inv, volumes, client: client)
            return .list(volumes.map(\.row))
        })

    // MARK: show

    static let show = CommandSpec(
        ["volume", "show"], summary: "One Longhorn volume: its replicas, conditions and the pods using it",
        discussion: """
            NAME is a PersistentVolumeClaim of the namespace (-n, else the context's) or a Longhorn volume's \
            name (pvc-…). The record holds the list row's fields, the node the volume is attached to, each \
            replica (name, node, state, failed_at: when Longhorn marked it failed, as when its disk is \
            gone; empty while it is not), the volume's conditions (Scheduled=False with \
            ReplicaSchedulingFailure when a replica has no node) and the pods using it with their workloads.
            """,
        positionals: [nameParameter],
        flags: [KubeCommands.namespaceFlag, KubeCommands.contextFlag],
        examples: [Example("volume show data -n apps", "the volume of the claim data", needsLab: true)],
        implementation: .query { inv in
            let client = try KubeCommands.client(inv)
            let volume = try find(inv.string("name")!, inv, client: client)
            try warn(inv, [volume], client: client)
            return volume.details
        })

    // MARK: wait

    static let wait = CommandSpec(
        ["volume", "wait"], summary: "Wait until a Longhorn volume (or all of them) is healthy, through a watch",
        discussion: """
            --for healthy waits until the volume is attached with robustness healthy; attached and detached \
            wait for that state. A claim that has no volume yet (just applied) is waited for too. With all, every volume attached now or later must be healthy (detached \
            volumes cannot be, and are not waited for). The volumes are followed by a watch, so the wait ends \
            as soon as Longhorn reports the change; progress shows the state seen and the time waited, and \
            the timeout error the last state. Warns first when a replica count exceeds the schedulable nodes: \
            such a volume never turns healthy.
            """,
        positionals: [Parameter("name", .name("longhorn-volume"), "a claim (in -n), a volume (pvc-…), or all")],
        flags: [
            KubeCommands.namespaceFlag,
            Flag("for", .choice(["healthy", "attached", "detached"]), "what to wait for", default: .string("healthy")),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(300))),
            KubeCommands.contextFlag,
        ],
        columns: ["target", "for", "waited"],
        examples: [
            Example("volume wait all --for healthy --timeout 5m", "every attached volume healthy", needsLab: true)
        ],
        implementation: .query(waitFor))

    /// `volume wait`: a NAME whose claim has no volume yet is waited for too (a claim just applied).
    static func waitFor(_ inv: Invocation) throws -> Value {
        let client = try KubeCommands.client(inv)
        let awaited = inv.string(defaulted: "for")
        let text = inv.string("name")!
        let namespace = KubeCommands.namespace(inv, client)
        let all = try loadAll(client: client, cancellation: inv.context.cancellation)
        let named = { (volume: LonghornVolume) in
            volume.name == text || (volume.pvc == text && volume.namespace == namespace)
        }
        try warn(inv, text == "all" ? all.filter { $0.state == "attached" } : all.filter(named), client: client)
        let subject =
            text == "all"
            ? "every attached volume" : text.hasPrefix("pvc-") ? "volume \(text)" : "volume \(namespace)/\(text)"
        let timeout = inv.duration(defaulted: "timeout")
        var poll = Poll(
            "\(subject) (\(awaited))", timeout: timeout, every: .seconds(5), cancellation: inv.context.cancellation,
            at: .source(inv.location), hint: "look at the volume: volume show \(text == "all" ? "NAME" : text)")
        poll.timeoutMessage =
            text == "all"
            ? "\(inv.spec.name): not every attached volume is \(awaited) after \(timeout.text)"
            : "\(inv.spec.name): \(subject) is not \(awaited) after \(timeout.text)"
        let watch = KubeObjectWait(client: client, resource: Longhorn.volumes, name: nil, namespace: Longhorn.namespace)
        let ready = try watch.untilEvery(poll, context: inv.context) { objects -> Poll.Check<Void> in
            let volumes = objects.map { LonghornVolume($0, replicas: []) }
            guard text == "all" else {
                guard let volume = volumes.first(where: named) else { return .pending("no volume yet") }
                return holds(awaited, volume) ? .ready(()) : .pending(state(of: volume))
            }
            let waiting = volumes.filter { $0.state != "detached" && !holds(awaited, $0) }
            guard !waiting.isEmpty else { return .ready(()) }
            return .pending(waiting.map { "\($0.name) \(state(of: $0))" }.joined(separator: ", "))
        }
        return .record(
            Record([("target", .string(subject)), ("for", .string(awaited)), ("waited", .duration(ready.waited))]))
    }

    /// Whether `volume` is what `--for` waits for.
    static func holds(_ awaited: String, _ volume: LonghornVolume) -> Bool {
        switch awaited {
        case "healthy": volume.state == "attached" && volume.robustness == "healthy"
        default: volume.state == awaited
        }
    }

    /// `attached, degraded` as progress and timeout messages show a volume.
    static func state(of volume: LonghornVolume) -> String {
        "\(volume.state.isEmpty ? "creating" : volume.state), \(volume.robustness.isEmpty ? "unknown" : volume.robustness)"
    }

    // MARK: Shared

    /// Every Longhorn volume with its replicas; an error saying Longhorn is not installed when
    /// the cluster serves no volumes.longhorn.io.
    static func loadAll(client: KubeClient, cancellation: Cancellation) throws -> [LonghornVolume] {
        let served = Result { () throws(HLSError) in
            try client.resolve("volumes.longhorn.io", cancellation: cancellation)
        }
        if case .failure(let error) = served {
            // Only "the server doesn't have a resource type" means no Longhorn: an API that does
            // not answer says so in its own words.
            guard error.kind == .usage else { throw error }
            throw HLSError(
                .failed, "Longhorn is not installed: the cluster serves no volumes.longhorn.io",
                hint: "install the longhorn chart (a HelmRelease in longhorn-system), then try again")
        }
        let volumes = try client.list(Longhorn.volumes, namespace: Longhorn.namespace, cancellation: cancellation)
        let replicas = try client.list(Longhorn.replicas, namespace: Longhorn.namespace, cancellation: cancellation)
        return volumes.items.map { LonghornVolume($0, replicas: replicas.items) }
            .sorted { ($0.namespace, $0.pvc, $0.name) < ($1.namespace, $1.pvc, $1.name) }
    }

    /// The volumes of `-n` (the context's namespace), or all with `-A`.
    static func selected(_ inv: Invocation, client: KubeClient) throws -> [LonghornVolume] {
        let all = try loadAll(client: client, cancellation: inv.context.cancellation)
        if inv.flag("all-namespaces") { return all }
        let namespace = KubeCommands.namespace(inv, client)
        return all.filter { $0.namespace == namespace }
    }

    /// The volume named `name`: a Longhorn volume's name, else a claim of `-n` (the context's).
    static func find(_ name: String, _ inv: Invocation, client: KubeClient) throws -> LonghornVolume {
        let all = try loadAll(client: client, cancellation: inv.context.cancellation)
        let namespace = KubeCommands.namespace(inv, client)
        if let volume = all.first(where: { $0.name == name })
            ?? all.first(where: {
                $0.pvc == name && $0.namespace == namespace
            })
        {
            return volume
        }
        throw inv.failure(
            "no Longhorn volume \(name), and no claim \(name) in namespace \(namespace) has one",
            hint: "volume list -A shows every volume and its claim")
    }

    /// Prints the replica-count warnings for `volumes`.
    static func warn(_ inv: Invocation, _ volumes: [LonghornVolume], client: KubeClient) throws {
        for warning in try VolumeReplicaCheck.warnings(volumes, client: client, cancellation: inv.context.cancellation)
        {
            inv.context.err("warning: \(warning)\n")
        }
    }
}
