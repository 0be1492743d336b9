import HLSCore
import NIOSSL
import Synchronization
import X509

/// Traefik as the chart installs it (`SimulatedChart.traefik`), serving the cluster's Ingresses
/// on two loopback ports of its own, one HTTPS (`websecure`) and one HTTP (`web`), which a lab
/// maps from `:443` and `:80` (`HLSH_SIM_CONNECT_TO`). It answers only while its Deployment has
/// an available pod and its LoadBalancer Service has an address (k3s's ServiceLB gives it one):
/// before that a connection is closed at once, as nothing listens at a `<pending>` address.
///
/// For each request it reads the Ingresses afresh (`TraefikRoutes`): the Host picks the rule,
/// the backend Service's Ready pods decide between 200 and Traefik's 503 "no available server",
/// and an unknown host gets its 404 "404 page not found". The HTTPS port picks the certificate
/// by SNI from the TLS Secret of the Ingress that names the host, else Traefik's self-signed
/// "TRAEFIK DEFAULT CERT".
final class SimulatedTraefik: Sendable {
    /// The release's namespace and name: the lab's HelmRelease installs it as `traefik` in
    /// `traefik` (k3s's own Traefik, in `kube-system`, is disabled in the seed's config.yaml).
    let namespace: String
    let name: String
    let defaultCertificate: CertifiedKey
    private let listeners = Mutex<[SimHTTPListener]>([])

    init(namespace: String = "traefik", name: String = "traefik") throws(HLSError) {
        self.namespace = namespace
        self.name = name
        defaultCertificate = try CertificateAuthority.selfSignedServer(
            subject: CertificateAuthority.name("Traefik's default certificate") { CommonName("TRAEFIK DEFAULT CERT") },
            dnsNames: ["\(Self.randomLabel()).\(Self.randomLabel()).traefik.default"], days: 365)
    }

    /// The Deployment Traefik runs as.
    var workload: SimulatedWorkload { SimulatedWorkload(kind: .deployment, namespace: namespace, name: name) }

    /// The controller that publishes the Service's address on the Ingresses Traefik serves.
    var controller: TraefikIngressStatus { TraefikIngressStatus(traefik: self) }

    /// `status.loadBalancer.ingress` of Traefik's Service, empty while `<pending>`.
    func serviceAddresses(client: KubeInProcessClient) -> [Document] {
        let path = KubeResourceName.services.path(namespace: namespace, name: name)
        return (try? client.get(path))??.at(["status", "loadBalancer", "ingress"])?.items ?? []
    }

    /// Whether a connection gets an answer: the Deployment is available and the Service has an address.
    func answers(client: KubeInProcessClient) -> Bool {
        guard let deployment = try? client.get(workload.resource.path(namespace: namespace, name: name)),
            SimulatedWorkload.isAvailable(deployment, kind: .deployment)
        else { return false }
        return !serviceAddresses(client: client).isEmpty
    }

    /// Starts the HTTPS and HTTP listeners on loopback; returns their ports.
    func start(client: KubeInProcessClient) throws(HLSError) -> (https: Int, http: Int) {
        let secure = SimHTTPListener()
        let plain = SimHTTPListener()
        listeners.withLock { $0 = [secure, plain] }
        do {
            let tls = try tlsContext(client: client)
            let https = try secure.start(host: "127.0.0.1", port: 0, tls: tls) {
                TraefikHTTPHandler(traefik: self, client: client, secure: true)
            }
            let http = try plain.start(host: "127.0.0.1", port: 0, tls: nil) {
                TraefikHTTPHandler(traefik: self, client: client, secure: false)
            }
            return (https, http)
        } catch {
            throw HLSError(.failed, "cannot start the simulated Traefik", cause: "\(error)")
        }
    }

    func stop() {
        for listener in listeners.withLock({ l in
            defer { l = [] }
            return l
        }) { listener.stop() }
    }

    /// The `websecure` TLS context: the default certificate, swapped per SNI for the matching
    /// Ingress's Secret when it holds a usable `tls.crt` and `tls.key`.
    private func tlsContext(client: KubeInProcessClient) throws -> NIOSSLContext {
        let (chain, key) = try Self.sources(
            certificatePEM: defaultCertificate.certificatePEM(), keyPEM: defaultCertificate.keyPEM())
        var configuration = TLSConfiguration.simulatedServer(certificateChain: chain, privateKey: key)
        configuration.sslContextCallback = { [self] values, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let serverName = values.serverHostname, let (chain, key) = certificate(for: serverName, client: client) {
                override.certificateChain = chain
                override.privateKey = key
            }
            promise.succeed(override)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private func certificate(for serverName: String, client: KubeInProcessClient)
        -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource)?
    {
        guard let (namespace, secretName) = TraefikRoutes(client: client).tlsSecret(for: serverName),
            let secret = try? client.get(
                KubeResourceName.secrets.path(
                    namespace: namespace, name: secretName)),
            let certificate = secret.text("data", "tls.crt").flatMap(Base64.decode),
            let key = secret.text("data", "tls.key").flatMap(Base64.decode)
        else { return nil }
        return try? Self.sources(
            certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: String(decoding: key, as: UTF8.self))
    }

    private static func sources(certificatePEM: String, keyPEM: String) throws
        -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource)
    {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        guard !chain.isEmpty else { throw HLSError(.failed, "no certificate in the PEM") }
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        return (chain.map { .certificate($0) }, .privateKey(key))
    }

    /// 32 hex digits, as Traefik's generated default certificate names itself.
    private static func randomLabel() -> String {
        var rng = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}
