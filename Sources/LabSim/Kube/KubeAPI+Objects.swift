import HLSCore
import HLSFormats

/// The object verbs: list, create, replace, patch, delete.
extension KubeAPI {
    func list(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let labels = try KubeLabelSelector(parsing: request.param("labelSelector") ?? "")
        let fields = try KubeFieldSelector(parsing: request.param("fieldSelector") ?? "", for: type)
        let limit = max(0, Int(request.param("limit") ?? "") ?? 0)
        let start = try KubeContinue.decode(request.param("continue"))
        let (all, revision) = store.transact { state in
            (state.list(type, namespace: target.namespace), start?.revision ?? state.revision)
        }
        var matching = all
        if let start { matching = matching.filter { $0.key > start.key } }
        if !labels.requirements.isEmpty || !fields.requirements.isEmpty {
            matching = matching.filter {
                labels.matches(($0.object.at(["metadata", "labels"]) ?? .object([])).stringMap)
                    && fields.matches($0.object)
            }
        }
        var page = matching
        var next: String?
        var remaining: Int?
        if limit > 0, matching.count > limit {
            page = Array(matching.prefix(limit))
            next = KubeContinue.encode(revision: revision, after: page.last?.key ?? "")
            remaining = matching.count - limit
        }
        if request.wantsTable {
            var table = try KubeTable.table(type, page.map(\.object), request: request, revision: revision)
            if let next { table.set(["metadata", "continue"], .string(next)) }
            if let remaining { table.set(["metadata", "remainingItemCount"], .int(remaining)) }
            return .json(200, table)
        }
        var metadata: [(key: String, value: Document)] = [("resourceVersion", .string(String(revision)))]
        if let next { metadata.append(("continue", .string(next))) }
        if let remaining { metadata.append(("remainingItemCount", .int(remaining))) }
        let items: [Document] = page.map { type.builtIn ? $0.object : Self.render($0.object, type) }
        return .json(
            200,
            .object([
                ("kind", .string(type.listKind)), ("apiVersion", .string(type.apiVersion)),
                ("metadata", .object(metadata)), ("items", .array(items)),
            ]))
    }

