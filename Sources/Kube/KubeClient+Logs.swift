public import HLSCore
import HLSTransport
import Synchronization

/// What `pods/NAME/log` is asked for (core/v1 `PodLogOptions`).
public struct KubeLogOptions: Sendable, Hashable {
    /// The container; nil lets the server pick the only one (and refuse when there are several).
    public var container: String?
    /// Only the last this many lines.
    public var tailLines: Int?
    /// Only lines written within this many seconds.
    public var sinceSeconds: Int?

    public init(container: String? = nil, tailLines: Int? = nil, sinceSeconds: Int? = nil) {
        self.container = container
        self.tailLines = tailLines
        self.sinceSeconds = sinceSeconds
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let container { query.append(("container", container)) }
        if let tailLines { query.append(("tailLines", String(tailLines))) }
        if let sinceSeconds { query.append(("sinceSeconds", String(sinceSeconds))) }
        return query
    }
}

extension KubeClient {
    /// The log of a pod's container as the server has it now (`text/plain`). Errors are the
    /// server's Status: an unknown container, several containers and none chosen, a container
    /// that has not started (400), no such pod (404).
    public func logs(
        pod: String, namespace: String? = nil, options: KubeLogOptions = KubeLogOptions(),
        cancellation: Cancellation = .never
    ) throws(HLSError) -> String {
        let call = logCall(pod: pod, namespace: namespace, query: options.query, onData: nil)
        let reply = try send(call, cancellation: cancellation)
        if let status = reply.status { throw status.error(for: call, endpoint: endpoint) }
        return reply.response.bodyText
    }

    /// Follows the log (`follow=true`): hands each line (without its newline) to `receive` as
    /// the server writes it, until the stream ends (the container stopped, the pod went) or
    /// `cancellation` fires (then it returns normally: that is how following is meant to end).
    public func followLogs(
        pod: String, namespace: String? = nil, options: KubeLogOptions = KubeLogOptions(),
        cancellation: Cancellation = .never, _ receive: @escaping @Sendable (String) -> Void
    ) throws(HLSError) {
        let lines = LogLineSplitter(receive)
        var call = logCall(
            pod: pod, namespace: namespace, query: options.query + [("follow", "true")],
            onData: { lines.take($0) })
        call.timeouts = .streaming
        let reply: Reply
        do {
            reply = try send(call, cancellation: cancellation)
        } catch  where error.kind == .interrupted && cancellation.isCancelled {
            lines.flush()
            return
        }
        if let status = reply.status { throw status.error(for: call, endpoint: endpoint) }
        lines.flush()
    }

    private func logCall(
        pod: String, namespace: String?, query: [(String, String)], onData: (@Sendable ([UInt8]) -> Bool)?
    ) -> KubeCall {
        KubeCall(
            method: "GET",
            path: KubeResource.pods.path(
                namespace: self.namespace(namespace, for: .pods), name: pod, subresource: "log"),
            query: query, accept: "application/json, */*", onData: onData)
    }
}

/// Cuts a followed log's pieces into lines. Sendable behind a mutex: curl hands pieces to it on
/// the thread running the transfer.
final class LogLineSplitter: Sendable {
    private let pending = Mutex<[UInt8]>([])
    private let receive: @Sendable (String) -> Void

    init(_ receive: @escaping @Sendable (String) -> Void) { self.receive = receive }

    /// A piece of the body; always true (the transfer goes on).
    func take(_ piece: [UInt8]) -> Bool {
        let complete = pending.withLock { buffer -> [String] in
            buffer += piece
            guard let last = buffer.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
            let lines = buffer[..<last].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            buffer.removeSubrange(...last)
            return lines.map { String(decoding: $0, as: UTF8.self) }
        }
        for line in complete { receive(line) }
        return true
    }

    /// A last line without a newline.
    func flush() {
        let rest = pending.withLock { buffer -> [UInt8] in
            defer { buffer = [] }
            return buffer
        }
        if !rest.isEmpty { receive(String(decoding: rest, as: UTF8.self)) }
    }
}
