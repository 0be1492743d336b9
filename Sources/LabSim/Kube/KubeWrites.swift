import HLSCore

/// Who a write's changed fields are recorded for: a non-apply write's manager, or nobody
/// because server-side apply already recorded them.
enum KubeFieldManagement {
    case update(String)
    case recorded
}

/// The generic registry's create and update (apiserver `registry/generic/registry/store.go`):
/// namespace checks, name rules, system metadata, status handling, generation, field managers.
extension KubeStoreState {
    mutating func create(
        _ type: KubeResourceType, _ proposed: Document, namespace: String?, manager: KubeFieldManagement,
        dryRun: Bool = false
    ) throws(KubeStatus) -> Document {
        var object = proposed
        if let kind = object.text("kind"), kind != type.kind {
            throw KubeStatus.badRequest(
                "the API version in the data (\(object.text("apiVersion") ?? "")) does not match the expected API version (\(type.apiVersion))"
            )
        }
        var name = object.text("metadata", "name") ?? ""
        if name.isEmpty, let prefix = object.text("metadata", "generateName"), !prefix.isEmpty {
            name = prefix + KubeIDs.suffix()
            object.set(["metadata", "name"], .string(name))
        }
        if type.namespaced {
            let bodyNamespace = object.text("metadata", "namespace") ?? ""
            if let namespace, !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw KubeStatus.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            let ns = namespace ?? (bodyNamespace.isEmpty ? "default" : bodyNamespace)
            object.set(["metadata", "namespace"], .string(ns))
            try checkNamespaceOpen(ns, for: type, name: name)
        } else {
            object.set(["metadata", "namespace"], nil)
        }
        if name.isEmpty {
            throw KubeStatus.invalid(type, "", [("metadata.name", "Required value: name or generateName is required")])
        }
        if let problem = KubeNames.problem(name, type: type) {
            throw KubeStatus.invalid(type, name, [("metadata.name", "Invalid value: \"\(name)\": \(problem)")])
        }
        if get(type, namespace: object.text("metadata", "namespace"), name: name) != nil {
            throw KubeStatus.alreadyExists(type, name)
        }
        for key in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            object.set(["metadata", key], nil)
        }
        if case .update = manager { object.set(["metadata", "managedFields"], nil) }
        object.set(["metadata", "uid"], .string(KubeIDs.uid()))
        object.set(["metadata", "creationTimestamp"], .string(KubeTime.rfc3339(KubeTime.now())))
        object.set(["metadata", "generation"], type.generation ? .int(1) : nil)
        if type.hasStatus, type.plural != "nodes" { object.set("status", nil) }
        try KubeDefaults.onCreate(type, &object, &self)
        object = KubeAPI.render(object, type)
        if case .update(let name) = manager {
            KubeManagedFields.recordUpdate(old: nil, new: &object, manager: name, type: type, subresource: nil)
        }
        try admit(type, operation: "CREATE", subresource: nil)
        if dryRun { return object }
        let stored = put(type, object, event: "ADDED")
        if type.plural == "namespaces" { KubeDefaults.populateNamespace(name, &self) }
        return stored
    }

    /// A write of `proposed` over `existing` (PUT, or the result of a patch).
    mutating func update(
        _ type: KubeResourceType, existing: Document, proposed: Document, subresource: String?,
        manager: KubeFieldManagement, dryRun: Bool = false
    ) throws(KubeStatus) -> Document {
        let name = existing.text("metadata", "name") ?? ""
        if let given = proposed.text("metadata", "name"), !given.isEmpty, given != name {
            throw KubeStatus.badRequest(
                "the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if let version = proposed.text("metadata", "resourceVersion"), !version.isEmpty,
            version != existing.text("metadata", "resourceVersion")
        {
            throw KubeStatus.modified(type, name)
        }
        var object: Document
        if subresource == "status" {
            object = existing
            object.set("status", proposed["status"])
            object.set(["metadata", "managedFields"], proposed.at(["metadata", "managedFields"]))
        } else {
            object = proposed
            for key in [
                "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds", "resourceVersion",
            ] {
                object.set(["metadata", key], existing.at(["metadata", key]))
            }
            if proposed.at(["metadata", "managedFields"]) == nil {
                object.set(["metadata", "managedFields"], existing.at(["metadata", "managedFields"]))
            }
            if type.hasStatus { object.set("status", existing["status"]) }
            try KubeDefaults.onUpdate(type, existing, &object, &self)
        }
        object = KubeAPI.render(object, type)
        if type.generation, Self.specChanged(from: existing, to: object),
            case .int(let generation) = existing.at(["metadata", "generation"]) ?? .int(0)
        {
            object.set(["metadata", "generation"], .int(generation + 1))
        }
        if case .update(let manager) = manager {
            KubeManagedFields.recordUpdate(
                old: existing, new: &object, manager: manager, type: type, subresource: subresource)
        }
        try admit(type, operation: "UPDATE", subresource: subresource)
        if object == existing { return existing }
        if dryRun { return object }
        if object.at(["metadata", "deletionTimestamp"]) != nil,
            (object.at(["metadata", "finalizers"])?.items ?? []).isEmpty
        {
            return remove(type, namespace: object.text("metadata", "namespace"), name: name) ?? object
        }
        let stored = put(type, object, event: "MODIFIED", old: existing)
        recordEvents(after: type, old: existing, new: stored)
        return stored
    }

    /// What a generation counts: everything but metadata and status.
    static func specPart(_ object: Document) -> Document {
        .object(object.pairs.filter { !["metadata", "status", "kind", "apiVersion"].contains($0.key) })
    }

    /// Whether a write changes what a generation counts, compared with their keys sorted: one
    /// that only reorders fields is no new generation.
    static func specChanged(from existing: Document, to object: Document) -> Bool {
        let (before, after) = (specPart(existing), specPart(object))
        return before != after && before.keysSorted != after.keysSorted
    }

    /// 404 for a missing namespace, 403 NamespaceTerminating for one being deleted.
    func checkNamespaceOpen(_ namespace: String, for type: KubeResourceType, name: String) throws(KubeStatus) {
        guard let ns = get(Self.namespaces, namespace: nil, name: namespace) else {
            throw KubeStatus.notFound(Self.namespaces, namespace)
        }
        if ns.at(["metadata", "deletionTimestamp"]) != nil {
            let why = "unable to create new content in namespace \(namespace) because it is being terminated"
            var status = KubeStatus.forbidden(type, name, why)
            status.details.append(
                (
                    "causes",
                    .array([
                        .object([
                            ("reason", .string("NamespaceTerminating")), ("message", .string(why)),
                            ("field", .string("metadata.namespace")),
                        ])
                    ])
                ))
            throw status
        }
    }
}

/// Name validation (apimachinery `validation.IsDNS1123Subdomain` / `IsDNS1123Label`).
enum KubeNames {
    static func problem(_ name: String, type: KubeResourceType) -> String? {
        let label = type.plural == "namespaces" || type.plural == "services"
        let allowed = name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-") || (!label && $0 == UInt8(ascii: "."))
        }
        let edges = [name.utf8.first, name.utf8.last].allSatisfy { c in
            guard let c else { return false }
            return (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        if label {
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            if !allowed || !edges {
                return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                    + "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                    + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            }
            return nil
        }
        if name.utf8.count > 253 { return "must be no more than 253 characters" }
        if !allowed || !edges {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                + "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        }
        return nil
    }
}