    func create(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let body = try Self.body(request, accepted: Self.writeTypes, type: target.type)
        try KubeStringMaps.checkDecoded(body, type: target.type)
        let manager = Self.manager(request)
        let dryRun = request.param("dryRun") == "All"
        let created = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            try state.create(target.type, body, namespace: target.namespace, manager: .update(manager), dryRun: dryRun)
        }
        return .json(201, created)
    }

    func replace(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let body = try Self.body(request, accepted: Self.writeTypes, type: target.type)
        try KubeStringMaps.checkDecoded(body, type: target.type)
        let manager = Self.manager(request)
        let name = target.name ?? ""
        if target.subresource == "finalize" { return try finalize(target, body) }
        let updated = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            guard let existing = state.get(target.type, namespace: target.namespace, name: name) else {
                throw KubeStatus.notFound(target.type, name)
            }
            return try state.update(
                target.type, existing: existing, proposed: body, subresource: target.subresource,
                manager: .update(manager), dryRun: request.param("dryRun") == "All")
        }
        return .json(200, updated)
    }

    func patch(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let name = target.name ?? ""
        let contentType =
            (request.header("Content-Type") ?? "").split(separator: ";").first.map {
                String($0).trimmingSpaces
            } ?? ""
        var accepted = [
            "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
        ]
        if type.builtIn { accepted.insert("application/strategic-merge-patch+json", at: 2) }
        guard accepted.contains(contentType) else {
            throw KubeStatus.unsupportedMediaType(contentType, accepted: accepted)
        }
        let isApply = contentType == "application/apply-patch+yaml"
        let fieldManager = request.param("fieldManager")
        if isApply, fieldManager?.isEmpty ?? true {
            throw KubeStatus(
                code: 422, reason: "Invalid",
                message:
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                details: [("group", .string("meta.k8s.io")), ("kind", .string("PatchOptions"))])
        }
        if !isApply, request.param("force") != nil {
            throw KubeStatus(
                code: 422, reason: "Invalid",
                message:
                    "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch",
                details: [("group", .string("meta.k8s.io")), ("kind", .string("PatchOptions"))])
        }
        let patch = try Self.body(
            KubeHTTPRequest(
                method: request.method, path: request.path, query: request.query,
                headers: [("Content-Type", isApply ? "application/yaml" : "application/json")], body: request.body,
                certificateUser: nil, document: request.document),
            accepted: ["application/json", "application/yaml"], type: target.type)
        if isApply { try KubeStringMaps.checkApply(patch, type: type, namespace: target.namespace, name: name) }
        let manager = fieldManager ?? Self.manager(request)
        let force = request.flag("force")
        let dryRun = request.param("dryRun") == "All"
        let (object, created) = try store.transact {
            (state: inout KubeStoreState) throws(KubeStatus) -> (Document, Bool) in
            let existing = state.get(type, namespace: target.namespace, name: name)
            if isApply {
                if let given = patch.text("metadata", "name"), given != name {
                    throw KubeStatus.badRequest(
                        "the name of the object (\(given)) does not match the name on the URL (\(name))")
                }
                if existing == nil, target.subresource == nil {
                    var intent = patch
                    intent.set(["metadata", "name"], .string(name))
                    let applied = try KubeManagedFields.apply(
                        live: nil, config: intent, manager: manager, force: force, type: type, subresource: nil)
                    return (
                        try state.create(
                            type, applied, namespace: target.namespace, manager: .recorded, dryRun: dryRun),
                        true
                    )
                }
                guard let existing else { throw KubeStatus.notFound(type, name) }
                let applied = try KubeManagedFields.apply(
                    live: existing, config: patch, manager: manager, force: force, type: type,
                    subresource: target.subresource)
                return (
                    try state.update(
                        type, existing: existing, proposed: applied, subresource: target.subresource,
                        manager: .recorded, dryRun: dryRun), false
                )
            }
            guard let existing else { throw KubeStatus.notFound(type, name) }
            let patched: Document
            switch contentType {
            case "application/merge-patch+json": patched = KubePatches.mergePatch(existing, patch)
            case "application/json-patch+json": patched = try KubePatches.jsonPatch(existing, patch)
            default: patched = KubePatches.strategic(existing, patch) ?? existing
            }
            return (
                try state.update(
                    type, existing: existing, proposed: patched, subresource: target.subresource,
                    manager: .update(manager), dryRun: dryRun), false
            )
        }
        return .json(created ? 201 : 200, object)
    }

    func delete(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let name = target.name ?? ""
        let options =
            request.body.isEmpty && request.document == nil
            ? Document.object([]) : try Self.body(request, accepted: Self.writeTypes, type: type)
        let policy = request.param("propagationPolicy") ?? options.text("propagationPolicy") ?? "Background"
        if type.plural == "namespaces", type.group.isEmpty { return try deleteNamespace(name) }
        let result = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            guard let existing = state.get(type, namespace: target.namespace, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            if let uid = options.text("preconditions", "uid"), uid != existing.text("metadata", "uid") {
                throw KubeStatus.conflict(
                    type, name,
                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing.text("metadata", "uid") ?? "")"
                )
            }
            return try state.delete(type, existing, policy: policy)
        }
        return .json(200, result)
    }

    func deleteCollection(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let labels = try KubeLabelSelector(parsing: request.param("labelSelector") ?? "")
        let fields = try KubeFieldSelector(parsing: request.param("fieldSelector") ?? "", for: type)
        let deleted = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> [Document] in
            var deleted: [Document] = []
            for (_, object) in state.list(type, namespace: target.namespace)
            where labels.matches((object.at(["metadata", "labels"]) ?? .object([])).stringMap) && fields.matches(object)
            {
                deleted.append(try state.delete(type, object, policy: "Background"))
            }
            return deleted
        }
        return .json(
            200,
            .object([
                ("kind", .string(type.listKind)), ("apiVersion", .string(type.apiVersion)),
                ("metadata", .object([])), ("items", .array(deleted)),
            ]))
    }

    /// The manager a non-apply write is recorded for: `fieldManager`, else the User-Agent's
    /// program name (`kubectl/v1.37 …` → `kubectl`), as the apiserver derives it.
    static func manager(_ request: KubeHTTPRequest) -> String {
        if let manager = request.param("fieldManager"), !manager.isEmpty { return manager }
        let agent = request.header("User-Agent") ?? "unknown"
        return String(agent.split(separator: "/").first ?? "unknown")
    }
}

