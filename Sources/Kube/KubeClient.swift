public import HLSCore
import HLSFormats
public import HLSTransport
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client of one Kubernetes API server, as one kubeconfig context describes it: the calls
/// (`KubeClient+Objects`, `+Watch`, `+Eviction`), discovery, and the one place where HTTP
/// responses and transport failures become errors that name the call, the context and the server.
///
/// Thread-safe: the endpoint is immutable; the exec plugin's credential, the HTTP client made
/// for it and the discovery cache sit behind mutexes.
public final class KubeClient: Sendable {
    public let endpoint: KubeEndpoint
    /// The environment exec credential plugins run with.
    let environment: [String: String]
    let retry: RetryPolicy
    let trace: (@Sendable (String) -> Void)?
    /// The HTTP client, remade when an exec plugin hands out a new client certificate.
    private let http: Mutex<HTTPClient>
    /// The exec plugin's current credential.
    private let execCredential = Mutex<ExecCredential?>(nil)
    let discoveryCache = Mutex<KubeDiscovery?>(nil)
    /// How long an eviction waits between tries when the server gives no Retry-After.
    let evictionRetryDelay: Duration
    /// Where connections to the API go instead of the server's address: the simulated lab's
    /// loopback mapping (`connectTo(environment:)`); empty on a real lab.
    let connectTo: [String]
    /// How long one watch request lasts: the server is asked to end it then (`timeoutSeconds`),
    /// and the client ends it a little later (`watchRequestLimit`) if the server did not — a
    /// half-open connection cannot hold a wait longer. The watch goes on from the last
    /// resourceVersion, as client-go's reflector does.
    let watchTimeout: Duration

    public init(
        endpoint: KubeEndpoint, environment: [String: String] = [:], retry: RetryPolicy = .default,
        evictionRetryDelay: Duration = .seconds(5), watchTimeout: Duration = .seconds(300),
        trace: (@Sendable (String) -> Void)? = nil
    ) {
        self.endpoint = endpoint
        self.environment = environment
        self.retry = retry
        self.trace = trace
        self.evictionRetryDelay = evictionRetryDelay
        self.watchTimeout = max(watchTimeout, .seconds(1))
        let connectTo = Self.connectTo(environment: environment)
        self.connectTo = connectTo
        http = Mutex(
            HTTPClient(tls: endpoint.tls, retry: retry, proxy: endpoint.proxy, connectTo: connectTo, trace: trace))
    }

    /// The variable in which a simulated lab (`hlsh --sim`, `sim serve`'s `DIR/env`) maps the
    /// k3s servers' addresses to its loopback API, as `ssh_config` maps the nodes for SSH: the
    /// kubeconfig keeps `https://192.168.10.21:6443`, and the certificate is checked against
    /// that address, but the connection goes to `127.0.0.1:PORT`.
    public static let simulatedConnectToVariable = "HLSH_SIM_KUBE_CONNECT_TO"

    /// The `HOST:PORT:CONNECT-HOST:CONNECT-PORT` entries of `simulatedConnectToVariable`
    /// (comma-separated); malformed ones are left out.
    static func connectTo(environment: [String: String]) -> [String] {
        HTTPClient.connectToEntries(environment[simulatedConnectToVariable])
    }

    /// The client for `context` (else the current one) of the kubeconfig kubectl would read.
    public convenience init(
        environment: [String: String], context: String? = nil, kubeconfig: String? = nil,
        trace: (@Sendable (String) -> Void)? = nil
    ) throws(HLSError) {
        let set = try KubeconfigSet.load(environment: environment, explicitPath: kubeconfig)
        self.init(endpoint: try set.endpoint(context: context), environment: environment, trace: trace)
    }

