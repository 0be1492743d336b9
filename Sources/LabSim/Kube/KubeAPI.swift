import HLSCore
import HLSFormats
import NIOCore
import Synchronization

/// How the simulated API server behaves: its version, who may call it, and timings.
struct KubeAPIConfig: Sendable {
    var gitVersion = "v1.33.4+k3s1"
    /// Bearer tokens and the users they authenticate.
    var tokens: [String: KubeUser] = [:]
    /// `host:port` clients reach the server at (for `/api`'s serverAddressByClientCIDRs).
    var serverAddress = "127.0.0.1:6443"
    /// Seconds between BOOKMARK events on watches that allow them.
    var bookmarkInterval: Double = 15
    /// Seconds the namespace controller waits before emptying a terminating namespace.
    var namespaceCleanupDelay: Double = 0.05
}

/// The simulated Kubernetes API: authentication, routing and the verbs, over `KubeStore`.
/// Thread-safe; watches stream through `KubeStream`.
final class KubeAPI: Sendable {
    let store = KubeStore()
    let faults: KubeFaultInjector
    private let configuration: Mutex<KubeAPIConfig>
    /// The loop the simulated controllers (namespace deletion) run on.
    let controllers: any EventLoop
    /// Open watch streams, so a fault can drop them all.
    let openStreams = Mutex<[ObjectIdentifier: KubeStream]>([:])
    /// Every request served, `METHOD /path?decoded=query`, oldest first.
    let requestLog = Mutex<[String]>([])
    /// How many requests the simulated controllers made, by `METHOD /path` (no query): their
    /// traffic, which the request log leaves out.
    let inProcessRequests = Mutex<[String: Int]>([:])

    var config: KubeAPIConfig { configuration.withLock { $0 } }

    init(config: KubeAPIConfig, faults: KubeFaultInjector, controllers: any EventLoop) {
        configuration = Mutex(config)
        self.faults = faults
        self.controllers = controllers
        store.transact { state in KubeSeed.populate(&state) }
    }

    func updateConfig(_ change: (inout KubeAPIConfig) -> Void) { configuration.withLock { change(&$0) } }

    /// Authenticates the caller as k3s's apiserver does: a verified client certificate, else a
    /// known bearer token; anything else is 401 (anonymous access is off).
    func authenticate(_ request: KubeHTTPRequest) -> KubeUser? {
        if let user = request.certificateUser { return user }
        if let header = request.header("Authorization"), header.hasPrefix("Bearer ") {
            return config.tokens[String(header.dropFirst(7)).trimmingSpaces]
        }
        return nil
    }

    func handle(_ request: KubeHTTPRequest) -> KubeReply {
        let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        requestLog.withLock { $0.append("\(request.method) \(request.path)" + (query.isEmpty ? "" : "?" + query)) }
        guard authenticate(request) != nil else { return .complete(.status(.unauthorized)) }
        let fault = faults.requestFault(method: request.method, path: request.path)
        if let status = fault.status { return .complete(delayed(.status(status), fault.delay)) }
        do {
            switch try route(request) {
            case .complete(let response): return .complete(delayed(response, fault.delay))
            case .stream(let delay, let type, let start):
                return .stream(delay: delay + fault.delay, contentType: type, start)
            }
        } catch {
            return .complete(delayed(.status(error), fault.delay))
        }
    }

    /// A simulated controller's request (`KubeInProcessClient`): routed, validated and recorded
    /// as an HTTP request is, but without authentication, the faults armed for clients or a line
    /// in the request log. A watch cannot be served this way (controllers follow the store).
    func serveInProcess(_ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        inProcessRequests.withLock { $0["\(request.method) \(request.path)", default: 0] += 1 }
        switch try route(request) {
        case .complete(let response): return response
        case .stream: throw KubeStatus.badRequest("a watch cannot be served in process")
        }
    }

    private func delayed(_ response: KubeHTTPResponse, _ delay: Double) -> KubeHTTPResponse {
        var copy = response
        copy.delay += delay
        return copy
    }

