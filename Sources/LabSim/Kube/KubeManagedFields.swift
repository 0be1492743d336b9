import HLSCore

/// One `metadata.managedFields` entry.
struct KubeManagedEntry: Sendable {
    var manager: String
    var operation: String
    var apiVersion: String
    var time: String
    var subresource: String?
    var fields: Set<KubeFieldPath>

    var document: Document {
        var pairs: [(key: String, value: Document)] = [
            ("manager", .string(manager)), ("operation", .string(operation)), ("apiVersion", .string(apiVersion)),
            ("time", .string(time)), ("fieldsType", .string("FieldsV1")),
            ("fieldsV1", KubeFieldSet.fieldsV1(fields)),
        ]
        if let subresource { pairs.append(("subresource", .string(subresource))) }
        return .object(pairs)
    }

    /// How conflict messages name the manager (apimachinery `printManager`).
    var printed: String {
        var text = "\"\(manager)\""
        if let subresource { text += " with subresource \"\(subresource)\"" }
        if operation == "Update" { text += " using \(apiVersion)" }
        return text
    }
}

/// Server-side apply and the field ownership every write records (apimachinery `managedfields`,
/// structured-merge-diff), reduced to what clients observe: who owns which fields, conflicts
/// when an applier would change another manager's field, and fields an applier stops sending
/// removed when nobody else owns them.
enum KubeManagedFields {
    static func entries(of object: Document) -> [KubeManagedEntry] {
        (object.at(["metadata", "managedFields"]) ?? .array([])).items.map { entry in
            KubeManagedEntry(
                manager: entry.text("manager") ?? "", operation: entry.text("operation") ?? "Update",
                apiVersion: entry.text("apiVersion") ?? "", time: entry.text("time") ?? "",
                subresource: entry.text("subresource"),
                fields: KubeFieldSet.parse(fieldsV1: entry["fieldsV1"] ?? .object([])))
        }
    }

    static func write(_ entries: [KubeManagedEntry], into object: inout Document) {
        let kept = entries.filter { !$0.fields.isEmpty }
        object.set(["metadata", "managedFields"], kept.isEmpty ? nil : .array(kept.map(\.document)))
    }

    /// The part of an object whose fields are tracked: no apiVersion, kind or system metadata;
    /// on the main resource of a type with a status subresource no status, on `/status` only status.
    static func tracked(_ object: Document, _ type: KubeResourceType, subresource: String?) -> Document {
        var copy = object
        copy.set("apiVersion", nil)
        copy.set("kind", nil)
        for key in [
            "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
            "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
        ] {
            copy.set(["metadata", key], nil)
        }
        if copy["metadata"]?.pairs.isEmpty == true { copy.set("metadata", nil) }
        if subresource == "status" { return .object(copy["status"].map { [("status", $0)] } ?? []) }
        if type.hasStatus { copy.set("status", nil) }
        return copy
    }

    /// Records a non-apply write by `manager`: the fields it changed become its own (and stop
    /// being anyone else's); removed fields leave every set.
    static func recordUpdate(
        old: Document?, new: inout Document, manager: String, type: KubeResourceType, subresource: String?
    ) {
        let oldTracked = old.map { tracked($0, type, subresource: subresource) } ?? .object([])
        let newTracked = tracked(new, type, subresource: subresource)
        let oldPaths = KubeFieldSet.paths(of: oldTracked, builtIn: type.builtIn)
        let newPaths = KubeFieldSet.paths(of: newTracked, builtIn: type.builtIn)
        let changed = newPaths.filter {
            KubeFieldSet.value(at: $0, in: oldTracked) != KubeFieldSet.value(at: $0, in: newTracked)
        }
        let removed = oldPaths.subtracting(newPaths)
        var entries = old.map(entries(of:)) ?? []
        for i in entries.indices {
            entries[i].fields.subtract(changed)
            entries[i].fields.subtract(removed)
        }
        if !changed.isEmpty {
            let apiVersion = new.text("apiVersion") ?? type.apiVersion
            let now = KubeTime.rfc3339(KubeTime.now())
            if let i = entries.firstIndex(where: {
                $0.manager == manager && $0.operation == "Update" && $0.subresource == subresource
                    && $0.apiVersion == apiVersion
            }) {
                entries[i].fields.formUnion(changed)
                entries[i].time = now
            } else {
                entries.append(
                    KubeManagedEntry(
                        manager: manager, operation: "Update", apiVersion: apiVersion, time: now,
                        subresource: subresource, fields: changed))
            }
        }
        write(entries, into: &new)
    }

