public import HLSCore
import HLSFormats

extension KubeClient {
    /// The field manager hlsh's writes are recorded under.
    public static let fieldManager = "hlsh"

    /// The namespace a call on one object of `resource` uses: `namespace`, else the context's.
    func namespace(_ namespace: String?, for resource: KubeResource) -> String? {
        resource.namespaced ? (namespace ?? endpoint.namespace) : nil
    }

    /// `GET` one object (or its `subresource`); a missing one is an error naming it.
    public func get(
        _ resource: KubeResource, _ name: String, namespace: String? = nil, subresource: String? = nil,
        cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        let path = resource.path(
            namespace: self.namespace(namespace, for: resource), name: name, subresource: subresource)
        return try object(KubeCall(method: "GET", path: path), cancellation: cancellation)
    }

    /// `get`, but nil when the object does not exist.
    public func getIfPresent(
        _ resource: KubeResource, _ name: String, namespace: String? = nil, cancellation: Cancellation = .never
    ) throws(HLSError) -> Document? {
        let path = resource.path(namespace: self.namespace(namespace, for: resource), name: name)
        let reply = try send(KubeCall(method: "GET", path: path), cancellation: cancellation)
        if reply.status?.code == 404 { return nil }
        return try reply.document(self)
    }

    /// Every object of `resource` in `namespace` (all namespaces when nil) that `options`
    /// select, following `continue` tokens to the last page. When a token expires mid-way (410),
    /// the list starts again in one piece, as client-go's pager does.
    public func list(
        _ resource: KubeResource, namespace: String? = nil, options: KubeListOptions = KubeListOptions(),
        cancellation: Cancellation = .never
    ) throws(HLSError) -> KubeList {
        var items: [Document] = []
        var token: String?
        var limit = options.limit
        var kind = resource.kind + "List"
        while true {
            var query = options.selectors
            if limit > 0 { query.append(("limit", String(limit))) }
            if let token { query.append(("continue", token)) }
            let call = KubeCall(method: "GET", path: resource.path(namespace: namespace), query: query)
            let reply = try send(call, cancellation: cancellation)
            if let status = reply.status, status.isExpired, token != nil {
                items = []
                token = nil
                limit = 0
                continue
            }
            let page = try reply.document(self)
            if case .array(let pageItems)? = page["items"] { items += pageItems }
            if case .string(let value)? = page["kind"] { kind = value }
            let metadata = page["metadata"]
            if case .string(let next)? = metadata?["continue"], !next.isEmpty {
                token = next
                continue
            }
            var version = ""
            if case .string(let value)? = metadata?["resourceVersion"] { version = value }
            return KubeList(items: items, resourceVersion: version, kind: kind)
        }
    }

    /// `DELETE` with a propagation policy; returns what the server answered (the object being
    /// deleted, or a `Status`), or nil when it was already gone and `ignoreMissing` is set.
    @discardableResult
    public func delete(
        _ resource: KubeResource, _ name: String, namespace: String? = nil,
        propagation: KubePropagation = .background, ignoreMissing: Bool = false, cancellation: Cancellation = .never
    ) throws(HLSError) -> Document? {
        let options = Document.object([
            ("kind", .string("DeleteOptions")), ("apiVersion", .string("v1")),
            ("propagationPolicy", .string(propagation.rawValue)),
        ])
        let call = KubeCall(
            method: "DELETE", path: resource.path(namespace: self.namespace(namespace, for: resource), name: name),
            body: Array(JSONCodec.encode(options).utf8), contentType: "application/json")
        let reply = try send(call, cancellation: cancellation)
        if ignoreMissing && reply.status?.code == 404 { return nil }
        return try reply.document(self)
    }

    /// A JSON merge patch (RFC 7386: `null` removes a key, arrays are replaced whole) of an
    /// object or of its `subresource` (`status`).
    @discardableResult
    public func mergePatch(
        _ resource: KubeResource, _ name: String, namespace: String? = nil, patch: Document,
        subresource: String? = nil, cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        let call = KubeCall(
            method: "PATCH",
            path: resource.path(
                namespace: self.namespace(namespace, for: resource), name: name, subresource: subresource),
            query: [("fieldManager", Self.fieldManager)], body: Array(JSONCodec.encode(patch).utf8),
            contentType: "application/merge-patch+json")
        return try object(call, cancellation: cancellation)
    }

    /// `POST` a new object into its collection; `dryRun` has the server check it (validation,
    /// admission webhooks included) without storing it.
    @discardableResult
    public func create(
        _ resource: KubeResource, _ object: Document, dryRun: Bool = false, cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        let (_, namespace) = try Self.identity(of: object, call: "create")
        var query = [("fieldManager", Self.fieldManager)]
        if dryRun { query.append(("dryRun", "All")) }
        let call = KubeCall(
            method: "POST", path: resource.path(namespace: self.namespace(namespace, for: resource)), query: query,
            body: Array(JSONCodec.encode(object).utf8), contentType: "application/json")
        return try self.object(call, cancellation: cancellation)
    }

