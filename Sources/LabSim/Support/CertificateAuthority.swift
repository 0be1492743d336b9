import Crypto
import HLSCore
import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A certificate authority for the simulator's servers and users, made in-process with
/// swift-certificates (docs/adr/0019): a self-signed root that issues serving certificates (with
/// DNS and IP subject alternative names) and client certificates (CN and O, which Kubernetes reads
/// as the user and their groups). New keys are EC P-256, as k3s and kubeadm's EC mode make them;
/// a CA read back from PEM may hold any key swift-certificates signs with (RSA too).
struct CertificateAuthority: Sendable {
    /// The CA's own certificate and key.
    let root: CertifiedKey

    /// A new self-signed CA with a fresh key.
    init(subject: DistinguishedName, days: Int = 3650) throws(HLSError) {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try Self.sign(
            "the CA certificate", subject: subject, publicKey: key.publicKey, issuer: subject, issuerKey: key,
            days: days
        ) {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        root = CertifiedKey(certificate: certificate, key: key)
    }

    /// A subordinate CA with a fresh key, signed by this one, as a public CA's issuing
    /// intermediates are by its root.
    func issueIntermediate(subject: DistinguishedName, days: Int) throws(HLSError) -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authorityKeyID = try? root.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let certificate = try Self.sign(
            "an intermediate CA certificate", subject: subject, publicKey: key.publicKey,
            issuer: root.certificate.subject, issuerKey: root.key, days: days
        ) {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
            if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
        }
        return CertificateAuthority(root: CertifiedKey(certificate: certificate, key: key))
    }

    /// A CA read back from the files `CertifiedKey.write` made.
    init(certificatePath: String, keyPath: String) throws(HLSError) {
        root = try CertifiedKey(certificatePath: certificatePath, keyPath: keyPath)
    }

    /// A serving certificate for `dnsNames` and `ipAddresses` (text, IPv4 or IPv6), with a fresh key.
    func issueServer(
        subject: DistinguishedName, dnsNames: [String], ipAddresses: [String], days: Int = 730
    ) throws(HLSError) -> CertifiedKey {
        var names = dnsNames.map(GeneralName.dnsName)
        for address in ipAddresses {
            names.append(.ipAddress(ASN1OctetString(contentBytes: try Self.addressBytes(address)[...])))
        }
        return try issue(
            "a serving certificate", subject: subject, usage: .serverAuth, alternativeNames: names, days: days)
    }

    /// A self-signed serving certificate (issuer = subject, its own key, not a CA), as a server
    /// makes for itself when it has none (Traefik's "TRAEFIK DEFAULT CERT").
    static func selfSignedServer(subject: DistinguishedName, dnsNames: [String], days: Int) throws(HLSError)
        -> CertifiedKey
    {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try sign(
            "a self-signed serving certificate", subject: subject, publicKey: key.publicKey, issuer: subject,
            issuerKey: key, days: days
        ) {
            BasicConstraints.notCertificateAuthority
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            SubjectAlternativeNames(dnsNames.map(GeneralName.dnsName))
            try ExtendedKeyUsage([.serverAuth])
        }
        return CertifiedKey(certificate: certificate, key: key)
    }

    /// A client certificate for the user `commonName` in the groups `organizations`, with a fresh key.
    func issueClient(commonName: String, organizations: [String] = [], days: Int = 365) throws(HLSError)
        -> CertifiedKey
    {
        let subject = try Self.name("the client \(commonName)") {
            for organization in organizations { OrganizationName(organization) }
            CommonName(commonName)
        }
        return try issue("a client certificate", subject: subject, usage: .clientAuth, days: days)
    }

    /// A distinguished name from the builder, failing as an `HLSError` about `what` it names.
    static func name(
        _ what: String, @DistinguishedNameBuilder _ builder: () throws -> Result<DistinguishedName, any Error>
    ) throws(HLSError) -> DistinguishedName {
        do { return try DistinguishedName(builder: builder) } catch {
            throw HLSError(.failed, "cannot name the certificate of \(what)", cause: "\(error)")
        }
    }

