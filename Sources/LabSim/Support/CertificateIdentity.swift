import HLSCore
import HLSCrypto
import NIOSSL

/// What clients pin: the certificate's SHA-256 fingerprint (`AA:BB:…`, as PVE's
/// `ssl_fingerprint`) and the SHA-256 of its public key (`sha256//…`, curl's PINNEDPUBLICKEY).
struct CertificateIdentity: Sendable {
    var fingerprint: String
    var publicKeyPin: String

    init(certificatePath: String) throws(HLSError) {
        do {
            guard let certificate = try NIOSSLCertificate.fromPEMFile(certificatePath).first else {
                throw HLSError(.failed, "no certificate in \(certificatePath)")
            }
            fingerprint = Hex.encode(SHA.sha256(try certificate.toDERBytes()), uppercase: true, separator: ":")
            let spki = try certificate.extractPublicKey().toSPKIBytes()
            publicKeyPin = "sha256//" + Base64.encode(SHA.sha256(spki))
        } catch {
            throw HLSError(.failed, "cannot read the certificate \(certificatePath)", cause: "\(error)")
        }
    }
}
