import HLSCore
import Synchronization
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Let's Encrypt as the lab's ACME servers: its production and staging directories, each with a
/// CA hierarchy named as Let's Encrypt's is (production: `ISRG Root X1` → `R11`; staging, which
/// no browser trusts: `(STAGING) Pretend Pear X1` → `(STAGING) Wannabe Watercress R11`). It
/// registers accounts and signs what a valid order finalizes with the environment's
/// intermediate, returning the chain (leaf, intermediate) as Let's Encrypt serves it. Any other
/// directory URL is a host that does not resolve, as from a cluster without DNS for it.
///
/// The hierarchies are made on first use, and kept in `directory` when one is given, so a
/// client that trusts the production root keeps trusting it across lab starts. Keys are EC
/// P-256 (Let's Encrypt's R11 is RSA): what matters here is a real, verifiable chain.
final class SimulatedLetsEncrypt: Sendable {
    static let productionURL = "https://acme-v02.api.letsencrypt.org/directory"
    static let stagingURL = "https://acme-staging-v02.api.letsencrypt.org/directory"

    /// One environment's CAs.
    struct Hierarchy: Sendable {
        var root: CertifiedKey
        var intermediate: CertificateAuthority
    }

    let directory: String?
    private let state = Mutex<(hierarchies: [String: Hierarchy], accounts: Int)>(([:], 0))

    init(directory: String? = nil) { self.directory = directory }

    /// The account URL for a new registration with the directory `server`, or the error
    /// cert-manager's ACME client reports when there is no such server.
    func register(server: String) -> Result<String, HLSError> {
        guard let base = Self.base(server) else { return .failure(Self.unreachable(server)) }
        let number = state.withLock { s in
            s.accounts += 1
            return 100_000_000 + s.accounts
        }
        return .success("\(base)/acme/acct/\(number)")
    }

    /// The URL under which the directory `server` serves orders (`https://HOST`), nil for a
    /// directory that is not Let's Encrypt's.
    static func base(_ server: String) -> String? {
        [productionURL, stagingURL].contains(server) ? String(server.dropLast("/directory".count)) : nil
    }

    /// Signs the CSR for `seconds` with `server`'s intermediate: the chain, leaf then intermediate, as PEM.
    func issue(requestPEM: String, server: String, seconds: Int) throws(HLSError) -> String {
        let hierarchy = try hierarchy(server)
        do {
            let leaf = try CertManagerSigner.sign(
                requestPEM: requestPEM, issuer: hierarchy.intermediate.root, ownKeyPEM: nil, seconds: seconds,
                isCA: false)
            return try leaf.serializeAsPEM().pemString + "\n" + hierarchy.intermediate.root.certificatePEM() + "\n"
        } catch let error as HLSError {
            throw error
        } catch {
            throw HLSError(.failed, "the simulated Let's Encrypt cannot sign the order", cause: "\(error)")
        }
    }

    /// The production root, which browsers and operating systems trust (`ISRG Root X1`).
    func productionRoot() throws(HLSError) -> CertifiedKey { try hierarchy(Self.productionURL).root }

    /// The staging root, which nothing trusts by default.
    func stagingRoot() throws(HLSError) -> CertifiedKey { try hierarchy(Self.stagingURL).root }

    /// `server`'s CAs, made (or read from `directory`) on first use.
    func hierarchy(_ server: String) throws(HLSError) -> Hierarchy {
        if let made = state.withLock({ $0.hierarchies[server] }) { return made }
        guard Self.base(server) != nil else { throw Self.unreachable(server) }
        let staging = server == Self.stagingURL
        let made = try kept(staging ? "staging" : "production") { () throws(HLSError) in
            try Self.make(staging: staging)
        }
        return state.withLock { s in
            if let made = s.hierarchies[server] { return made }
            s.hierarchies[server] = made
            return made
        }
    }

    private func kept(_ name: String, make: () throws(HLSError) -> Hierarchy) throws(HLSError) -> Hierarchy {
        guard let directory else { return try make() }
        let files = ["root", "intermediate"].map { "\(directory)/\(name)-\($0)" }
        if let root = try? CertifiedKey(certificatePath: files[0] + ".pem", keyPath: files[0] + ".key"),
            let intermediate = try? CertifiedKey(certificatePath: files[1] + ".pem", keyPath: files[1] + ".key")
        {
            return Hierarchy(root: root, intermediate: CertificateAuthority(root: intermediate))
        }
        let made = try make()
        try made.root.write(certificatePath: files[0] + ".pem", keyPath: files[0] + ".key")
        try made.intermediate.root.write(certificatePath: files[1] + ".pem", keyPath: files[1] + ".key")
        return made
    }

    /// A hierarchy with Let's Encrypt's names: the root as ISRG names it, the intermediate as Let's Encrypt.
    private static func make(staging: Bool) throws(HLSError) -> Hierarchy {
        let prefix = staging ? "(STAGING) " : ""
        let rootName = staging ? "(STAGING) Pretend Pear X1" : "ISRG Root X1"
        let intermediateName = staging ? "(STAGING) Wannabe Watercress R11" : "R11"
        let root = try CertificateAuthority(
            subject: try CertificateAuthority.name(rootName) {
                CountryName("US")
                OrganizationName(prefix + "Internet Security Research Group")
                CommonName(rootName)
            }, days: 7300)
        let intermediate = try root.issueIntermediate(
            subject: try CertificateAuthority.name(intermediateName) {
                CountryName("US")
                OrganizationName(prefix + "Let's Encrypt")
                CommonName(intermediateName)
            }, days: 1095)
        return Hierarchy(root: root.root, intermediate: intermediate)
    }

    /// What Go's HTTP client says when the directory's host does not resolve.
    static func unreachable(_ server: String) -> HLSError {
        let host = server.split(separator: "/").dropFirst().first.map(String.init) ?? server
        return HLSError(
            .failed,
            "Get \"\(server)\": dial tcp: lookup \(host) on 10.43.0.10:53: no such host")
    }
}
