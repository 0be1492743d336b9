import HLSCore
import NIOSSL
import Synchronization
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The lab's GitHub: the git host over SSH (`SimulatedGitHost`) and its HTTPS side
/// (`SimulatedGitHubWeb`: the deploy-key API and release downloads), in `DIR/git`.
///
/// A client reaches them by the real names: `DIR/ssh_config.d/github.conf` (included by the
/// lab's `ssh_config`) maps `github.com` to the SSH port with its host key in
/// `DIR/git/known_hosts`, as a user's `~/.ssh/known_hosts` holds GitHub's; `HLSH_SIM_CONNECT_TO`
/// maps the HTTPS names to the web port, whose certificate the lab's "public" CA
/// (`HLSH_SIM_CA_FILE`, `DIR/git/web-ca.pem`) signed; `GITHUB_TOKEN` is the token its API
/// accepts (kept in `DIR/git/token`). The repositories the options name are created empty, and the invoking user's public
/// keys (`~/.ssh/*.pub`) are their owners' account keys, as a user's keys are on GitHub.
final class GitHostComponent: LabComponent {
    let directory: String
    let options: SimulatedLab.GitOptions
    let host: SimulatedGitHost
    private let web = Mutex<SimulatedGitHubWeb?>(nil)

    /// The invoking user's home, whose `.ssh/*.pub` are the account keys when the options name none.
    let home: String?
    /// Whether it writes the lab's `DIR/ssh_config` (`HLSH_SSH_CONFIG`): in a lab without
    /// simulated nodes, whose own `ssh_config` would include its entry.
    let writesLabSSHConfig: Bool

    init(
        directory: String, options: SimulatedLab.GitOptions, writesLabSSHConfig: Bool = false,
        home: String? = ProcessInfo.processInfo.environment["HOME"]
    ) {
        self.directory = directory
        self.options = options
        self.writesLabSSHConfig = writesLabSSHConfig
        self.home = home
        host = SimulatedGitHost(directory: directory + "/git")
    }

    var sshConfigPath: String { directory + "/ssh_config.d/github.conf" }
    var knownHostsPath: String { directory + "/git/known_hosts" }
    var caPath: String { directory + "/git/web-ca.pem" }
    var tokenPath: String { directory + "/git/token" }

    func start() throws(HLSError) -> [String: String] {
        try host.start()
        for repository in options.repositories { try host.createRepository(repository) }
        let owners = Set(options.repositories.map { String($0.prefix { $0 != "/" }) })
        for key in options.accountKeys ?? Self.userPublicKeys(home: home) {
            for owner in owners.sorted() { try? host.addAccountKey(owner: owner, key: key) }
        }
        guard let port = host.port, let hostKey = host.hostPublicKey else {
            throw HLSError(.failed, "the simulated git host did not start")
        }
        try writeSSHFiles(port: port, hostKey: hostKey)
        let token = try token()
        let started = SimulatedGitHubWeb(git: host, token: token, assets: options.assets())
        let webPort: Int
        do {
            webPort = try started.start(tls: try tlsContext())
        } catch let error as HLSError {
            throw error
        } catch {
            throw HLSError(.failed, "cannot start the simulated GitHub web server", cause: "\(error)")
        }
        web.withLock { $0 = started }
        let mapping = SimulatedGitHubWeb.hostNames.map { "\($0):443:127.0.0.1:\(webPort)" }
        var environment = [
            SimulatedLab.connectToVariable: mapping.joined(separator: ","), "HLSH_SIM_CA_FILE": caPath,
            "GITHUB_TOKEN": token,
        ]
        if writesLabSSHConfig { environment["HLSH_SSH_CONFIG"] = try writeLabSSHConfig() }
        return environment
    }

    /// `DIR/ssh_config`: the lab's GitHub entry, then the user's own (`~/.ssh/config`, which
    /// would otherwise apply alone); its path.
    private func writeLabSSHConfig() throws(HLSError) -> String {
        let path = directory + "/ssh_config"
        try EnvironmentFile.writePrivate(
            "# The simulated lab's GitHub, then your own configuration.\n"
                + "Include \(directory)/ssh_config.d/*.conf\nInclude ~/.ssh/config\n", to: path)
        return path
    }

    func stop() {
        web.withLock { web in
            web?.stop()
            web = nil
        }
        host.stop()
    }

    private func writeSSHFiles(port: UInt16, hostKey: String) throws(HLSError) {
        let config = """
            # GitHub in the simulated lab (written by the hlsh lab simulator at each start).
            Host github.com
                HostName 127.0.0.1
                Port \(port)
                User git
                UserKnownHostsFile \(knownHostsPath)

            """
        let knownHosts = "github.com \(hostKey)\n[127.0.0.1]:\(port) \(hostKey)\n"
        try EnvironmentFile.writePrivate(config, to: sshConfigPath)
        try EnvironmentFile.writePrivate(knownHosts, to: knownHostsPath)
    }

    /// The token its API accepts (`ghp_…`), made once and kept in `DIR/git/token` (mode 0600), so
    /// a `GITHUB_TOKEN` taken from `DIR/env` stays valid when the lab starts again.
    private func token() throws(HLSError) -> String {
        let text = (try? String(contentsOfFile: tokenPath, encoding: .utf8)) ?? ""
        if let kept = text.split(whereSeparator: \.isWhitespace).first, kept.hasPrefix("ghp_") { return String(kept) }
        let token = "ghp_" + Hex.encode((0..<18).map { _ in UInt8.random(in: 0...255) })
        try EnvironmentFile.writePrivate(token + "\n", to: tokenPath)
        return token
    }

    /// The web server's TLS: a certificate for GitHub's names from the lab's public CA, both made
    /// once and kept in `DIR/git`, so a client that trusts the CA keeps trusting it.
    private func tlsContext() throws(HLSError) -> NIOSSLContext {
        let fm = FileManager.default
        let caKey = directory + "/git/web-ca.key"
        let certificate = directory + "/git/web.pem"
        let key = directory + "/git/web.key"
        if !fm.fileExists(atPath: caPath) || !fm.fileExists(atPath: caKey) || !fm.fileExists(atPath: certificate) {
            let ca = try CertificateAuthority(
                subject: try CertificateAuthority.name("the lab's public CA") {
                    CommonName("hlsh simulated public root CA")
                    OrganizationName("hlsh lab simulator")
                })
            try ca.root.write(certificatePath: caPath, keyPath: caKey)
            let subject = try CertificateAuthority.name("github.com") { CommonName("github.com") }
            try ca.issueServer(subject: subject, dnsNames: SimulatedGitHubWeb.hostNames, ipAddresses: [])
                .write(certificatePath: certificate, keyPath: key)
        }
        do {
            let configuration = TLSConfiguration.simulatedServer(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw HLSError(.failed, "cannot load the TLS certificate \(certificate)", cause: "\(error)")
        }
    }

    /// The SSH public keys in `HOME/.ssh/*.pub`, `TYPE BASE64` each, by file name.
    static func userPublicKeys(home: String?) -> [String] {
        guard let home else { return [] }
        let dir = home + "/.ssh"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".pub") }.sorted().compactMap { name in
            guard let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) else { return nil }
            let words = text.split(whereSeparator: \.isWhitespace)
            return words.count >= 2 ? words.prefix(2).joined(separator: " ") : nil
        }
    }
}