    /// `PUT` a whole object (or its `status` subresource); the object's `resourceVersion`, when
    /// it has one, makes a stale write fail with 409.
    @discardableResult
    public func replace(
        _ resource: KubeResource, _ object: Document, subresource: String? = nil, cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        let (name, namespace) = try Self.identity(of: object, call: "replace")
        let call = KubeCall(
            method: "PUT",
            path: resource.path(
                namespace: self.namespace(namespace, for: resource), name: name, subresource: subresource),
            query: [("fieldManager", Self.fieldManager)], body: Array(JSONCodec.encode(object).utf8),
            contentType: "application/json")
        return try self.object(call, cancellation: cancellation)
    }

    /// Server-side apply of `object` (the whole intent: apiVersion, kind, metadata.name): a
    /// `PATCH` with `application/apply-patch+yaml` under field manager `hlsh`, which creates
    /// the object when missing. `force` takes over fields other managers own; without it a
    /// conflict fails with the fields and their managers. `subresource: "status"` applies the
    /// status. `dryRun` has the server compute the result without storing it (`dryRun=All`).
    @discardableResult
    public func apply(
        _ object: Document, force: Bool = false, subresource: String? = nil, dryRun: Bool = false,
        cancellation: Cancellation = .never
    ) throws(HLSError) -> Document {
        let (reply, object) = try sendApply(
            object, force: force, subresource: subresource, dryRun: dryRun, cancellation: cancellation)
        if let status = reply.status, status.code == 409, !status.causes.isEmpty {
            throw KubeApplyConflict(status: status).error(
                at: reply.call.place, object: object.name, namespace: object.namespace)
        }
        return try reply.document(self)
    }

    /// What a server-side dry run of applying `object` says (as `kubectl apply --dry-run=server`):
    /// the object as it would be, a refusal the server will give again (its validation, a
    /// conflict with another manager, admission: 4xx but 408 and 429, and the 500 that
    /// structured-merge-diff answers for an object it cannot type), or nothing decided (408,
    /// 429, another 5xx), which the real apply meets in turn with its retries. Transport failures
    /// are thrown, as every call's are.
    public func dryRunApply(_ object: Document, force: Bool = false, cancellation: Cancellation = .never)
        throws(HLSError) -> KubeDryRun
    {
        let (reply, target) = try sendApply(
            object, force: force, subresource: nil, dryRun: true, cancellation: cancellation)
        guard let status = reply.status else { return .accepted(try reply.document(self)) }
        let refused =
            (400..<500).contains(status.code) && status.code != 408 && status.code != 429
            || status.code == 500 && status.message.hasPrefix("failed to create typed patch object")
        guard refused else { return .undecided }
        if status.code == 409, !status.causes.isEmpty {
            return .refused(
                KubeApplyConflict(status: status).error(
                    at: reply.call.place, object: target.name, namespace: target.namespace))
        }
        return .refused(status.error(for: reply.call, endpoint: endpoint))
    }

    /// The PATCH of a server-side apply, and the object's `resource/name` and namespace.
    private func sendApply(
        _ object: Document, force: Bool, subresource: String?, dryRun: Bool, cancellation: Cancellation
    ) throws(HLSError) -> (Reply, (name: String, namespace: String?)) {
        guard case .string(let apiVersion)? = object["apiVersion"], case .string(let kind)? = object["kind"] else {
            throw HLSError(.usage, "an object to apply needs apiVersion and kind")
        }
        let (name, namespace) = try Self.identity(of: object, call: "apply")
        let resource = try self.resource(apiVersion: apiVersion, kind: kind, cancellation: cancellation)
        var query = [("fieldManager", Self.fieldManager)]
        if force { query.append(("force", "true")) }
        if dryRun { query.append(("dryRun", "All")) }
        let call = KubeCall(
            method: "PATCH",
            path: resource.path(
                namespace: self.namespace(namespace, for: resource), name: name, subresource: subresource),
            query: query, body: Array(JSONCodec.encode(object).utf8), contentType: "application/apply-patch+yaml")
        let reply = try send(call, cancellation: cancellation)
        return (reply, ("\(resource.name)/\(name)", self.namespace(namespace, for: resource)))
    }

    /// `metadata.name` (required) and `metadata.namespace` of an object.
    static func identity(of object: Document, call: String) throws(HLSError) -> (name: String, namespace: String?) {
        guard case .string(let name)? = object["metadata"]?["name"], !name.isEmpty else {
            throw HLSError(.usage, "an object to \(call) needs metadata.name")
        }
        var namespace: String?
        if case .string(let value)? = object["metadata"]?["namespace"], !value.isEmpty { namespace = value }
        return (name, namespace)
    }
}

/// What a server-side dry run of an apply said (`KubeClient.dryRunApply`).
public enum KubeDryRun: Sendable {
    /// The object as the apply would leave it.
    case accepted(Document)
    /// The server's refusal, which it would give the real apply too.
    case refused(HLSError)
    /// An answer a retry may mend (408, 429, most 5xx).
    case undecided
}
