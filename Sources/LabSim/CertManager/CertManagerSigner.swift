import Crypto
import HLSCore
import Synchronization
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The X.509 side of cert-manager's issuance: the private key and CSR a Certificate's request
/// carries, and the signing an issuer does (self-signed by the request's own key, by a CA's key
/// pair, or by Let's Encrypt's simulated intermediates), valid from now for the requested duration. Keys are EC
/// P-256 (cert-manager's default is RSA 2048; what matters here is a real, verifiable chain).
enum CertManagerSigner {
    /// A fresh private key, as PEM.
    static func newKey() -> String {
        (try? Certificate.PrivateKey(P256.Signing.PrivateKey()).serializeAsPEM().pemString) ?? ""
    }

    /// The PEM CSR for `spec` (commonName, dnsNames) signed by `keyPEM`.
    static func request(spec: Document, keyPEM: String) throws -> String {
        let key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        let commonName = spec.text("commonName")
        let subject = try DistinguishedName {
            if let commonName { CommonName(commonName) }
        }
        let names = (spec["dnsNames"]?.items ?? []).compactMap(\.scalarText).map(GeneralName.dnsName)
        var attributes = CertificateSigningRequest.Attributes()
        if !names.isEmpty {
            let extensions = try Certificate.Extensions { SubjectAlternativeNames(names) }
            attributes.insert(try .init(ExtensionRequest(extensions: extensions)))
        }
        let csr = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: key, attributes: attributes)
        return try csr.serializeAsPEM().pemString
    }

    /// Signs the CSR `requestPEM` for `seconds` from now: by `issuer` (a CA's certificate and
    /// key), or self-signed by `ownKeyPEM` when there is none. `isCA` makes a CA certificate.
    static func sign(
        requestPEM: String, issuer: CertifiedKey?, ownKeyPEM: String?, seconds: Int, isCA: Bool
    ) throws -> Certificate {
        let csr = try CertificateSigningRequest(pemEncoded: requestPEM)
        let names = try csr.attributes.extensionRequest?.extensions.subjectAlternativeNames
        let signer: Certificate.PrivateKey
        if let issuer {
            signer = issuer.key
        } else {
            signer = try Certificate.PrivateKey(pemEncoded: ownKeyPEM ?? "")
        }
        let now = Date(timeIntervalSince1970: Double(KubeTime.now()))
        let authorityKeyID = try issuer?.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let serial = Certificate.SerialNumber()
        return try Certificate(
            version: .v3, serialNumber: serial, publicKey: csr.publicKey, notValidBefore: now,
            notValidAfter: now.addingTimeInterval(Double(seconds)), issuer: issuer?.certificate.subject ?? csr.subject,
            subject: csr.subject,
            extensions: try Certificate.Extensions {
                if isCA {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                } else {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                }
                SubjectKeyIdentifier(hash: csr.publicKey)
                if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
                if let names { names }
            },
            issuerPrivateKey: signer)
    }

    /// The DNS names a CSR asks for (its extension request's subject alternative names).
    static func dnsNames(requestPEM: String) -> [String] {
        guard let csr = try? CertificateSigningRequest(pemEncoded: requestPEM),
            let names = try? csr.attributes.extensionRequest?.extensions.subjectAlternativeNames
        else { return [] }
        var found: [String] = []
        for name in names { if case .dnsName(let text) = name { found.append(text) } }
        return found
    }

    /// The first PEM block of a chain (the leaf).
    static func firstPEM(_ chain: String) -> String {
        let end = "-----END CERTIFICATE-----"
        guard let range = chain.firstRange(of: end) else { return chain }
        return String(chain[..<range.upperBound]) + "\n"
    }

    /// A CA key pair read from a Secret's `tls.crt` and `tls.key`.
    static func keyPair(_ secret: Document?) -> CertifiedKey? {
        guard let certificate = CertManager.secretData(secret, "tls.crt"),
            let key = CertManager.secretData(secret, "tls.key"),
            let parsed = try? Certificate(pemEncoded: firstPEM(certificate)),
            let privateKey = try? Certificate.PrivateKey(pemEncoded: key)
        else { return nil }
        return CertifiedKey(certificate: parsed, key: privateKey)
    }

    /// A Go duration (`2160h`, `90m`, `1h30m`, `45s`) in seconds.
    static func seconds(_ text: String?) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        var total = 0.0
        var number = ""
        for c in text {
            if c.isNumber || c == "." {
                number.append(c)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch c {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty ? Int(total) : nil
    }
}
