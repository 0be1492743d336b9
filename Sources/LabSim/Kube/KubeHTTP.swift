import HLSCore
import HLSFormats
import NIOCore
import Synchronization

/// Who made a request: from the client certificate (CN is the user, O the groups) or a token.
struct KubeUser: Sendable, Equatable {
    var name: String
    var groups: [String]
}

/// One request as the API handlers see it, independent of NIO.
struct KubeHTTPRequest: Sendable {
    var method: String
    /// The path, percent-decoded.
    var path: String
    var query: [(name: String, value: String)]
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// The user of a verified client certificate, if the client presented one.
    var certificateUser: KubeUser?
    /// The body as a document, when a simulated controller sends one (`KubeInProcessClient`,
    /// `body` then empty): taken as it is rather than as its JSON written and read back, which
    /// is the same document.
    var document: Document? = nil

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func param(_ name: String) -> String? {
        query.last { $0.name == name }?.value
    }

    func flag(_ name: String) -> Bool {
        guard let value = param(name) else { return false }
        return value == "true" || value == "1" || value.isEmpty
    }

    /// `Accept` asks for a `meta.k8s.io` Table first (kubectl's get and get -w).
    var wantsTable: Bool {
        guard let accept = header("Accept") else { return false }
        let first = accept.split(separator: ",").first.map(String.init) ?? ""
        return first.contains("as=Table") && first.contains("g=meta.k8s.io")
    }

    /// Splits `a=1&b=x%20y` into decoded pairs (`+` is a space, as Go's ParseQuery reads it).
    static func parseQuery(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&").map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(pieces[0]), plusIsSpace: true)
            let value = pieces.count > 1 ? percentDecode(String(pieces[1]), plusIsSpace: true) : ""
            return (name, value)
        }
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let c = utf8.popFirst() {
            if c == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else if c == UInt8(ascii: "+"), plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A complete answer: status, JSON body (always `application/json`, trap 1 of the reference),
/// extra headers, and how long to hold it back (an injected slow answer).
struct KubeHTTPResponse: Sendable {
    var status: Int
    /// The JSON document answered, when the answer is one: a simulated controller's request
    /// takes it as it is (a value, so its own copy) rather than its JSON written and read back,
    /// which is the same document. Its bytes are written only when `body` is asked for.
    private(set) var document: Document?
    private var bytes: [UInt8]
    var contentType = "application/json"
    var headers: [(name: String, value: String)] = []
    var delay: Double = 0

    init(
        status: Int, body: [UInt8], contentType: String = "application/json",
        headers: [(name: String, value: String)] = [], delay: Double = 0
    ) {
        self.status = status
        bytes = body
        self.contentType = contentType
        self.headers = headers
        self.delay = delay
    }

    /// The bytes answered (the document's JSON, written on each read: read it once).
    var body: [UInt8] {
        get { document.map { Array(JSONCodec.encode($0).utf8) } ?? bytes }
        set {
            bytes = newValue
            document = nil
        }
    }

    static func json(_ status: Int, _ document: Document) -> KubeHTTPResponse {
        var response = KubeHTTPResponse(status: status, body: [])
        response.document = document
        return response
    }

    static func status(_ status: KubeStatus) -> KubeHTTPResponse {
        var response = json(status.code, status.document)
        if let retryAfter = status.retryAfter, retryAfter > 0 {
            response.headers.append(("Retry-After", String(retryAfter)))
        }
        return response
    }
}

/// What the API answers: a complete response, or a stream (a watch's JSON lines, a followed
/// log's text) that starts with 200 and writes until it finishes or the client goes away.
enum KubeReply: Sendable {
    case complete(KubeHTTPResponse)
    case stream(delay: Double, contentType: String = "application/json", @Sendable (KubeStream) -> Void)
}

/// The open end of a streamed response, usable from any thread: each `send` is written and
/// flushed on the connection's event loop in the order sent.
final class KubeStream: Sendable {
    let eventLoop: any EventLoop
    private let target: NIOLoopBound<(KubeHTTPHandler, ChannelHandlerContext)>
    /// The callbacks to run when the stream ends; nil once it has.
    private let closers = Mutex<[@Sendable () -> Void]?>([])

    init(handler: KubeHTTPHandler, context: ChannelHandlerContext) {
        eventLoop = context.eventLoop
        target = NIOLoopBound((handler, context), eventLoop: context.eventLoop)
    }

    func send(_ bytes: [UInt8]) {
        let target = self.target
        eventLoop.execute {
            let (handler, context) = target.value
            handler.streamWrite(bytes, context: context)
        }
    }

    /// Ends the response normally (the last chunk), keeping the connection.
    func finish() {
        let target = self.target
        eventLoop.execute {
            let (handler, context) = target.value
            handler.streamEnd(context: context)
        }
        ended()
    }

    /// Drops the connection without ending the response (an injected fault).
    func abort() {
        let target = self.target
        eventLoop.execute { target.value.1.close(promise: nil) }
        ended()
    }

    /// Runs `callback` when the stream ends, at once if it already has.
    func onEnd(_ callback: @escaping @Sendable () -> Void) {
        let run = closers.withLock { list -> Bool in
            guard list != nil else { return true }
            list?.append(callback)
            return false
        }
        if run { callback() }
    }

    func ended() {
        let callbacks = closers.withLock { list -> [@Sendable () -> Void] in
            defer { list = nil }
            return list ?? []
        }
        for callback in callbacks { callback() }
    }
}
