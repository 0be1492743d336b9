import HLSCore
import HLSFormats

/// What k3s's embedded kube-controller-manager's workload controllers share: the resources they
/// name, controller references, which pods count (active, ready, available), the template hash,
/// the pods they make from a template, and status writes that leave an unchanged status alone.
enum KubeWorkloads {
    /// How soon a reconcile whose write failed is tried again.
    static let retry = Duration.seconds(1)

    /// An `ownerReferences` entry naming `owner` as the controller (`metav1.NewControllerRef`).
    static func controllerReference(to owner: Document, kind: String) -> Document {
        .object([
            ("apiVersion", .string("apps/v1")), ("kind", .string(kind)),
            ("name", .string(owner.text("metadata", "name") ?? "")),
            ("uid", .string(owner.text("metadata", "uid") ?? "")), ("controller", .bool(true)),
            ("blockOwnerDeletion", .bool(true)),
        ])
    }

    /// The objects among `items` whose controller reference names `owner`'s uid.
    static func controlled(_ items: [Document], by owner: Document) -> [Document] {
        let uid = owner.text("metadata", "uid") ?? ""
        return items.filter { item in
            (item.at(["metadata", "ownerReferences"])?.items ?? []).contains {
                $0.text("uid") == uid && $0.at(["controller"]) == .bool(true)
            }
        }
    }

    /// A pod that counts toward its owner's replicas: not being deleted, not finished.
    static func isActive(_ pod: Document) -> Bool {
        let phase = pod.text("status", "phase")
        return pod.at(["metadata", "deletionTimestamp"]) == nil && phase != "Succeeded" && phase != "Failed"
    }

    /// How many of `pods` are available — ready, and so for `minReadySeconds` of the lab's time
    /// (`podutil.IsPodAvailable`) — and how soon the first of the others that is ready turns
    /// available (the lab's time, as a requeue; nil when none waits), both as of one reading of
    /// the clock. The real controllers requeue after the whole `minReadySeconds`; asking for
    /// exactly what is left reports it no later.
    static func availability(
        _ pods: [Document], minReadySeconds: Int, _ clock: KubeLabClock, now: Double = KubeLabClock.wallNow()
    ) -> (available: Int, next: Duration?) {
        let ready = pods.filter(KubeAPI.isReady)
        guard minReadySeconds > 0 else { return (ready.count, nil) }
        var (available, next) = (0, Duration?.none)
        for pod in ready {
            guard let since = readySince(pod) else { continue }
            guard let left = clock.remaining(minReadySeconds, since: since, now: now) else {
                available += 1
                continue
            }
            next = min(next ?? left, left)
        }
        return (available, next)
    }

    /// When the pod's Ready condition last changed (seconds since the epoch).
    private static func readySince(_ pod: Document) -> Int? {
        let ready = (pod.at(["status", "conditions"])?.items ?? []).first { $0.text("type") == "Ready" }
        return ready?.text("lastTransitionTime").flatMap(KubeTime.parse)
    }

    static func int(_ object: Document, _ path: String...) -> Int? {
        if case .int(let n) = object.at(path) { return n }
        return nil
    }

    /// `spec.replicas`, 1 when unset (as the API defaults it).
    static func replicas(_ object: Document) -> Int { int(object, "spec", "replicas") ?? 1 }

