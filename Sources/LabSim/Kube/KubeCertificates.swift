import Crypto
import HLSCore
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The certificates of a k3s server (`/var/lib/rancher/k3s/server/tls`): a server CA and its
/// serving certificate for the API, a client CA and the admin's client certificate (CN
/// `system:admin`, O `system:masters`, an EC P-256 key). Kept in `directory` when given, so a
/// kubeconfig stays valid across restarts.
struct KubeCertificates: Sendable {
    let serverCA: CertifiedKey
    let clientCA: CertifiedKey
    let serving: CertifiedKey
    let admin: CertifiedKey

    init(directory: String?, addresses: [String], dnsNames: [String]) throws(HLSError) {
        let stamp = KubeTime.now()
        func load(_ name: String, _ make: () throws(HLSError) -> CertifiedKey) throws(HLSError) -> CertifiedKey {
            guard let directory else { return try make() }
            let certificate = "\(directory)/\(name).crt"
            let key = "\(directory)/\(name).key"
            if FileManager.default.fileExists(atPath: certificate), FileManager.default.fileExists(atPath: key) {
                return try CertifiedKey(certificatePath: certificate, keyPath: key)
            }
            let made = try make()
            try made.write(certificatePath: certificate, keyPath: key)
            return made
        }
        let serverCA = try load("server-ca") { () throws(HLSError) in
            try CertificateAuthority(
                subject: CertificateAuthority.name("the k3s server CA") { CommonName("k3s-server-ca@\(stamp)") }
            ).root
        }
        let clientCA = try load("client-ca") { () throws(HLSError) in
            try CertificateAuthority(
                subject: CertificateAuthority.name("the k3s client CA") { CommonName("k3s-client-ca@\(stamp)") }
            ).root
        }
        self.serverCA = serverCA
        self.clientCA = clientCA
        serving = try load("serving-kube-apiserver") { () throws(HLSError) in
            try CertificateAuthority(root: serverCA).issueServer(
                subject: CertificateAuthority.name("the k3s API server") {
                    OrganizationName("k3s")
                    CommonName("k3s")
                },
                dnsNames: [
                    "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local",
                    "localhost",
                ] + dnsNames, ipAddresses: ["127.0.0.1", "::1", "10.43.0.1"] + addresses)
        }
        admin = try load("client-admin") { () throws(HLSError) in
            try CertificateAuthority(root: clientCA).issueClient(
                commonName: "system:admin", organizations: ["system:masters"])
        }
    }

    /// A client certificate for another user, signed by the client CA.
    func client(user: String, groups: [String]) throws(HLSError) -> CertifiedKey {
        try CertificateAuthority(root: clientCA).issueClient(commonName: user, organizations: groups)
    }

    /// A kubeconfig as k3s writes `/etc/rancher/k3s/k3s.yaml`: cluster, user and context all
    /// `default`, the CA and the client certificate and key inline (the key as `EC PRIVATE KEY`).
    func kubeconfig(server: String, client: CertifiedKey) throws(HLSError) -> String {
        let ca = Base64.encode(Array(try serverCA.certificatePEM().utf8))
        let certificate = Base64.encode(Array(try client.certificatePEM().utf8))
        let key = Base64.encode(Array(try Self.ecPrivateKeyPEM(client).utf8))
        return """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(ca)
                server: \(server)
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            kind: Config
            preferences: {}
            users:
            - name: default
              user:
                client-certificate-data: \(certificate)
                client-key-data: \(key)

            """
    }

    /// The key in SEC 1 form (`-----BEGIN EC PRIVATE KEY-----`), as k3s writes client keys.
    static func ecPrivateKeyPEM(_ certified: CertifiedKey) throws(HLSError) -> String {
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(pemRepresentation: try certified.keyPEM()) } catch {
            throw HLSError(.failed, "the client key is not an EC P-256 key", cause: "\(error)")
        }
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] prime256v1, [1] BIT STRING publicKey }
        let der: [UInt8] =
            [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20] + Array(key.rawRepresentation)
            + [0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
            + [0xA1, 0x44, 0x03, 0x42, 0x00] + Array(key.publicKey.x963Representation)
        let base64 = Base64.encode(der)
        var lines: [String] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN EC PRIVATE KEY-----\n" + lines.joined(separator: "\n") + "\n-----END EC PRIVATE KEY-----\n"
    }
}

extension CertificateAuthority {
    /// A CA from a certificate and key already at hand.
    init(root: CertifiedKey) {
        self.root = root
    }
}
