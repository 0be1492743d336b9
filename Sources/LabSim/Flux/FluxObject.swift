import HLSCore

/// One toolkit object as a Flux controller reconciles it: what every controller reads (suspend,
/// interval, the reconcile request annotation) and the status it writes (conditions with
/// `observedGeneration`, `lastHandledReconcileAt`), through the status subresource.
struct FluxObject {
    var object: Document
    let resource: KubeResourceName
    var status: Document

    init(_ object: Document, _ resource: KubeResourceName) {
        self.object = object
        self.resource = resource
        status = object["status"] ?? .object([])
    }

    var namespace: String { object.text("metadata", "namespace") ?? "" }
    var name: String { object.text("metadata", "name") ?? "" }
    var kind: String { object.text("kind") ?? "" }
    var path: String { resource.path(namespace: namespace, name: name) }
    var generation: Int {
        if case .int(let g) = object.at(["metadata", "generation"]) { return g }
        return 1
    }
    var suspended: Bool { object.at(["spec", "suspend"]) == .bool(true) }
    /// `spec.interval` (Go duration), `fallback` when missing or unreadable.
    func interval(_ field: String = "interval", fallback: Duration = .seconds(600)) -> Duration {
        object.text("spec", field).flatMap(Self.goDuration) ?? fallback
    }
    var retryInterval: Duration { interval("retryInterval", fallback: interval()) }

    /// `reconcile.fluxcd.io/requestedAt`, the token `flux reconcile` sets.
    var requestedAt: String? { object.text("metadata", "annotations", "reconcile.fluxcd.io/requestedAt") }

    /// Whether the annotation `key` (a request token, like `reconcile.fluxcd.io/forceAt`) is new:
    /// differs from the status field `handled`, which then records it.
    mutating func handle(_ key: String, as handled: String) -> Bool {
        guard let token = object.text("metadata", "annotations", key) else { return false }
        defer { status.set(handled, .string(token)) }
        return token != object.text("status", handled)
    }

    /// Whether the Ready condition is True for the current generation.
    static func isReady(_ object: Document) -> Bool {
        let generation: Int = if case .int(let g) = object.at(["metadata", "generation"]) { g } else { 1 }
        let observed: Int? = if case .int(let g) = object.at(["status", "observedGeneration"]) { g } else { nil }
        return KubeStoreState.conditionIsTrue(object, "Ready") && observed == generation
    }

    /// Sets a condition, keeping its transition time when its status is unchanged.
    mutating func condition(_ type: String, _ ok: Bool, _ reason: String, _ message: String) {
        condition(type, status: ok ? "True" : "False", reason, message)
    }

