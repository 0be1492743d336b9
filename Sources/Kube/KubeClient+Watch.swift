public import HLSCore
import HLSFormats
import HLSTransport

extension KubeClient {
    /// Watches `resource` in `namespace` (all when nil) and hands each change to `receive` as
    /// it arrives, until `receive` says `.stop` (returns true) or `deadline` passes (returns
    /// false).
    ///
    /// Starts with a list (`.listed`) unless `resourceVersion` is given, then watches from the
    /// list's resourceVersion with bookmarks. A stream the server ends (`timeoutSeconds`), that
    /// outlives the client's limit for one request (a silent, half-open connection) or that
    /// breaks is opened again from the last resourceVersion seen; a 410 — as the HTTP
    /// status or as an `ERROR` event — means that version is gone, and the watch lists again.
    /// Other errors, as events or statuses, are thrown, as is what `receive` throws.
    public func watch(
        _ resource: KubeResource, namespace: String? = nil, options: KubeListOptions = KubeListOptions(),
        resourceVersion: String? = nil, deadline: ContinuousClock.Instant? = nil, cancellation: Cancellation = .never,
        _ receive: (KubeWatchEvent) throws(HLSError) -> KubeWatchDecision
    ) throws(HLSError) -> Bool {
        try withoutActuallyEscaping(receive) { (receive) throws(HLSError) -> Bool in
            try watchLoop(
                resource, namespace: namespace, options: options, resourceVersion: resourceVersion,
                deadline: deadline, cancellation: cancellation, receive: receive)
        }
    }

    private func watchLoop(
        _ resource: KubeResource, namespace: String?, options: KubeListOptions, resourceVersion: String?,
        deadline: ContinuousClock.Instant?, cancellation: Cancellation,
        receive: @escaping (KubeWatchEvent) throws(HLSError) -> KubeWatchDecision
    ) throws(HLSError) -> Bool {
        var version = resourceVersion
        var brokenInARow = 0
        while true {
            if let deadline, ContinuousClock.now >= deadline { return false }
            if version == nil {
                let list = try self.list(resource, namespace: namespace, options: options, cancellation: cancellation)
                version = list.resourceVersion
                if try receive(.listed(list.items, resourceVersion: list.resourceVersion)) == .stop { return true }
            }
            let stream = WatchStream(receive: receive, resourceVersion: version)
            var query = options.selectors + [("watch", "true"), ("allowWatchBookmarks", "true")]
            if let version, !version.isEmpty { query.append(("resourceVersion", version)) }
            var timeouts = HTTPTimeouts.streaming
            var serverTimeout = Int(watchTimeout.components.seconds)
            // A server that ignores timeoutSeconds, or a connection gone half-open (a control
            // plane hard-reset while rebooting), cannot hold the watch past this request's limit.
            timeouts.total = watchRequestLimit
            if let deadline {
                let left = deadline - ContinuousClock.now
                serverTimeout = max(1, min(serverTimeout, Int(left.components.seconds) + 1))
                // Nor past the deadline.
                timeouts.total = min(watchRequestLimit, left + .milliseconds(500))
            }
            query.append(("timeoutSeconds", String(serverTimeout)))
            let call = KubeCall(
                method: "GET", path: resource.path(namespace: namespace), query: query, timeouts: timeouts,
                onData: { piece in stream.take(piece) })
            var failure: HLSError?
            var reply: Reply?
            do {
                reply = try send(call, cancellation: cancellation)
            } catch {
                // The stream broke, or the deadline's transfer limit ended it: decided below.
                guard error.kind == .failed || error.kind == .timeout else { throw error }
                failure = error
            }
            if let status = reply?.status {
                guard status.isExpired else { throw status.error(for: call, endpoint: endpoint) }
                version = nil
                continue
            }
            let outcome = stream.outcome
            if let error = outcome.thrown { throw error }
            if outcome.stopped { return true }
            version = outcome.resourceVersion
            if outcome.events > 0 { brokenInARow = 0 }
            switch outcome.ending {
            case .status(let status) where status.isExpired:
                version = nil
                continue
            case .status(let status):
                throw status.error(for: call, endpoint: endpoint)
            case .garbage(let text):
                throw HLSError(
                    .failed, "the watch stream held something that is not an event", at: call.place, cause: text)
            case nil:
                break
            }
            guard let failure else { continue }
            if let deadline, ContinuousClock.now >= deadline { return false }
            brokenInARow += 1
            guard brokenInARow <= Self.watchReconnects else { throw failure }
            trace?("watch of \(resource) broke (\(failure.message)); resuming from resourceVersion \(version ?? "")")
            try KubeWaits.pause(
                .milliseconds(100 * brokenInARow), deadline: deadline, cancellation: cancellation,
                what: "watching \(resource)")
        }
    }

    /// How long the client lets one watch request run: `watchTimeout` (the `timeoutSeconds` the
    /// server is asked for) and as long again, at most 5 seconds more, for the server to end it.
    var watchRequestLimit: Duration { watchTimeout + min(watchTimeout, .seconds(5)) }
    /// How many times in a row a broken watch is reopened without an event in between.
    static let watchReconnects = 5
}

/// One watch stream: cuts curl's pieces into events and hands each to the receiver at once.
///
/// `@unchecked Sendable`: curl calls `take` only on the thread running `KubeClient.watch`, during
/// the transfer, which is also where the receiver (a non-escaping closure made escapable for that
/// span) is valid; `outcome` is read on that thread after the transfer.
final class WatchStream: @unchecked Sendable {
    /// Why the stream stopped early, besides the receiver's stop.
    enum Ending {
        case status(KubeStatus)
        case garbage(String)
    }

    struct Outcome {
        var resourceVersion: String?
        var events = 0
        var stopped = false
        var thrown: HLSError?
        var ending: Ending?
    }

    private let receive: (KubeWatchEvent) throws(HLSError) -> KubeWatchDecision
    private var splitter = JSONValueSplitter()
    private(set) var outcome: Outcome

    init(receive: @escaping (KubeWatchEvent) throws(HLSError) -> KubeWatchDecision, resourceVersion: String?) {
        self.receive = receive
        outcome = Outcome(resourceVersion: resourceVersion)
    }

    /// A piece of the body; false ends the transfer.
    func take(_ piece: [UInt8]) -> Bool {
        for value in splitter.feed(piece) {
            let text = String(decoding: value, as: UTF8.self)
            guard let document = try? JSONCodec.decode(text, file: "watch event"),
                case .string(let type)? = document["type"], let object = document["object"]
            else {
                outcome.ending = .garbage(String(text.prefix(200)))
                return false
            }
            let event: KubeWatchEvent
            switch type {
            case "ADDED": event = .added(object)
            case "MODIFIED": event = .modified(object)
            case "DELETED": event = .deleted(object)
            case "BOOKMARK": event = .bookmark(resourceVersion: resourceVersion(of: object) ?? "")
            case "ERROR":
                outcome.ending = .status(KubeStatus(document: object))
                return false
            default:
                outcome.ending = .garbage("unknown event type \(type)")
                return false
            }
            if let version = resourceVersion(of: object) { outcome.resourceVersion = version }
            outcome.events += 1
            do {
                if try receive(event) == .stop {
                    outcome.stopped = true
                    return false
                }
            } catch {
                outcome.thrown = error
                return false
            }
        }
        return true
    }
}
