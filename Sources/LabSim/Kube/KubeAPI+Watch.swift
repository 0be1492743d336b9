import HLSCore
import HLSFormats
import NIOCore
import Synchronization

/// Watches (apiserver `handlers/watch.go`, the watch cache): synthetic ADDED events from rv
/// unset or "0", a replay after any other rv still in the history (410 Expired as an ERROR
/// event when it is not), watch-list's initial events ending in a BOOKMARK annotated
/// `k8s.io/initial-events-end`, periodic bookmarks, and the stream closed at `timeoutSeconds`.
extension KubeAPI {
    func watch(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeReply {
        let type = target.type
        let labels = try KubeLabelSelector(parsing: request.param("labelSelector") ?? "")
        let fields = try KubeFieldSelector(parsing: request.param("fieldSelector") ?? "", for: type)
        let sendInitial = request.param("sendInitialEvents").map { $0 == "true" }
        let bookmarks = request.flag("allowWatchBookmarks")
        let rvParam = request.param("resourceVersion") ?? ""
        if let sendInitial {
            var causes: [(field: String, message: String)] = []
            if request.param("resourceVersionMatch") != "NotOlderThan" {
                causes.append(
                    (
                        "resourceVersionMatch",
                        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
                    ))
            }
            if sendInitial, !bookmarks {
                causes.append(
                    ("allowWatchBookmarks", "Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true")
                )
            }
            if !causes.isEmpty {
                let rendered = causes.map { "\($0.field): \($0.message)" }
                throw KubeStatus(
                    code: 422, reason: "Invalid",
                    message: "ListOptions.meta.k8s.io \"\" is invalid: "
                        + (rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"),
                    details: [("group", .string("meta.k8s.io")), ("kind", .string("ListOptions"))])
            }
        }
        var resumeFrom: Int?
        if !rvParam.isEmpty, rvParam != "0" {
            guard let n = Int(rvParam) else {
                throw KubeStatus.badRequest("resourceVersion: Invalid value: \"\(rvParam)\": must be a valid integer")
            }
            resumeFrom = n
        }
        let since = resumeFrom
        let synthetic = sendInitial ?? (since == nil)
        let timeout = Double(request.param("timeoutSeconds") ?? "").map { max(0, $0) } ?? 1800
        let table = request.wantsTable ? request : nil
        let expireNow = faults.consumeWatchExpiry()
        let api = self
        let interval = config.bookmarkInterval

        return .stream(delay: 0) { stream in
            let first = Mutex(true)
            let emit: @Sendable (String, Document) -> Void = { event, object in
                var rendered = KubeAPI.render(object, type)
                if let table, event != "BOOKMARK", event != "ERROR" {
                    let headers = first.withLock { f -> Bool in
                        defer { f = false }
                        return f
                    }
                    rendered =
                        (try? KubeTable.table(type, [object], request: table, revision: nil, headers: headers))
                        ?? rendered
                }
                if event == "ERROR" { rendered = object }
                let line = JSONCodec.encode(.object([("type", .string(event)), ("object", rendered)])) + "\n"
                stream.send(Array(line.utf8))
            }
            let watcher = KubeWatcher(
                storeKey: type.storeKey, namespace: target.namespace, labels: labels, fields: fields, emit: emit)
            let id: Int? = api.store.transact { state -> Int? in
                if let since, since < state.compacted || expireNow {
                    emit(
                        "ERROR",
                        KubeStatus.expired("too old resource version: \(since) (\(state.compacted + 1))").document)
                    return nil
                }
                if expireNow {
                    emit("ERROR", KubeStatus.expired("too old resource version: 0 (\(state.compacted + 1))").document)
                    return nil
                }
                if synthetic {
                    for (_, object) in state.list(type, namespace: target.namespace) where watcher.matches(object) {
                        emit("ADDED", object)
                    }
                    if sendInitial == true {
                        emit("BOOKMARK", KubeAPI.bookmark(state.revision, initialEventsEnd: true))
                    }
                } else if let since {
                    for change in state.history where change.revision > since && change.storeKey == type.storeKey {
                        watcher.offer(change)
                    }
                }
                let id = state.nextWatcher
                state.nextWatcher += 1
                state.watchers[id] = watcher
                return id
            }
            guard let id else {
                stream.finish()
                return
            }
            let key = ObjectIdentifier(stream)
            api.openStreams.withLock { $0[key] = stream }
            let closing = stream.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout * 1e9))) { stream.finish() }
            var ticker: RepeatedTask?
            if bookmarks {
                let nanos = Int64(interval * 1e9)
                ticker = stream.eventLoop.scheduleRepeatedTask(
                    initialDelay: .nanoseconds(nanos), delay: .nanoseconds(nanos)
                ) { _ in
                    api.store.transact { state in
                        emit("BOOKMARK", KubeAPI.bookmark(state.revision, initialEventsEnd: false))
                    }
                }
            }
            let repeating = ticker
            stream.onEnd {
                closing.cancel()
                repeating?.cancel()
                api.store.transact { _ = $0.watchers.removeValue(forKey: id) }
                api.openStreams.withLock { _ = $0.removeValue(forKey: key) }
            }
        }
    }

    /// A BOOKMARK's object: only `metadata.resourceVersion` (and the initial-events-end mark).
    static func bookmark(_ revision: Int, initialEventsEnd: Bool) -> Document {
        var metadata: [(key: String, value: Document)] = [("resourceVersion", .string(String(revision)))]
        if initialEventsEnd {
            metadata.append(("annotations", .object([("k8s.io/initial-events-end", .string("true"))])))
        }
        return .object([("metadata", .object(metadata))])
    }

    /// Drops every open watch connection (an injected fault); how many there were.
    func dropWatches() -> Int {
        let streams = openStreams.withLock { Array($0.values) }
        for stream in streams { stream.abort() }
        return streams.count
    }
}
