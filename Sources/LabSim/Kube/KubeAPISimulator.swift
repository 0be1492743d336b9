public import HLSCore
import HLSFormats
import NIOSSL
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A simulated Kubernetes API server (a k3s server's) on loopback, for the simulated lab and tests.
///
/// ```swift
/// let sim = KubeAPISimulator()
/// let endpoint = try sim.start()                      // https://127.0.0.1:<port>
/// try sim.writeKubeconfig(to: dir + "/kubeconfig")    // what kubectl --kubeconfig reads
/// try sim.registerNode(.init(name: "k3s-cp-01", internalIP: "192.168.10.21", controlPlane: true,
///                           version: "v1.33.4+k3s1"))
/// defer { sim.stop() }
/// ```
///
/// Its objects start fresh at each `start`. Thread-safe.
public final class KubeAPISimulator: Sendable {
    public struct Endpoint: Sendable {
        public let host: String
        public let port: Int
        /// `https://127.0.0.1:PORT`.
        public let url: String
        /// The server CA (PEM), which clients trust.
        public let certificateAuthorityPEM: String
    }

    /// Knobs tests turn: the version served, tokens, and how fast things happen.
    public struct Options: Sendable {
        /// `/version`'s gitVersion (k3s's).
        public var version = "v1.33.4+k3s1"
        /// Bearer tokens and the user each authenticates as.
        public var tokens: [String: String] = [:]
        /// Extra addresses (a node IP) and names on the serving certificate.
        public var addresses: [String] = []
        public var dnsNames: [String] = []
        /// Where the certificates live (k3s's `server/tls`); nil keeps them in memory.
        public var certificateDirectory: String?
        /// Seconds between BOOKMARK events on watches that allow them.
        public var bookmarkInterval: Double = 15
        /// Seconds cert-manager's webhook takes to answer once its Deployment is available (as the
        /// real one often lags its pod), refusing cert-manager's objects meanwhile.
        public var certManagerWebhookLag: Double = 0
        /// The factor on every requeue time the cluster's controllers ask for (a retry, a
        /// dependency not yet ready, a health check's next look, a resync interval): 1 as the
        /// real controllers do; `PVESimulatorConfig.Timings.zero`'s is small, so a rehearsal does
        /// not wait out a real controller's minute.
        public var requeueScale: Double = 1
        public init() {}
    }

    struct Running: Sendable {
        var server: KubeHTTPServer
        var api: KubeAPI
        var certificates: KubeCertificates
        var endpoint: Endpoint
        var controllers: KubeControllerRunner
    }

    public let options: Options
    /// The cluster's controllers — k3s's built-in ones (`K3sBuiltInControllers`), then those
    /// given (k3s's ServiceLB, what the lab installs) — run while the API serves (ADR 0024).
    private let controllers: [any SimulatedController]
    /// The admission webhooks it serves in process (cert-manager's), by the name configurations call.
    private let webhooks: [KubeSimulatedWebhook]
    /// What listens behind the pods the simulator runs in process (Loki), for the service proxy.
    private let backends: [KubeServiceBackend]
    private let running = Mutex<Running?>(nil)
    private let faultInjector = KubeFaultInjector()

    public init(options: Options = Options()) {
        self.options = options
        controllers = K3sBuiltInControllers.all
        webhooks = []
        backends = []
    }

    /// A simulator whose API runs `controllers` from `start` to `stop`, serves `webhooks`, and
    /// proxies to `backends`.
    init(
        options: Options, controllers: [any SimulatedController], webhooks: [KubeSimulatedWebhook] = [],
        backends: [KubeServiceBackend] = []
    ) {
        self.options = options
        self.controllers = K3sBuiltInControllers.all + controllers
        self.webhooks = webhooks
        self.backends = backends
    }

    /// Starts serving on `host` (loopback only) and `port` (0 picks a free one).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) throws(HLSError) -> Endpoint {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw HLSError(.usage, "the simulated Kubernetes API listens on loopback only, not on \(host)")
        }
        if running.withLock({ $0 != nil }) { throw HLSError(.usage, "the simulated Kubernetes API is already running") }
        let certificates = try KubeCertificates(
            directory: options.certificateDirectory, addresses: options.addresses, dnsNames: options.dnsNames)
        let context: NIOSSLContext
        do {
            context = try KubeHTTPServer.context(serving: certificates.serving, clientCA: certificates.clientCA)
        } catch {
            throw HLSError(.failed, "cannot set up TLS for the simulated Kubernetes API", cause: "\(error)")
        }
        var config = KubeAPIConfig()
        config.gitVersion = options.version
        config.bookmarkInterval = options.bookmarkInterval
        for (token, user) in options.tokens { config.tokens[token] = KubeUser(name: user, groups: ["system:masters"]) }
        let server = KubeHTTPServer.make(config: config, faults: faultInjector)
        let bound: Int
        do {
            bound = try server.server.start(host: host, port: port, tls: context)
        } catch {
            server.server.stop()
            throw HLSError(.failed, "cannot listen on \(host):\(port)", cause: "\(error)")
        }
        server.api.updateConfig { $0.serverAddress = "\(host):\(bound)" }
        server.api.store.transact { state in
            for webhook in webhooks { state.webhooks[webhook.name] = webhook }
            state.serviceBackends = backends
        }
        let urlHost = host.contains(":") ? "[\(host)]" : host
        let endpoint = Endpoint(
            host: host, port: bound, url: "https://\(urlHost):\(bound)",
            certificateAuthorityPEM: try certificates.serverCA.certificatePEM())
        let runner = KubeControllerRunner(
            api: server.api, controllers: controllers, requeueScale: options.requeueScale)
        running.withLock {
            $0 = Running(
                server: server.server, api: server.api, certificates: certificates, endpoint: endpoint,
                controllers: runner)
        }
        runner.start()
        return endpoint
    }

    public var endpoint: Endpoint? { running.withLock { $0?.endpoint } }

    /// A client of the running API acting in process as `manager`, for a simulated server
    /// outside the controllers (Traefik's entry points read Ingresses, Services and Secrets
    /// through it) and for tests standing in for a component; nil when not running.
    func inProcessClient(manager: String) -> KubeInProcessClient? {
        running.withLock { $0.map { KubeInProcessClient(api: $0.api, manager: manager) } }
    }

    /// The running API, for the simulator's own tests and set-up (nil when stopped).
    var api: KubeAPI? { running.withLock { $0?.api } }

    /// Whether clients reach the API: false stops listening and drops every connection (a
    /// client's connection is refused), true listens again on the same port. The controllers run
    /// on either way. The lab turns it off while no control-plane VM runs its k3s server.
    func serve(_ on: Bool) throws(HLSError) {
        do { try current().server.listen(on) } catch let error as HLSError { throw error } catch {
            throw HLSError(.failed, "cannot listen on \(endpoint?.url ?? "the API's port") again", cause: "\(error)")
        }
    }

    /// Stops the controllers, then listening, and closes every connection. Safe to call twice.
    public func stop() {
        let current = running.withLock { r -> Running? in
            defer { r = nil }
            return r
        }
        current?.controllers.stop()
        current?.server.stop()
    }

    private func current() throws(HLSError) -> Running {
        guard let running = running.withLock({ $0 }) else {
            throw HLSError(.usage, "the simulated Kubernetes API is not running")
        }
        return running
    }

    /// A kubeconfig for the admin (or another user, with a fresh client certificate), pointing
    /// at `server` (default: this endpoint).
    public func kubeconfig(server: String? = nil, user: String? = nil, groups: [String] = []) throws(HLSError)
        -> String
    {
        let running = try current()
        let client =
            try user.map { (name: String) throws(HLSError) in
                try running.certificates.client(user: name, groups: groups)
            }
            ?? running.certificates.admin
        return try running.certificates.kubeconfig(server: server ?? running.endpoint.url, client: client)
    }

    /// Writes `kubeconfig(server:)` to `path` with mode 0600.
    public func writeKubeconfig(to path: String, server: String? = nil) throws(HLSError) {
        let text = try kubeconfig(server: server)
        try? FileManager.default.removeItem(atPath: path)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw HLSError(.failed, "cannot write the kubeconfig \(path)") }
    }

    /// Registers a node as its k3s kubelet would (called by the simulated k3s when it starts).
    public func registerNode(_ node: KubeNodeRegistration) throws(HLSError) {
        do { try current().api.register(node) } catch let status as KubeStatus {
            throw HLSError(.failed, "cannot register the node \(node.name)", cause: status.message)
        } catch { throw error as! HLSError }
    }

    /// k3s's supervisor checking a node's password (`KubeNodePasswords`): whether it lets the
    /// node in; its Secret is created on the node's first request.
    func ensureNodePassword(node: String, password: String) throws(HLSError) -> Bool {
        do { return try current().api.ensureNodePassword(node: node, password: password) } catch let status
            as KubeStatus
        {
            throw HLSError(.failed, "cannot check the node password of \(node)", cause: status.message)
        } catch { throw error as! HLSError }
    }

    /// A Warning Event about a node from k3s's server (`source.component` k3s-supervisor).
    func recordNodeWarning(_ node: String, reason: String, message: String) {
        try? current().api.store.transact {
            $0.recordEvent(
                about: .kubeletNode(node), type: "Warning", reason: reason, message: message,
                source: KubeEventSource(component: "k3s-supervisor"))
        }
    }

    /// Turns a node's Ready condition on or off.
    public func setNodeReady(_ name: String, _ ready: Bool) throws(HLSError) {
        do { try current().api.setNodeReady(name, ready) } catch let status as KubeStatus {
            throw HLSError(.failed, "cannot change the node \(name)", cause: status.message)
        } catch { throw error as! HLSError }
    }

    /// Appends `text` (one or more lines) to the log of a pod's container, as the container
    /// writing it would: what `pods/NAME/log` serves and `follow` streams.
    public func appendLog(namespace: String, pod: String, container: String, _ text: String) throws(HLSError) {
        try current().api.store.transact { $0.appendLog(namespace: namespace, pod: pod, container: container, text) }
    }

    /// Arms a fault; it also works before `start`.
    public func injectFault(_ fault: KubeFault) { faultInjector.inject(fault) }

    public func resetFaults() { faultInjector.reset() }

    public var faults: [KubeFault] { faultInjector.armed }

    /// Every request served so far, `METHOD /path?query` (query decoded), oldest first.
    public var requestLog: [String] { running.withLock { $0 }?.api.requestLog.withLock { $0 } ?? [] }

    /// Drops every open watch connection at once; how many there were.
    @discardableResult
    public func dropWatches() -> Int { running.withLock { $0 }?.api.dropWatches() ?? 0 }

    /// Forgets the change history: watches resuming from any earlier resourceVersion get 410.
    public func compactHistory() { running.withLock { $0 }?.api.store.transact { $0.compact() } }

    /// The object at `path` (`/api/v1/nodes/x`) as JSON text, nil when absent; for tests and the lab.
    public func object(path: String) -> String? {
        guard let api = running.withLock({ $0 })?.api else { return nil }
        let request = KubeHTTPRequest(
            method: "GET", path: path, query: [], headers: [], body: [],
            certificateUser: KubeUser(name: "system:admin", groups: ["system:masters"]))
        guard case .complete(let response) = api.handle(request), response.status == 200 else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }
}
