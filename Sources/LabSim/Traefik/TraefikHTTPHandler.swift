import HLSCore
import NIOCore
import NIOHTTP1

/// One connection to Traefik's `web` or `websecure` entry point: closed at once while Traefik
/// does not answer (`SimulatedTraefik.answers`), else each request is routed by its Host.
/// Confined to its channel's event loop.
final class TraefikHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let traefik: SimulatedTraefik
    private let client: KubeInProcessClient
    private let secure: Bool
    private var collector = HTTPRequestCollector(limit: 1 << 20)

    init(traefik: SimulatedTraefik, client: KubeInProcessClient, secure: Bool) {
        self.traefik = traefik
        self.client = client
        self.secure = secure
    }

    func channelActive(context: ChannelHandlerContext) {
        guard traefik.answers(client: client) else {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let request = collector.add(unwrapInboundIn(data)) else { return }
        let host = (request.head.headers.first(name: "Host") ?? "").split(separator: ":").first.map(String.init) ?? ""
        let (status, body) = answer(host: host, path: String(request.path))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        if status == 404 { headers.add(name: "X-Content-Type-Options", value: "nosniff") }
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        context.write(
            wrapOutboundOut(
                .head(
                    HTTPResponseHead(version: request.head.version, status: .init(statusCode: status), headers: headers)
                )
            ), promise: nil)
        if request.head.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let keepAlive = request.head.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// The status and body for a request to `host` and `path`: the backend's answer (a small
    /// body naming the pod that gave it), or Traefik's own 503 and 404.
    private func answer(host: String, path: String) -> (Int, String) {
        guard let backend = TraefikRoutes(client: client).backend(host: host, path: path, tls: secure) else {
            return (404, "404 page not found\n")
        }
        guard
            let service = try? client.get(
                KubeResourceName.services.path(namespace: backend.namespace, name: backend.service)),
            let pod = readyPods(selectedBy: service, in: backend.namespace).first
        else { return (503, "no available server\n") }
        return (200, "\(backend.service) answered from \(pod) for \(host)\(path)\n")
    }

    /// The names of the Ready, running pods the Service's selector picks.
    private func readyPods(selectedBy service: Document, in namespace: String) -> [String] {
        let selector = service.at(["spec", "selector"])?.stringMap ?? [:]
        guard !selector.isEmpty else { return [] }
        let labels = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let pods =
            (try? client.list(
                KubeResourceName.pods.path(namespace: namespace),
                labelSelector: labels)) ?? []
        return pods.filter { pod in
            pod.at(["metadata", "deletionTimestamp"]) == nil
                && (pod.at(["status", "conditions"])?.items ?? []).contains {
                    $0.text("type") == "Ready" && $0.text("status") == "True"
                }
        }.compactMap { $0.text("metadata", "name") }.sorted()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
