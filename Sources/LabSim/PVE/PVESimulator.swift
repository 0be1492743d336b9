public import HLSCore
import NIOSSL
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A simulated Proxmox VE cluster API on loopback. `SimulatedLab` starts it for `hlsh --sim`,
/// `hlsh sim serve` and the tests; alone it is:
///
/// ```swift
/// let sim = PVESimulator(config: .seedLab())
/// let endpoint = try sim.start(tls: .generate(directory: dir))   // https://127.0.0.1:<port>/
/// try sim.writeEnvironment(to: dir)                              // DIR/env for other tools
/// defer { sim.stop() }
/// ```
///
/// The cluster's state starts fresh at each `start`. Thread-safe: every method may be called
/// from any thread.
public final class PVESimulator: Sendable {
    public let config: PVESimulatorConfig

    /// Where the simulator listens and how to trust it.
    public struct Endpoint: Sendable {
        public let host: String
        public let port: Int
        /// `https://127.0.0.1:PORT/` (or `http://` without TLS), as `PROXMOX_VE_ENDPOINT` wants it.
        public let url: String
        /// The cluster CA (`pve-root-ca.pem`) when TLS is on and the CA is known.
        public let caPath: String?
        /// SHA-256 fingerprint of the served certificate, `AA:BB:…` as PVE's `ssl_fingerprint`.
        public let fingerprint: String?
        /// `sha256//BASE64` of the served certificate's public key (curl's PINNEDPUBLICKEY).
        public let publicKeyPin: String?
    }

    public enum TLS: Sendable {
        /// Plain HTTP.
        case off
        /// Make (or reuse) `pve-root-ca.pem` and per-node certificates in `directory`, as PVE does.
        case generate(directory: String)
        /// Serve this certificate and key; `ca` is reported as the CA file if given.
        case files(certificate: String, key: String, ca: String?)
    }

    struct Running: Sendable {
        var server: PVEHTTPServer
        var api: PVEAPI
        var endpoint: Endpoint
    }

    let running = Mutex<Running?>(nil)
    private let faultInjector = PVEFaultInjector()
    private let powerOffFollower = Mutex<(@Sendable () -> Void)?>(nil)
    /// Each VM's guest as its config last said it, by VMID (`guests`).
    let guestViews = Mutex<[Int: GuestView]>([:])

    /// Has `body` run whenever a task took a VM down, before the API answers anyone again (the
    /// lab's nodes stop the VM's SSH server in it): a stop task's `OK` means the VM is off.
    public func followPowerOff(_ body: @escaping @Sendable () -> Void) {
        powerOffFollower.withLock { $0 = body }
    }

    public init(config: PVESimulatorConfig = .seedLab()) {
        self.config = config
    }