extension KubeStoreState {
    /// Deletes one object: with finalizers it only gets a deletionTimestamp; otherwise it goes,
    /// and (unless orphaned) so do the objects it controls. Answers the object for pods (as
    /// the pod registry does) and a Status Success for others.
    mutating func delete(_ type: KubeResourceType, _ existing: Document, policy: String) throws(KubeStatus) -> Document
    {
        let namespace = existing.text("metadata", "namespace")
        let name = existing.text("metadata", "name") ?? ""
        if !(existing.at(["metadata", "finalizers"])?.items ?? []).isEmpty {
            if existing.at(["metadata", "deletionTimestamp"]) != nil { return existing }
            var marked = existing
            marked.set(["metadata", "deletionTimestamp"], .string(KubeTime.rfc3339(KubeTime.now())))
            marked.set(["metadata", "deletionGracePeriodSeconds"], .int(0))
            return put(type, marked, event: "MODIFIED", old: existing)
        }
        let removed = remove(type, namespace: namespace, name: name) ?? existing
        if type.plural == "customresourcedefinitions" { KubeCRDs.remove(existing, &self) }
        if type.group.isEmpty, type.plural == "nodes" { forgetNodePassword(of: name) }
        collectDependents(of: existing.text("metadata", "uid") ?? "", namespace: namespace, orphan: policy == "Orphan")
        if type.plural == "pods" { return removed }
        var details = KubeStatus.details(type, name)
        details.append(("uid", .string(existing.text("metadata", "uid") ?? "")))
        return KubeStatus.success(details: details)
    }

    /// The garbage collector: objects whose ownerReferences name `uid` are deleted, or with
    /// Orphan lose that reference.
    mutating func collectDependents(of uid: String, namespace: String?, orphan: Bool) {
        guard !uid.isEmpty else { return }
        for type in types.types where type.namespaced || namespace == nil {
            guard types.anyVersion(group: type.group, plural: type.plural) == type else { continue }
            for (_, object) in list(type, namespace: namespace) {
                let references = (object.at(["metadata", "ownerReferences"]) ?? .array([])).items
                guard references.contains(where: { $0.text("uid") == uid }) else { continue }
                if orphan {
                    var copy = object
                    let rest = references.filter { $0.text("uid") != uid }
                    copy.set(["metadata", "ownerReferences"], rest.isEmpty ? nil : .array(rest))
                    put(type, copy, event: "MODIFIED", old: object)
                } else {
                    _ = try? delete(type, object, policy: "Background")
                }
            }
        }
    }
}

/// `continue` tokens: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`, as the
/// etcd storage layer writes them.
enum KubeContinue {
    static func encode(revision: Int, after key: String) -> String {
        Base64.encode(
            Array(
                JSONCodec.encode(
                    .object([
                        ("v", .string("meta.k8s.io/v1")), ("rv", .int(revision)), ("start", .string(key + "\u{0}")),
                    ])
                ).utf8))
    }

    static func decode(_ token: String?) throws(KubeStatus) -> (revision: Int, key: String)? {
        guard let token, !token.isEmpty else { return nil }
        guard let bytes = Base64.decode(token),
            let document = try? JSONCodec.decode(String(decoding: bytes, as: UTF8.self)),
            case .int(let revision) = document["rv"] ?? .null, let start = document.text("start")
        else {
            throw KubeStatus.badRequest(
                "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return (revision, String(start.prefix { $0 != "\u{0}" }))
    }
}