    /// Sets a condition whose status may also be `Unknown`.
    mutating func condition(_ type: String, status value: String, _ reason: String, _ message: String) {
        var conditions = status["conditions"]?.items ?? []
        let previous = conditions.first { $0.text("type") == type }
        let since =
            previous.flatMap { $0.text("status") == value ? $0.text("lastTransitionTime") : nil }
            ?? KubeTime.rfc3339(KubeTime.now())
        let condition = Document.object([
            ("type", .string(type)), ("status", .string(value)), ("observedGeneration", .int(generation)),
            ("lastTransitionTime", .string(since)), ("reason", .string(reason)), ("message", .string(message)),
        ])
        if let index = conditions.firstIndex(where: { $0.text("type") == type }) {
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
        status.set("conditions", .array(conditions))
    }

    /// Seconds since the condition last changed status (0 when it is missing).
    func secondsSince(_ type: String) -> Int {
        let condition = (status["conditions"]?.items ?? []).first { $0.text("type") == type }
        return condition?.text("lastTransitionTime").flatMap(KubeTime.parse).map { KubeTime.now() - $0 } ?? 0
    }

    mutating func removeCondition(_ type: String) {
        status.set("conditions", .array((status["conditions"]?.items ?? []).filter { $0.text("type") != type }))
    }

    /// A failed reconcile: Ready=False (and Stalled/Reconciling cleared) with the reason and message.
    mutating func fail(_ reason: String, _ message: String) {
        condition("Ready", false, reason, message)
        removeCondition("Reconciling")
    }

    /// Writes the status: the given fields plus `observedGeneration` and
    /// `lastHandledReconcileAt` (the request handled by this reconcile).
    func write(client: KubeInProcessClient) {
        var status = self.status
        status.set("observedGeneration", .int(generation))
        if let requestedAt { status.set("lastHandledReconcileAt", .string(requestedAt)) }
        guard status != object["status"] else { return }
        _ = try? client.mergePatch(path, .object([("status", status)]), subresource: "status")
    }

    /// A duration as Go's `time.Duration.String` prints it (`5m0s`, `1h0m0s`, `30s`, `1.5s`,
    /// `500ms`): how the controllers' messages show timeouts.
    static func goText(_ duration: Duration) -> String {
        let nanoseconds = duration.whole(.nanoseconds(1))
        if nanoseconds == 0 { return "0s" }
        if nanoseconds < 1_000_000_000 {
            for (unit, size) in [("ms", Int64(1_000_000)), ("µs", 1_000)] where nanoseconds >= size {
                return decimal(nanoseconds, size) + unit
            }
            return "\(nanoseconds)ns"
        }
        let hours = nanoseconds / 3_600_000_000_000
        let minutes = nanoseconds / 60_000_000_000 % 60
        let seconds = decimal(nanoseconds % 60_000_000_000, 1_000_000_000) + "s"
        if hours > 0 { return "\(hours)h\(minutes)m" + seconds }
        return minutes > 0 ? "\(minutes)m" + seconds : seconds
    }

    /// `value / size` with the remainder as a decimal fraction without trailing zeros.
    private static func decimal(_ value: Int64, _ size: Int64) -> String {
        var fraction = String(value % size)
        fraction = String(repeating: "0", count: String(size).count - 1 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / size)" + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// A Go `time.Duration` string (`1m0s`, `10m`, `1h30m`, `500ms`).
    static func goDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            number = String(rest.prefix { $0.isNumber || $0 == "." })
            rest = rest.dropFirst(number.count)
            let unit = String(rest.prefix { $0.isLetter })
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number) else { return nil }
            switch unit {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            case "ms": total += value / 1000
            default: return nil
            }
        }
        return .milliseconds(Int64(total * 1000))
    }

    /// A reference (`spec.sourceRef`, a `dependsOn` entry) as `namespace/name`, the namespace
    /// defaulting to the object's own.
    func reference(_ ref: Document) -> (namespace: String, name: String) {
        (ref.text("namespace") ?? namespace, ref.text("name") ?? "")
    }
}

/// The Flux controllers' workloads and the resources they reconcile.
enum FluxResources {
    static let gitRepositories = KubeResourceName(group: FluxCRDs.source, version: "v1", plural: "gitrepositories")
    static let helmRepositories = KubeResourceName(group: FluxCRDs.source, version: "v1", plural: "helmrepositories")
    static let kustomizations = KubeResourceName(group: FluxCRDs.kustomize, version: "v1", plural: "kustomizations")
    static let helmReleases = KubeResourceName(group: FluxCRDs.helm, version: "v2", plural: "helmreleases")
    static let secrets = KubeResourceName(group: "", version: "v1", plural: "secrets")
    static let namespaces = KubeResourceName(group: "", version: "v1", plural: "namespaces")

    /// The order the controllers apply manifests in: CustomResourceDefinitions and Namespaces
    /// first, everything else after, each part in its given order.
    static func applyOrder(_ manifests: [Document]) -> [Document] {
        let first: Set<String> = ["CustomResourceDefinition", "Namespace"]
        return manifests.filter { first.contains($0.text("kind") ?? "") }
            + manifests.filter { !first.contains($0.text("kind") ?? "") }
    }

    static func workload(_ name: String) -> SimulatedWorkload {
        SimulatedWorkload(kind: .deployment, namespace: FluxRelease.namespace, name: name)
    }
}
