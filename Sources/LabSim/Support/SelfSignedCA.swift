import Foundation
import HLSCore
import NIOSSL

/// A cluster CA and node certificates made the way a fresh PVE install makes them
/// (`pvecm updatecerts`): a self-signed "Proxmox Virtual Environment" root CA
/// (`pve-root-ca.pem`) and, per node, a server certificate it signed (`pve-ssl.pem`) whose
/// subjectAltName covers the node's name, `localhost` and `127.0.0.1`. Made with the `openssl`
/// command-line tool; an existing set in the directory is reused so clients that trust the CA
/// keep trusting it across restarts.
struct SelfSignedCA {
    let directory: String
    var caPath: String { directory + "/pve-root-ca.pem" }
    var caKeyPath: String { directory + "/pve-root-ca.key" }
    func certificatePath(node: String) -> String { directory + "/nodes/\(node)/pve-ssl.pem" }
    func keyPath(node: String) -> String { directory + "/nodes/\(node)/pve-ssl.key" }

    /// Makes (or reuses) the CA and one certificate per node.
    func ensure(nodes: [String], domain: String = "lab.internal") throws(HLSError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot create the certificate directory \(directory)", cause: "\(error)")
        }
        if !fm.fileExists(atPath: caPath) || !fm.fileExists(atPath: caKeyPath) {
            let ou = SHA.hex((0..<16).map { _ in UInt8.random(in: 0...255) })
            try openssl([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
                "-keyout", caKeyPath, "-out", caPath,
                "-subj", "/CN=Proxmox Virtual Environment/OU=\(ou)/O=PVE Cluster Manager CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash",
            ])
            for node in nodes { try? fm.removeItem(atPath: certificatePath(node: node)) }
        }
        for node in nodes
        where !fm.fileExists(atPath: certificatePath(node: node)) || !fm.fileExists(atPath: keyPath(node: node)) {
            let nodeDir = directory + "/nodes/\(node)"
            do {
                try fm.createDirectory(atPath: nodeDir, withIntermediateDirectories: true)
            } catch {
                throw HLSError(.failed, "cannot create \(nodeDir)", cause: "\(error)")
            }
            let csr = nodeDir + "/pve-ssl.csr"
            let ext = nodeDir + "/pve-ssl.ext"
            let extensions = """
                basicConstraints=CA:FALSE
                keyUsage=digitalSignature,nonRepudiation,keyEncipherment,keyAgreement
                extendedKeyUsage=serverAuth
                subjectKeyIdentifier=hash
                authorityKeyIdentifier=keyid,issuer
                subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:\(node),DNS:\(node).\(domain)

                """
            do {
                try extensions.write(toFile: ext, atomically: true, encoding: .utf8)
            } catch {
                throw HLSError(.failed, "cannot write \(ext)", cause: "\(error)")
            }
            try openssl([
                "req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", keyPath(node: node), "-out", csr,
                "-subj", "/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=\(node).\(domain)",
            ])
            try openssl([
                "x509", "-req", "-in", csr, "-CA", caPath, "-CAkey", caKeyPath, "-CAcreateserial", "-sha256",
                "-days", "730", "-extfile", ext, "-out", certificatePath(node: node),
            ])
            try? fm.removeItem(atPath: csr)
            try? fm.removeItem(atPath: ext)
        }
        for path in [caKeyPath] + nodes.map(keyPath(node:)) {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    private func openssl(_ arguments: [String]) throws(HLSError) {
        let candidates = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HLSError(
                .failed, "openssl is needed to make the simulator's certificates",
                hint: "install it (apt-get install -y openssl) or pass a certificate and key")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw HLSError(.failed, "cannot run openssl", cause: "\(error)")
        }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HLSError(
                .failed, "openssl \(arguments.first ?? "") failed",
                cause: String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

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
            fingerprint = SHA.hex(SHA.sha256(try certificate.toDERBytes()), uppercase: true, separator: ":")
            let spki = try certificate.extractPublicKey().toSPKIBytes()
            publicKeyPin = "sha256//" + Base64.encode(SHA.sha256(spki))
        } catch {
            throw HLSError(.failed, "cannot read the certificate \(certificatePath)", cause: "\(error)")
        }
    }
}
