import HLSCore
import HLSFormats

/// A simulated controller's connection to the simulated API. Its requests are handled in
/// process by the same routing, validation, defaulting and managed-fields bookkeeping as an HTTP
/// request, so what a controller writes looks as it would on a real cluster (and reaches every
/// watch), without a socket, the faults armed for clients, or a line in the request log.
///
/// Paths are the API's: `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps`.
struct KubeInProcessClient: Sendable {
    let api: KubeAPI
    /// The field manager its writes are recorded under (`kustomize-controller`).
    let manager: String
    /// The lab's pace, by which the controller measures the waits objects state (ADR 0058).
    var clock = KubeLabClock.real

    /// The object at `path`, or nil when there is none (404).
    func get(_ path: String) throws(KubeStatus) -> Document? {
        do { return try call("GET", path) } catch  where error.code == 404 { return nil }
    }

    /// The items of the collection at `path`, optionally filtered by a label selector.
    func list(_ path: String, labelSelector: String? = nil) throws(KubeStatus) -> [Document] {
        let query = labelSelector.map { [("labelSelector", $0)] } ?? []
        return try call("GET", path, query: query)["items"]?.items ?? []
    }

    /// Server-side apply of `object` at its own path, as this controller's field manager; `force`
    /// takes fields other managers own (controllers apply with force, as Flux does).
    @discardableResult
    func apply(_ path: String, _ object: Document, force: Bool = true) throws(KubeStatus) -> Document {
        var query = [("fieldManager", manager)]
        if force { query.append(("force", "true")) }
        return try call("PATCH", path, query: query, body: object, contentType: "application/apply-patch+yaml")
    }

    /// A JSON merge patch of the object (or of its `subresource`, such as `status`).
    @discardableResult
    func mergePatch(_ path: String, _ patch: Document, subresource: String? = nil) throws(KubeStatus) -> Document {
        try call(
            "PATCH", path + (subresource.map { "/" + $0 } ?? ""), query: [("fieldManager", manager)], body: patch,
            contentType: "application/merge-patch+json")
    }

    /// Replaces the object's status (`PUT …/status` with the whole object and its resourceVersion).
    @discardableResult
    func replaceStatus(_ path: String, _ object: Document) throws(KubeStatus) -> Document {
        try call("PUT", path + "/status", query: [("fieldManager", manager)], body: object)
    }

    /// Creates `object` in the collection at `path`.
    @discardableResult
    func create(_ path: String, _ object: Document) throws(KubeStatus) -> Document {
        try call("POST", path, query: [("fieldManager", manager)], body: object)
    }

    /// Deletes the object at `path`; one that is already gone is not an error.
    func delete(_ path: String) throws(KubeStatus) {
        do { _ = try call("DELETE", path) } catch  where error.code == 404 {}
    }

    /// Records an Event about `object` (of `kind`) as this controller's event recorder would,
    /// with its name as the source; the same event again is aggregated (`recordEvent`).
    func recordEvent(about object: Document, kind: String, type: String = "Normal", reason: String, message: String) {
        api.store.transact {
            $0.recordEvent(
                about: .to(object, kind: kind), type: type, reason: reason, message: message,
                source: KubeEventSource(component: manager))
        }
    }

    private func call(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Document? = nil,
        contentType: String = "application/json"
    ) throws(KubeStatus) -> Document {
        let request = KubeHTTPRequest(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) },
            headers: [("Content-Type", contentType), ("Accept", "application/json"), ("User-Agent", manager)],
            body: [], certificateUser: nil, document: body)
        return try Self.answer(api.serveInProcess(request), to: method, path)
    }

    /// The object a response carries; a response that is not 2xx throws the `Status` it carries
    /// (or, when it carries none, one with its code).
    static func answer(_ response: KubeHTTPResponse, to method: String, _ path: String) throws(KubeStatus) -> Document {
        let decoded: Result<Document, HLSError>
        if let document = response.document {
            decoded = .success(document)
        } else {
            let text = String(decoding: response.body, as: UTF8.self)
            decoded = Result { () throws(HLSError) in try JSONCodec.decode(text, file: method + " " + path) }
        }
        let document = try? decoded.get()
        guard (200..<300).contains(response.status) else {
            throw KubeStatus(
                code: response.status, reason: document?.text("reason") ?? "",
                message: document?.text("message")
                    ?? "\(method) \(path): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        switch decoded {
        case .success(let document): return document
        case .failure(let error):
            throw KubeStatus.badRequest("\(method) \(path): an answer that is not JSON: \(error.message)")
        }
    }
}