    /// Under `--sim` (`HLSH_SIM_LOOPBACK_ONLY=1`, as for SSH) a call goes only to loopback or
    /// through the simulated lab's mapping: a rehearsal never reaches a real cluster, whatever
    /// context the user's kubeconfig selects.
    private func checkSimulatedLabOnly(_ call: KubeCall) throws(HLSError) {
        guard environment["HLSH_SIM_LOOPBACK_ONLY"] == "1" else { return }
        let afterScheme = endpoint.server.firstRange(of: "://").map { endpoint.server[$0.upperBound...] } ?? ""
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
        let host =
            authority.hasPrefix("[")
            ? String(authority.prefix { $0 != "]" }) + "]"
            : String(authority.prefix { $0 != ":" })
        let port =
            authority.dropFirst(host.count).hasPrefix(":")
            ? String(authority.dropFirst(host.count + 1)) : (endpoint.server.hasPrefix("http://") ? "80" : "443")
        if isLoopbackHost(host) || connectTo.contains(where: { $0.hasPrefix("\(host):\(port):") }) { return }
        throw HLSError(
            .failed,
            "context \(endpoint.context) points at \(endpoint.server), which is not in the simulated lab",
            at: call.place,
            hint: "a rehearsal (--sim) never reaches a real cluster: pick the lab's context "
                + "(kubectl config use-context, or --context) after `node kubeconfig`")
    }

    // MARK: The choke point

    /// A response and, when it is not 2xx, the Status it carries.
    struct Reply {
        var response: HTTPResponse
        var status: KubeStatus?
        var call: KubeCall

        /// The decoded body of a 2xx response (null when empty).
        func document(_ client: KubeClient) throws(HLSError) -> Document {
            if let status { throw status.error(for: call, endpoint: client.endpoint) }
            if response.body.isEmpty { return .null }
            do {
                return try JSONCodec.decode(response.bodyText, file: "\(call.method) \(call.path)")
            } catch {
                throw HLSError(
                    .failed, "the API server's answer is not JSON", at: call.place,
                    cause: String(response.bodyText.prefix(200)))
            }
        }
    }

    /// Sends `call` with the context's credentials. A 401 from an exec plugin's credential runs
    /// the plugin again and repeats the call once. Transport failures are named with the context
    /// and the server; HTTP errors come back as a `Reply` with a `status`.
    func send(_ call: KubeCall, cancellation: Cancellation) throws(HLSError) -> Reply {
        var reply = try sendOnce(call, cancellation: cancellation, refresh: false)
        if reply.response.status == 401, case .exec = endpoint.credential {
            reply = try sendOnce(call, cancellation: cancellation, refresh: true)
        }
        if reply.response.status == 401 { throw unauthorized(reply) }
        return reply
    }

    /// `send`, then the decoded body of a 2xx response or the Status as an error.
    func object(_ call: KubeCall, cancellation: Cancellation) throws(HLSError) -> Document {
        try send(call, cancellation: cancellation).document(self)
    }

    private func sendOnce(_ call: KubeCall, cancellation: Cancellation, refresh: Bool) throws(HLSError) -> Reply {
        try checkSimulatedLabOnly(call)
        var headers: HTTPHeaders = ["Accept": call.accept]
        if let type = call.contentType { headers.add("Content-Type", type) }
        let client = try authorize(&headers, refresh: refresh, cancellation: cancellation)
        let request = HTTPRequest(
            method: call.method, url: endpoint.server + call.target, headers: headers, body: call.body,
            timeouts: call.timeouts, onData: call.onData)
        let response: HTTPResponse
        do {
            response = try client.send(request, cancellation: cancellation)
        } catch {
            throw unreachable(error, call: call)
        }
        return Reply(response: response, status: response.isSuccess ? nil : KubeStatus(response: response), call: call)
    }

