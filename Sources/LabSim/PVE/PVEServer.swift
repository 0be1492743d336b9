import HLSCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The HTTP/1.1 (optionally TLS) server in front of `PVEAPI`.
final class PVEHTTPServer: Sendable {
    private let api: PVEAPI
    private let listener = SimHTTPListener()

    init(api: PVEAPI) { self.api = api }

    /// Binds `host:port` (0 = any free port) and returns the bound port.
    func start(host: String, port: Int, tls: NIOSSLContext?) throws -> Int {
        let api = self.api
        return try listener.start(host: host, port: port, tls: tls) { PVEHTTPHandler(api: api) }
    }

    /// Closes the listener and every connection, then the event loop group.
    func stop() { listener.stop() }
}

/// One connection's request handler: collects a request, hands it to `PVEAPI`, writes the
/// answer (after its delay, if any), and closes the connection after errors as pveproxy does.
/// Confined to its channel's event loop.
final class PVEHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: PVEAPI
    private var collector = HTTPRequestCollector(limit: PVEAPI.maxPost)

    init(api: PVEAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let request = collector.add(unwrapInboundIn(data)) { respond(context: context, request) }
    }

    private func respond(context: ChannelHandlerContext, _ collected: CollectedRequest) {
        let head = collected.head
        let body = collected.body
        let declared = head.headers.first(name: "Content-Length").flatMap(Int.init) ?? body.count
        let request = PVEHTTPRequest(
            method: head.method.rawValue, path: String(collected.path), query: String(collected.query),
            headers: head.headers.map { ($0.name, $0.value) }, body: body, contentLength: max(declared, body.count))
        let response: PVEHTTPResponse
        if let te = head.headers.first(name: "Transfer-Encoding") {
            response = api.plainError(
                501,
                te.lowercased() == "chunked"
                    ? "chunked transfer encoding not supported" : "Unknown transfer encoding '\(te)'")
        } else {
            response = api.handle(request)
            api.settleGuests()
        }
        if response.delay > 0 {
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .nanoseconds(Int64(response.delay * 1e9))) {
                let (handler, context) = bound.value
                handler.write(response, for: head, context: context)
            }
        } else {
            write(response, for: head, context: context)
        }
    }

    private func write(_ response: PVEHTTPResponse, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        let now = Self.httpDate()
        headers.add(name: "Cache-Control", value: "max-age=0")
        headers.add(name: "Date", value: now)
        headers.add(name: "Expires", value: now)
        headers.add(name: "Pragma", value: "no-cache")
        headers.add(name: "Server", value: "pve-api-daemon/3.0")
        if let type = response.contentType { headers.add(name: "Content-Type", value: type) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        let keepAlive = head.isKeepAlive && !response.close
        headers.add(name: "Connection", value: keepAlive ? "Keep-Alive" : "close")
        // `.custom` keeps PVE's reason phrase; `init(statusCode:reasonPhrase:)` would swap in the standard one.
        let status = HTTPResponseStatus.custom(code: UInt(response.status), reasonPhrase: response.reason)
        context.writeResponse(status: status, headers: headers, body: response.body, for: head, keepAlive: keepAlive)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// RFC 7231 date, as HTTP::Date::time2str writes it.
    static func httpDate() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        var buffer = [Int8](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &tm)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
