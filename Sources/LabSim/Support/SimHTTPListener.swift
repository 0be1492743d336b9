import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The listening half every simulated HTTP API shares (the PVE API, the Kubernetes API): an
/// HTTP/1.1 server on swift-nio, optionally behind TLS, with one request handler per connection.
/// It owns its event loop group; the listening channel is kept in a mutex so `stop` may come from
/// any thread.
final class SimHTTPListener: Sendable {
    let group: MultiThreadedEventLoopGroup
    private let channel = Mutex<(any Channel)?>(nil)

    init(group: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)) {
        self.group = group
    }

    /// Binds `host:port` (0 = any free port), puts each connection behind `tls` (when given) and
    /// the HTTP/1.1 codec, hands its requests to a fresh `handler()`, and returns the bound port.
    func start(
        host: String, port: Int, tls: NIOSSLContext?,
        handler: @escaping @Sendable () -> any ChannelHandler & RemovableChannelHandler
    ) throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY is a TCP-level option: as a socket-level one it would be SO_DEBUG, which
            // only root may set (every connection was reset for other users).
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
        let bound = try bootstrap.bind(host: host, port: port).wait()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    /// Closes the listener and every connection, then the event loop group. Safe to call twice.
    func stop() {
        let bound = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? bound?.close().wait()
        try? group.syncShutdownGracefully()
    }
}

extension TLSConfiguration {
    /// A server configuration for a simulated API: `chain` and `key`, and a close that does not
    /// wait for the client's `close_notify`. swift-nio-ssl waits up to 5 s for it by default, and
    /// an idle pooled client (curl, kubectl) never answers, so every stop of a lab took 5 s per
    /// open connection; the real servers (pveproxy, the apiserver) just close.
    static func simulatedServer(
        certificateChain chain: [NIOSSLCertificateSource], privateKey key: NIOSSLPrivateKeySource
    ) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        configuration.shutdownTimeout = .milliseconds(50)
        return configuration
    }
}

extension ChannelHandlerContext {
    /// Writes one HTTP response to a request with `head`: its head, its body (not for HEAD), its
    /// end, then closes the connection unless it stays open (`keepAlive`).
    func writeResponse(
        status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8], for head: HTTPRequestHead, keepAlive: Bool
    ) {
        let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
        write(NIOAny(HTTPServerResponsePart.head(response)), promise: nil)
        if head.method != .HEAD, !body.isEmpty {
            var buffer = channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = eventLoop.makePromise(of: Void.self)
        writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: done)
        if !keepAlive {
            let channel = self.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
