import HLSCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// The HTTPS server in front of `KubeAPI`, on swift-nio: HTTP/1.1 only (no ALPN, so clients
/// never try h2), TLS asking for a client certificate without requiring one.
final class KubeHTTPServer: Sendable {
    private let api: KubeAPI
    private let listener: SimHTTPListener
    var group: MultiThreadedEventLoopGroup { listener.group }

    init(api: KubeAPI, group: MultiThreadedEventLoopGroup) {
        self.api = api
        self.listener = SimHTTPListener(group: group)
    }

    /// Binds `host:port` (0 = any free port) and returns the bound port.
    func start(host: String, port: Int, tls: NIOSSLContext) throws -> Int {
        let api = self.api
        return try listener.start(host: host, port: port, tls: tls) { KubeHTTPHandler(api: api) }
    }

    func stop() { listener.stop() }

    /// Stops listening (connections refused) or listens again on the same port.
    func listen(_ on: Bool) throws {
        if on { try listener.reopen() } else { listener.close() }
    }

    /// The server's TLS context: the serving certificate, and client certificates verified
    /// against the client CA when presented (`RequestClientCert`, as the apiserver does).
    static func context(serving: CertifiedKey, clientCA: CertifiedKey) throws -> NIOSSLContext {
        let certificate = try NIOSSLCertificate(bytes: Array(serving.certificatePEM().utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(serving.keyPEM().utf8), format: .pem)
        let ca = try NIOSSLCertificate(bytes: Array(clientCA.certificatePEM().utf8), format: .pem)
        var configuration = TLSConfiguration.simulatedServer(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates([ca])
        configuration.applicationProtocols = []
        return try NIOSSLContext(configuration: configuration)
    }
}

/// One connection: collects each request, asks `KubeAPI` for the reply, writes it whole or as a
/// chunked stream. Confined to its channel's event loop.
final class KubeHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: KubeAPI
    private var collector = HTTPRequestCollector()
    private var stream: KubeStream?
    private var user: KubeUser??

    init(api: KubeAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let request = collector.add(unwrapInboundIn(data)) { respond(context: context, request) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream?.ended()
        stream = nil
        context.fireChannelInactive()
    }

    /// The user named by the verified client certificate, read once per connection.
    private func certificateUser(context: ChannelHandlerContext) -> KubeUser? {
        if let user { return user }
        var found: KubeUser?
        if let peer = try? context.pipeline.syncOperations.nioSSL_peerCertificate(),
            let der = try? peer.toDERBytes(), let certificate = try? Certificate(derEncoded: der)
        {
            var name = ""
            var groups: [String] = []
            for rdn in certificate.subject {
                for attribute in rdn {
                    if attribute.type == .RDNAttributeType.commonName { name = String(attribute.value) ?? name }
                    if attribute.type == .RDNAttributeType.organizationName, let o = String(attribute.value) {
                        groups.append(o)
                    }
                }
            }
            if !name.isEmpty { found = KubeUser(name: name, groups: groups) }
        }
        user = .some(found)
        return found
    }

    private func respond(context: ChannelHandlerContext, _ collected: CollectedRequest) {
        let head = collected.head
        let request = KubeHTTPRequest(
            method: head.method.rawValue, path: KubeHTTPRequest.percentDecode(String(collected.path)),
            query: KubeHTTPRequest.parseQuery(String(collected.query)),
            headers: head.headers.map { ($0.name, $0.value) },
            body: collected.body, certificateUser: certificateUser(context: context))
        switch api.handle(request) {
        case .complete(let response):
            if response.delay > 0 {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .nanoseconds(Int64(response.delay * 1e9))) {
                    let (handler, context) = bound.value
                    handler.write(response, for: head, context: context)
                }
            } else {
                write(response, for: head, context: context)
            }
        case .stream(let delay, let contentType, let start):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let open = {
                let (handler, context) = bound.value
                guard context.channel.isActive else { return }
                var headers = HTTPHeaders()
                headers.add(name: "Audit-Id", value: KubeIDs.uid())
                headers.add(name: "Cache-Control", value: "no-cache, private")
                headers.add(name: "Content-Type", value: contentType)
                headers.add(name: "Date", value: KubeHTTPHandler.httpDate())
                context.writeAndFlush(
                    handler.wrapOutboundOut(
                        .head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                    promise: nil)
                let stream = KubeStream(handler: handler, context: context)
                handler.stream = stream
                start(stream)
            }
            if delay > 0 {
                context.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { open() }
            } else {
                open()
            }
        }
    }

    func streamWrite(_ bytes: [UInt8], context: ChannelHandlerContext) {
        guard stream != nil, context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    func streamEnd(context: ChannelHandlerContext) {
        guard stream != nil else { return }
        stream = nil
        guard context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func write(_ response: KubeHTTPResponse, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Audit-Id", value: KubeIDs.uid())
        headers.add(name: "Cache-Control", value: "no-cache, private")
        headers.add(name: "Content-Type", value: response.contentType)
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.add(name: "Date", value: Self.httpDate())
        let body = response.body
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(
            wrapOutboundOut(
                .head(
                    HTTPResponseHead(
                        version: head.version, status: HTTPResponseStatus(statusCode: response.status),
                        headers: headers))),
            promise: nil)
        if head.method != .HEAD, !body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !head.isKeepAlive { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    static func httpDate() -> String { PVEHTTPHandler.httpDate() }
}

extension KubeHTTPServer {
    /// A server and its API sharing one event loop group (the API's controllers run on it).
    static func make(config: KubeAPIConfig, faults: KubeFaultInjector) -> (server: KubeHTTPServer, api: KubeAPI) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let api = KubeAPI(config: config, faults: faults, controllers: group.next())
        return (KubeHTTPServer(api: api, group: group), api)
    }
}