    /// Server-side apply of `config` by `manager` onto `live` (nil to create): 409 on conflicts
    /// unless `force`, which takes the fields over.
    static func apply(
        live: Document?, config: Document, manager: String, force: Bool, type: KubeResourceType, subresource: String?
    ) throws(KubeStatus) -> Document {
        let base = live ?? .object([])
        var intent = config
        if subresource == "status" {
            intent = .object(
                [("apiVersion", config["apiVersion"] ?? .null), ("kind", config["kind"] ?? .null)]
                    + (config["status"].map { [("status", $0)] } ?? []))
        } else if type.hasStatus {
            intent.set("status", nil)
        }
        let appliedTracked = tracked(intent, type, subresource: subresource)
        let liveTracked = tracked(base, type, subresource: subresource)
        let applied = KubeFieldSet.paths(of: appliedTracked, builtIn: type.builtIn)
        var entries = entries(of: base)
        let mine = { (e: KubeManagedEntry) in
            e.manager == manager && e.operation == "Apply" && e.subresource == subresource
        }
        var conflicts: [(entry: Int, path: KubeFieldPath)] = []
        for (i, entry) in entries.enumerated() where !mine(entry) {
            for path in entry.fields.intersection(applied) where !(path.last?.isItem ?? false) {
                if KubeFieldSet.value(at: path, in: liveTracked) != KubeFieldSet.value(at: path, in: appliedTracked) {
                    conflicts.append((i, path))
                }
            }
        }
        if !conflicts.isEmpty {
            if !force { throw conflictError(conflicts.map { (entries[$0.entry], $0.path) }) }
            for (i, path) in conflicts { entries[i].fields.remove(path) }
        }
        var merged = merge(base, intent, builtIn: type.builtIn, field: nil)
        let previous = entries.first(where: mine)?.fields ?? []
        let othersOwn = entries.filter { !mine($0) }.reduce(into: Set<KubeFieldPath>()) { $0.formUnion($1.fields) }
        for path in previous.subtracting(applied).sorted(by: { $0.count > $1.count }) where !othersOwn.contains(path) {
            merged = KubeFieldSet.removing(path, from: merged)
        }
        // A no-op apply (same fields, same values) leaves the object as it was, its entry's time
        // included, so the resourceVersion does not move (as the API server does).
        if let i = entries.firstIndex(where: mine), entries[i].fields == applied,
            entries[i].apiVersion == config.text("apiVersion") ?? type.apiVersion
        {
            var unchanged = merged
            write(entries, into: &unchanged)
            // The status is not the apply's (the update keeps the live one).
            if type.hasStatus && subresource != "status" { unchanged.set("status", base["status"]) }
            if unchanged == base { return base }
        }
        let entry = KubeManagedEntry(
            manager: manager, operation: "Apply", apiVersion: config.text("apiVersion") ?? type.apiVersion,
            time: KubeTime.rfc3339(KubeTime.now()), subresource: subresource, fields: applied)
        if let i = entries.firstIndex(where: mine) { entries[i] = entry } else { entries.append(entry) }
        write(entries, into: &merged)
        return merged
    }

    /// 409 `Apply failed with N conflict(s): …` with a FieldManagerConflict cause per field.
    static func conflictError(_ conflicts: [(entry: KubeManagedEntry, path: KubeFieldPath)]) -> KubeStatus {
        let sorted = conflicts.sorted {
            ($0.entry.manager, KubeFieldSet.display($0.path)) < ($1.entry.manager, KubeFieldSet.display($1.path))
        }
        let message: String
        if sorted.count == 1 {
            message =
                "Apply failed with 1 conflict: conflict with \(sorted[0].entry.printed): "
                + KubeFieldSet.display(sorted[0].path)
        } else {
            var lines: [String] = []
            var lastManager: String?
            for conflict in sorted {
                if conflict.entry.printed != lastManager {
                    lines.append("conflicts with \(conflict.entry.printed):")
                    lastManager = conflict.entry.printed
                }
                lines.append("- " + KubeFieldSet.display(conflict.path))
            }
            message = "Apply failed with \(sorted.count) conflicts: " + lines.joined(separator: "\n")
        }
        let causes: [Document] = sorted.map {
            .object([
                ("reason", .string("FieldManagerConflict")), ("message", .string("conflict with \($0.entry.printed)")),
                ("field", .string(KubeFieldSet.display($0.path))),
            ])
        }
        return KubeStatus(code: 409, reason: "Conflict", message: message, details: [("causes", .array(causes))])
    }

    /// `config` merged into `live`: maps merge, keyed lists of built-in kinds merge by key, set
    /// lists unite, other lists and scalars are replaced; `null` removes.
    static func merge(_ live: Document, _ config: Document, builtIn: Bool, field: String?) -> Document {
        switch (live, config) {
        case (.object, .object(let pairs)):
            var result = live
            for (key, value) in pairs {
                if value == .null {
                    result.set(key, nil)
                } else {
                    result.set(key, merge(live[key] ?? .null, value, builtIn: builtIn, field: key))
                }
            }
            return result
        case (.array(let have), .array(let want)) where builtIn && field != nil:
            if KubeListSemantics.isSet(field: field!) {
                return .array(have + want.filter { !have.contains($0) })
            }
            guard let key = KubeListSemantics.mergeKey(field: field!, items: want),
                want.allSatisfy({ $0[key] != nil })
            else { return config }
            var result = have
            for item in want {
                if let i = result.firstIndex(where: { $0[key] == item[key] }) {
                    result[i] = merge(result[i], item, builtIn: builtIn, field: nil)
                } else {
                    result.append(item)
                }
            }
            return .array(result)
        default:
            return config
        }
    }
}