    /// Adds the bearer token or basic credentials, and returns the HTTP client to use (one with
    /// the exec plugin's client certificate when it gave one).
    private func authorize(
        _ headers: inout HTTPHeaders, refresh: Bool, cancellation: Cancellation
    ) throws(HLSError) -> HTTPClient {
        switch endpoint.credential {
        case .none:
            break
        case .token(let token):
            headers.add("Authorization", "Bearer \(token)")
        case .tokenFile(let path):
            let bytes = try KubeconfigSet.readFile(
                path, field: "tokenFile",
                at: .field(file: endpoint.file, path: "users[\(endpoint.user)].user.tokenFile"))
            let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            headers.add("Authorization", "Bearer \(token)")
        case .basic(let username, let password):
            headers.add("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .exec(let config, let cluster):
            let credential = try currentExecCredential(
                config, cluster: cluster, refresh: refresh, cancellation: cancellation)
            if let token = credential.token { headers.add("Authorization", "Bearer \(token)") }
        }
        return http.withLock { $0 }
    }

    /// The plugin's cached credential while fresh, else a new one (and, for a new client
    /// certificate, a new HTTP client that presents it).
    private func currentExecCredential(
        _ config: KubeExecConfig, cluster: Document?, refresh: Bool, cancellation: Cancellation
    ) throws(HLSError) -> ExecCredential {
        let now = Date().timeIntervalSince1970
        if !refresh, let cached = execCredential.withLock({ $0 }), cached.isFresh(now: now) { return cached }
        let made = try ExecCredentialPlugin.run(
            config, cluster: cluster, environment: environment, context: endpoint.context, cancellation: cancellation)
        execCredential.withLock { $0 = made }
        if let certificate = made.clientCertificate, let key = made.clientKey {
            var tls = endpoint.tls
            tls.clientCertificate = .pem(certificate)
            tls.clientKey = .pem(key)
            let client = HTTPClient(tls: tls, retry: retry, proxy: endpoint.proxy, connectTo: connectTo, trace: trace)
            http.withLock { $0 = client }
        }
        return made
    }

    /// A transport failure, named with the context and the server.
    private func unreachable(_ error: HLSError, call: KubeCall) -> HLSError {
        guard error.kind != .interrupted else { return error.located(call.place) }
        let lead = "Kubernetes API of context \(endpoint.context) (\(endpoint.server))"
        var hint: String
        if error.message.hasPrefix("certificate problem") {
            hint =
                "the server's certificate is not signed by the certificate-authority of cluster \(endpoint.cluster) "
                + "in \(endpoint.file); if the cluster was reinstalled, fetch its kubeconfig again (node kubeconfig)"
        } else if error.message.hasPrefix("cannot use the client certificate") {
            hint = "the client-certificate or client-key of user \(endpoint.user) in \(endpoint.file) is not usable PEM"
        } else if error.message.hasPrefix("TLS handshake") {
            hint =
                "the server refused the TLS handshake: is the client certificate of user \(endpoint.user) "
                + "signed by this cluster's CA, and is \(endpoint.server) the cluster's address?"
        } else {
            hint =
                "is the cluster up, and is \(endpoint.server) its address? (context \(endpoint.context) in \(endpoint.file))"
        }
        return HLSError(error.kind, "\(lead): \(error.message)", at: call.place, hint: hint, cause: error.cause)
    }

    /// A 401, named with the user, the context and the server.
    private func unauthorized(_ reply: Reply) -> HLSError {
        let hint: String
        switch endpoint.credential {
        case .token, .tokenFile: hint = "the bearer token of user \(endpoint.user) is wrong or has expired"
        case .exec(let config, _): hint = "the token from the exec plugin \(config.command) was refused"
        case .basic: hint = "the username and password of user \(endpoint.user) were refused"
        case .none:
            hint =
                endpoint.tls.clientCertificate == nil
                ? "user \(endpoint.user) has no credentials"
                : "the client certificate of user \(endpoint.user) has expired or is signed by another CA; "
                    + "fetch the cluster's kubeconfig again (node kubeconfig)"
        }
        return HLSError(
            .failed,
            "the Kubernetes API of context \(endpoint.context) (\(endpoint.server)) refused the credentials of user "
                + "\(endpoint.user): \(reply.status?.message ?? "Unauthorized")",
            at: reply.call.place, hint: hint)
    }
}