    /// The template's hash as `controller.ComputeHash` writes it: FNV-1a (32 bit) of the template
    /// (and the collision count), its decimal digits safe-encoded (`rand.SafeEncodeString`). The
    /// template is hashed with its keys sorted, as `DeepHashObject` prints the Go struct: the
    /// same template written with its fields in another order keeps its hash (and its pods).
    static func templateHash(_ template: Document, collisionCount: Int = 0) -> String {
        var hash: UInt32 = 2_166_136_261
        var bytes = Array(JSONCodec.encode(template.keysSorted).utf8)
        if collisionCount > 0 { bytes += Array(String(collisionCount).utf8) }
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// A pod of `owner` from its pod template: the template's metadata, `labels` added, named
    /// `name` or generated from `generateName`, with the controller reference and the template's spec.
    static func pod(
        from template: Document, owner: Document, kind: String, labels: [String: String] = [:], name: String? = nil,
        generateName: String? = nil
    ) -> Document {
        var metadata = Document.object([])
        if let name { metadata.set("name", .string(name)) }
        if let generateName { metadata.set("generateName", .string(generateName)) }
        metadata.set("namespace", owner["metadata"]?["namespace"])
        var allLabels = (template.at(["metadata", "labels"]) ?? .object([])).stringMap
        allLabels.merge(labels) { _, new in new }
        metadata.set("labels", .stringMap(allLabels))
        metadata.set("annotations", template.at(["metadata", "annotations"]))
        metadata.set("finalizers", template.at(["metadata", "finalizers"]))
        metadata.set("ownerReferences", .array([controllerReference(to: owner, kind: kind)]))
        return .object([
            ("apiVersion", .string("v1")), ("kind", .string("Pod")), ("metadata", metadata),
            ("spec", template["spec"] ?? .object([])),
        ])
    }

    /// Creates `pod` for `owner` (of `kind`) and records `SuccessfulCreate` (`Created pod: NAME`),
    /// as the ReplicaSet and DaemonSet controllers' pod control does; false when refused.
    static func create(_ pod: Document, for owner: Document, kind: String, _ client: KubeInProcessClient) -> Bool {
        guard
            let created = try? client.create(
                KubeResourceName.pods.path(namespace: pod.text("metadata", "namespace")), pod)
        else {
            return false
        }
        client.recordEvent(
            about: owner, kind: kind, reason: "SuccessfulCreate",
            message: "Created pod: \(created.text("metadata", "name") ?? "")")
        return true
    }

    /// Deletes `pod` of `owner` (of `kind`) and records `SuccessfulDelete` (`Deleted pod: NAME`).
    static func delete(_ pod: Document, of owner: Document, kind: String, _ client: KubeInProcessClient) -> Bool {
        guard (try? client.delete(KubeResourceName.pods.path(of: pod))) != nil else { return false }
        client.recordEvent(
            about: owner, kind: kind, reason: "SuccessfulDelete",
            message: "Deleted pod: \(pod.text("metadata", "name") ?? "")")
        return true
    }

    /// The pods of `namespace`, or nil when they cannot be listed.
    static func pods(in namespace: String?, _ client: KubeInProcessClient) -> [Document]? {
        try? client.list(KubeResourceName.pods.path(namespace: namespace))
    }

    /// Replaces `object`'s status with `status` unless it is that already; nil when written (or
    /// unchanged), `retry` when the write failed.
    static func write(
        status: Document, of object: Document, _ resource: KubeResourceName, _ client: KubeInProcessClient
    )
        -> Duration?
    {
        guard object["status"] != status else { return nil }
        var updated = object
        updated.set("status", status)
        return (try? client.replaceStatus(resource.path(of: object), updated)) == nil ? retry : nil
    }

    /// A status object from named fields, leaving out those that are nil (`omitempty` zeros).
    static func status(_ fields: [(String, Document?)]) -> Document {
        .object(fields.compactMap { field in field.1.map { (key: field.0, value: $0) } })
    }

    /// `.int(n)`, or nil for zero (an `omitempty` count).
    static func count(_ n: Int) -> Document? { n == 0 ? nil : .int(n) }

    /// `conditions` with `type` set as the controllers' `SetCondition` helpers do: an existing
    /// condition of the same status and reason is kept as it is; otherwise it is replaced, keeping
    /// its `lastTransitionTime` when only the reason or message changed.
    static func setting(
        _ conditions: [Document], type: String, status: Bool, reason: String, message: String,
        updateTime: Bool = false, observedGeneration: Int? = nil
    ) -> [Document] {
        let text = status ? "True" : "False"
        let existing = conditions.first { $0.text("type") == type }
        if let existing, existing.text("status") == text, existing.text("reason") == reason { return conditions }
        let now = Document.string(KubeTime.rfc3339(KubeTime.now()))
        let transition = existing?.text("status") == text ? existing?["lastTransitionTime"] ?? now : now
        var pairs: [(key: String, value: Document)] = [("type", .string(type)), ("status", .string(text))]
        if let observedGeneration { pairs.append(("observedGeneration", .int(observedGeneration))) }
        if updateTime { pairs.append(("lastUpdateTime", now)) }
        pairs += [("lastTransitionTime", transition), ("reason", .string(reason)), ("message", .string(message))]
        let condition = Document.object(pairs)
        guard let index = conditions.firstIndex(where: { $0.text("type") == type }) else {
            return conditions + [condition]
        }
        var copy = conditions
        copy[index] = condition
        return copy
    }
}
