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
    /// What `start` bound, for `reopen`: the listener's address, TLS and handler.
    private let bound = Mutex<Binding?>(nil)
    /// The open connections, which `close` drops.
    private let connections = OpenConnections()

    init(group: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)) {
        self.group = group
    }

    /// Binds `host:port` (0 = any free port), puts each connection behind `tls` (when given) and
    /// the HTTP/1.1 codec, hands its requests to a fresh `handler()`, and returns the bound port.
    func start(
        host: String, port: Int, tls: NIOSSLContext?,
        handler: @escaping @Sendable () -> any ChannelHandler & RemovableChannelHandler
    ) throws -> Int {
        var binding = Binding(host: host, port: port, tls: tls, handler: handler)
        let listening = try bind(binding)
        channel.withLock { $0 = listening }
        binding.port = listening.localAddress?.port ?? port
        bound.withLock { $0 = binding }
        return binding.port
    }

    struct Binding: Sendable {
        var host: String
        var port: Int
        var tls: NIOSSLContext?
        var handler: @Sendable () -> any ChannelHandler & RemovableChannelHandler
    }

    private func bind(_ binding: Binding) throws -> any Channel {
        let (tls, handler) = (binding.tls, binding.handler)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY is a TCP-level option: as a socket-level one it would be SO_DEBUG, which
            // only root may set (every connection was reset for other users).
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [connections] channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
        return try bootstrap.bind(host: binding.host, port: binding.port).wait()
    }

    /// Stops listening and drops every open connection, keeping the port for `reopen`: a
    /// client then meets a refused connection, as at a host whose server does not run.
    func close() {
        let listening = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? listening?.close().wait()
        for connection in connections.all { try? connection.close().wait() }
    }

    /// Listens again on the port `start` bound, after `close`; does nothing while listening.
    func reopen() throws {
        guard channel.withLock({ $0 == nil }), let binding = bound.withLock({ $0 }) else { return }
        let listening = try bind(binding)
        channel.withLock { $0 = listening }
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

/// The connections a listener has open, each removed once it closes.
private final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: id) } }
    }

    var all: [any Channel] { channels.withLock { Array($0.values) } }
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