    /// A leaf certificate with a fresh key: not a CA, for signing and key encipherment, with key
    /// identifiers, the extended key `usage` and any alternative names.
    private func issue(
        _ what: String, subject: DistinguishedName, usage: ExtendedKeyUsage.Usage,
        alternativeNames: [GeneralName] = [], days: Int
    ) throws(HLSError) -> CertifiedKey {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authorityKeyID = try? root.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let certificate = try Self.sign(
            what, subject: subject, publicKey: key.publicKey, issuer: root.certificate.subject, issuerKey: root.key,
            days: days
        ) {
            BasicConstraints.notCertificateAuthority
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            SubjectKeyIdentifier(hash: key.publicKey)
            if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
            if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
            try ExtendedKeyUsage([usage])
        }
        return CertifiedKey(certificate: certificate, key: key)
    }

    /// Signs a version-3 certificate valid from an hour ago (clocks differ) for `days`.
    private static func sign(
        _ what: String, subject: DistinguishedName, publicKey: Certificate.PublicKey, issuer: DistinguishedName,
        issuerKey: Certificate.PrivateKey, days: Int,
        @ExtensionsBuilder extensions: () throws -> Result<Certificate.Extensions, any Error>
    ) throws(HLSError) -> Certificate {
        let now = Date()
        do {
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: now.addingTimeInterval(Double(days) * 86400),
                issuer: issuer, subject: subject, extensions: try Certificate.Extensions(builder: extensions),
                issuerPrivateKey: issuerKey)
        } catch {
            throw HLSError(.failed, "cannot make \(what) for \(subject)", cause: "\(error)")
        }
    }

    /// The 4 or 16 bytes of an IP address written as text.
    private static func addressBytes(_ address: String) throws(HLSError) -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        throw HLSError(.usage, "\(address) is not an IP address, so it cannot be a certificate's IP name")
    }
}

/// A certificate and its private key, in memory and as PEM files.
struct CertifiedKey: Sendable {
    let certificate: Certificate
    let key: Certificate.PrivateKey

    init(certificate: Certificate, key: Certificate.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// Reads a certificate and its key from PEM files.
    init(certificatePath: String, keyPath: String) throws(HLSError) {
        do {
            certificate = try Certificate(pemEncoded: String(contentsOfFile: certificatePath, encoding: .utf8))
            key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: keyPath, encoding: .utf8))
        } catch {
            throw HLSError(
                .failed, "cannot read the certificate \(certificatePath) and key \(keyPath)", cause: "\(error)")
        }
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`).
    func certificatePEM() throws(HLSError) -> String {
        do { return try certificate.serializeAsPEM().pemString } catch {
            throw HLSError(.failed, "cannot encode the certificate for \(certificate.subject)", cause: "\(error)")
        }
    }

    /// The private key as PEM.
    func keyPEM() throws(HLSError) -> String {
        do { return try key.serializeAsPEM().pemString } catch {
            throw HLSError(.failed, "cannot encode the key for \(certificate.subject)", cause: "\(error)")
        }
    }

    /// Writes both as PEM, making missing directories; the key file is readable by its owner only.
    func write(certificatePath: String, keyPath: String) throws(HLSError) {
        try Self.write(certificatePEM(), to: certificatePath, mode: 0o644)
        try Self.write(keyPEM(), to: keyPath, mode: 0o600)
    }

    private static func write(_ text: String, to path: String, mode: Int) throws(HLSError) {
        let fm = FileManager.default
        let directory = FilePaths.directory(of: path)
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot create \(directory)", cause: "\(error)")
        }
        try? fm.removeItem(atPath: path)
        guard fm.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw HLSError(.failed, "cannot write \(path)")
        }
    }
}