    /// Starts serving on `host` (loopback only) and `port` (0 picks a free one).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: TLS) throws(HLSError) -> Endpoint {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw HLSError(.usage, "the simulator listens on loopback only, not on \(host)")
        }
        if running.withLock({ $0 != nil }) { throw HLSError(.usage, "the PVE simulator is already running") }
        var sslContext: NIOSSLContext?
        var caPath: String?
        var identity: CertificateIdentity?
        var fingerprints: [String: String] = [:]
        let local = config.nodes.first?.name ?? "pve"
        switch tls {
        case .off:
            break
        case .generate(let directory):
            let ca = PVECertificates(directory: directory)
            try ca.ensure(nodes: config.nodes.map(\.name))
            for node in config.nodes {
                fingerprints[node.name] = try CertificateIdentity(certificatePath: ca.certificatePath(node: node.name))
                    .fingerprint
            }
            identity = try CertificateIdentity(certificatePath: ca.certificatePath(node: local))
            sslContext = try Self.context(certificate: ca.certificatePath(node: local), key: ca.keyPath(node: local))
            caPath = ca.caPath
        case .files(let certificate, let key, let ca):
            identity = try CertificateIdentity(certificatePath: certificate)
            for node in config.nodes { fingerprints[node.name] = identity?.fingerprint }
            sslContext = try Self.context(certificate: certificate, key: key)
            caPath = ca
        }
        let api = PVEAPI(
            config: config, fingerprints: fingerprints, faults: faultInjector,
            guestsWentDown: { [weak self] in self?.powerOffFollower.withLock { $0 }?() })
        let server = PVEHTTPServer(api: api)
        let bound: Int
        do {
            bound = try server.start(host: host, port: port, tls: sslContext)
        } catch {
            server.stop()
            throw HLSError(.failed, "cannot listen on \(host):\(port)", cause: "\(error)")
        }
        let urlHost = host.contains(":") ? "[\(host)]" : host
        let endpoint = Endpoint(
            host: host, port: bound, url: "\(sslContext == nil ? "http" : "https")://\(urlHost):\(bound)/",
            caPath: caPath,
            fingerprint: identity?.fingerprint, publicKeyPin: identity?.publicKeyPin)
        running.withLock { $0 = Running(server: server, api: api, endpoint: endpoint) }
        return endpoint
    }

    /// The endpoint while running.
    public var endpoint: Endpoint? { running.withLock { $0?.endpoint } }

    /// Stops listening, closes every connection and the event loops. Safe to call twice.
    public func stop() {
        let current = running.withLock { r -> Running? in
            defer { r = nil }
            return r
        }
        current?.server.stop()
    }

    /// What a client needs to reach the running API, trust it and log in (empty while stopped):
    /// the bpg provider's variables (`PROXMOX_VE_ENDPOINT`, `PROXMOX_VE_API_TOKEN` and
    /// `PROXMOX_VE_USERNAME`/`PROXMOX_VE_PASSWORD` of `root@pam`, `PROXMOX_VE_INSECURE=false`) and
    /// hlsh's trust settings (`HLSH_PVE_CA_FILE`, `HLSH_PVE_FINGERPRINT`, `HLSH_PVE_PUBLIC_KEY_PIN`).
    public var clientEnvironment: [String: String] {
        guard let endpoint else { return [:] }
        var env = ["PROXMOX_VE_ENDPOINT": endpoint.url, "PROXMOX_VE_INSECURE": "false"]
        if let token = config.tokens.first(where: { $0.userid == "root@pam" }) ?? config.tokens.first {
            env["PROXMOX_VE_API_TOKEN"] = "\(token.tokenID)=\(token.secret)"
        }
        if let user = config.users.first(where: { $0.userid == "root@pam" }) ?? config.users.first {
            env["PROXMOX_VE_USERNAME"] = user.userid
            env["PROXMOX_VE_PASSWORD"] = user.password
        }
        env["HLSH_PVE_CA_FILE"] = endpoint.caPath
        env["HLSH_PVE_FINGERPRINT"] = endpoint.fingerprint
        env["HLSH_PVE_PUBLIC_KEY_PIN"] = endpoint.publicKeyPin
        return env
    }

    /// Writes `DIR/env` (mode 0600) with `clientEnvironment` as shell `export` lines, the CA
    /// copied to `DIR/pve-root-ca.pem` if it lives elsewhere.
    public func writeEnvironment(to dir: String) throws(HLSError) {
        guard endpoint != nil else { throw HLSError(.usage, "the PVE simulator is not running") }
        var env = clientEnvironment
        let fm = FileManager.default
        if let ca = env["HLSH_PVE_CA_FILE"] {
            let target = dir + "/pve-root-ca.pem"
            if URL(fileURLWithPath: ca).standardized.path != URL(fileURLWithPath: target).standardized.path {
                do {
                    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    try? fm.removeItem(atPath: target)
                    try fm.copyItem(atPath: ca, toPath: target)
                } catch {
                    throw HLSError(.failed, "cannot copy the simulator's CA to \(target)", cause: "\(error)")
                }
            }
            env["HLSH_PVE_CA_FILE"] = target
        }
        try EnvironmentFile.write(env, to: dir + "/env")
    }

    /// Every API request served so far, as `METHOD /path` without the query, oldest first.
    public var requestLog: [String] { running.withLock { $0?.api.requestLog.withLock { $0 } } ?? [] }

    /// Arms a fault (see `PVEFault`); it also works before `start`.
    public func injectFault(_ fault: PVEFault) { faultInjector.inject(fault) }

    /// Disarms every fault.
    public func resetFaults() { faultInjector.reset() }

    /// The faults still armed.
    public var faults: [PVEFault] { faultInjector.armed }

    private static func context(certificate: String, key: String) throws(HLSError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let configuration = TLSConfiguration.simulatedServer(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw HLSError(.failed, "cannot load the TLS certificate \(certificate)", cause: "\(error)")
        }
    }
}