    private func route(_ request: KubeHTTPRequest) throws(KubeStatus) -> KubeReply {
        if let target = Self.serviceProxy(request.path) { return .complete(try proxy(target, request)) }
        let types = store.transact { $0.types }
        let route = KubeRoute.parse(request.path, types: types)
        if case .object(let target) = route { return try object(target, request) }
        if case .notFound = route { throw KubeStatus.pathNotFound }
        guard request.method == "GET" || request.method == "HEAD" else {
            throw KubeStatus.methodNotAllowed(request.method, "")
        }
        let document: Document
        switch route {
        case .version: document = KubeDiscovery.version(config.gitVersion)
        case .coreVersions: document = KubeDiscovery.coreVersions(serverAddress: config.serverAddress)
        case .groupList: document = KubeDiscovery.groupList(types)
        case .group(let name): document = KubeDiscovery.apiGroup(name, types)
        case .resourceList(let group, let version):
            document = KubeDiscovery.resourceList(group: group, version: version, types)
        case .openAPIRoot: document = KubeOpenAPI.root(types)
        case .openAPIDocument(let group, let version):
            guard !types.resources(group: group, version: version).isEmpty else { throw KubeStatus.pathNotFound }
            document = KubeOpenAPI.document(group, version, types)
        case .openAPIv2, .notFound, .object: throw KubeStatus.pathNotFound
        }
        return .complete(.json(200, document))
    }

    private func object(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeReply {
        let type = target.type
        switch (request.method, target.name, target.subresource) {
        case ("GET", nil, _):
            if request.flag("watch") { return try watch(target, request) }
            return .complete(try list(target, request))
        case ("GET", .some, "scale"), ("PUT", .some, "scale"), ("PATCH", .some, "scale"):
            return .complete(try scale(target, request))
        case ("GET", .some, "log"):
            return try podLog(target, request)
        case ("GET", .some(let name), _):
            guard let object = store.transact({ $0.get(type, namespace: target.namespace, name: name) }) else {
                throw KubeStatus.notFound(type, name)
            }
            if request.wantsTable {
                return .complete(.json(200, try KubeTable.table(type, [object], request: request, revision: nil)))
            }
            return .complete(.json(200, Self.render(object, type)))
        case ("POST", nil, _):
            defer { kubeletPass(after: type) }
            return .complete(try create(target, request))
        case ("POST", .some, "eviction"):
            return .complete(try evict(target, request))
        case ("POST", .some, "binding"):
            defer { kubeletPass(after: type) }
            return .complete(try bind(target, request))
        case ("PUT", .some, _):
            defer { kubeletPass(after: type) }
            return .complete(try replace(target, request))
        case ("PATCH", .some, _):
            defer { kubeletPass(after: type) }
            return .complete(try patch(target, request))
        case ("DELETE", .some, _):
            return .complete(try delete(target, request))
        case ("DELETE", nil, _):
            return .complete(try deleteCollection(target, request))
        default:
            throw KubeStatus.methodNotAllowed(request.method, type.kind)
        }
    }

    /// An object as sent: `kind` and `apiVersion` of the version asked for, first.
    static func render(_ object: Document, _ type: KubeResourceType) -> Document {
        .object(
            [("kind", .string(type.kind)), ("apiVersion", .string(type.apiVersion))]
                + object.pairs.filter { $0.key != "kind" && $0.key != "apiVersion" })
    }

    /// The request body as a document: JSON, YAML, or the protobuf envelope of typed clients
    /// (read as an object of `type`, the resource written).
    static func body(_ request: KubeHTTPRequest, accepted: [String], type: KubeResourceType) throws(KubeStatus)
        -> Document
    {
        let contentType =
            (request.header("Content-Type") ?? "application/json").split(separator: ";").first.map {
                String($0).trimmingSpaces
            } ?? "application/json"
        guard accepted.contains(contentType) else {
            throw KubeStatus.unsupportedMediaType(contentType, accepted: accepted)
        }
        if let document = request.document { return document }
        if contentType == "application/vnd.kubernetes.protobuf" {
            return try KubeProtobuf.decode(request.body, for: type)
        }
        let text = String(decoding: request.body, as: UTF8.self)
        do {
            if contentType.hasSuffix("json") || text.first == "{" || text.first == "[" {
                return try JSONCodec.decode(text)
            }
            return try YAMLCodec.decode(text)
        } catch {
            throw KubeStatus.badRequest("error decoding request body: \(error.message)")
        }
    }

    static let writeTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
}
