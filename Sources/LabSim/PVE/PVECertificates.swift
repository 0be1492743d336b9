import HLSCore
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cluster CA and node certificates laid out the way a fresh PVE install makes them
/// (`pvecm updatecerts`): a self-signed "Proxmox Virtual Environment" root CA
/// (`pve-root-ca.pem`) and, per node, a serving certificate it signed (`pve-ssl.pem`) whose
/// subjectAltName covers the node's name, `localhost`, `127.0.0.1` and `::1`. An existing set in
/// the directory is reused so clients that trust the CA keep trusting it across restarts.
struct PVECertificates {
    let directory: String
    var caPath: String { directory + "/pve-root-ca.pem" }
    var caKeyPath: String { directory + "/pve-root-ca.key" }
    func certificatePath(node: String) -> String { directory + "/nodes/\(node)/pve-ssl.pem" }
    func keyPath(node: String) -> String { directory + "/nodes/\(node)/pve-ssl.key" }

    /// Makes (or reuses) the CA and one certificate per node.
    func ensure(nodes: [String], domain: String = "lab.internal") throws(HLSError) {
        let fm = FileManager.default
        let ca: CertificateAuthority
        if fm.fileExists(atPath: caPath) && fm.fileExists(atPath: caKeyPath) {
            ca = try CertificateAuthority(certificatePath: caPath, keyPath: caKeyPath)
        } else {
            let ou = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
            ca = try CertificateAuthority(
                subject: try CertificateAuthority.name("the PVE CA") {
                    CommonName("Proxmox Virtual Environment")
                    OrganizationalUnitName(ou)
                    OrganizationName("PVE Cluster Manager CA")
                })
            try ca.root.write(certificatePath: caPath, keyPath: caKeyPath)
            for node in nodes { try? fm.removeItem(atPath: certificatePath(node: node)) }
        }
        for node in nodes
        where !fm.fileExists(atPath: certificatePath(node: node)) || !fm.fileExists(atPath: keyPath(node: node)) {
            let subject = try CertificateAuthority.name("node \(node)") {
                OrganizationalUnitName("PVE Cluster Node")
                OrganizationName("Proxmox Virtual Environment")
                CommonName("\(node).\(domain)")
            }
            try ca.issueServer(
                subject: subject, dnsNames: ["localhost", node, "\(node).\(domain)"], ipAddresses: ["127.0.0.1", "::1"]
            ).write(certificatePath: certificatePath(node: node), keyPath: keyPath(node: node))
        }
    }

}
