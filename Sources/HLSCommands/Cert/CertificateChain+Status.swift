import HLSCore
import Kube
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `cmctl status certificate`'s text.
extension CertificateChain {
    var status: String {
        var out = ""
        func line(_ text: String) { out += text + "\n" }
        func conditions(_ object: Document?, indent: String) {
            let all = object?.at("status", "conditions")?.elements ?? []
            if all.isEmpty { line(indent + "No Conditions set") }
            for condition in all {
                line(
                    "\(indent)\(condition.string("type") ?? ""): \(condition.string("status") ?? ""), Reason: "
                        + "\(condition.string("reason") ?? ""), Message: \(condition.string("message") ?? "")")
            }
        }
        line("Name: \(certificate.string("metadata", "name") ?? "")")
        line("Namespace: \(certificate.string("metadata", "namespace") ?? "")")
        line("Created at: \(certificate.string("metadata", "creationTimestamp") ?? "")")
        line("Conditions:")
        conditions(certificate, indent: "  ")
        line("DNS Names:")
        for name in certificate.at("spec", "dnsNames")?.elements ?? [] { line("- \(Self.text(name))") }
        line("Issuer:")
        line("  Name: \(certificate.string("spec", "issuerRef", "name") ?? "")")
        line("  Kind: \(issuerKind)")
        line("  Conditions:")
        if issuer == nil {
            line("    \(issuerKind) \(certificate.string("spec", "issuerRef", "name") ?? "") not found")
        } else {
            conditions(issuer, indent: "    ")
        }
        line("Secret:")
        line("  Name: \(certificate.string("spec", "secretName") ?? "")")
        if let parsed = issued {
            line("  Issuer Country: \(Self.attribute(parsed.issuer) { $0.type == .RDNAttributeType.countryName })")
            line(
                "  Issuer Organisation: \(Self.attribute(parsed.issuer) { $0.type == .RDNAttributeType.organizationName })"
            )
            line("  Issuer Common Name: \(Self.attribute(parsed.issuer) { $0.type == .RDNAttributeType.commonName })")
            line("  Key Usage: \((try? parsed.extensions.keyUsage).flatMap { $0?.description } ?? "")")
            line(
                "  Extended Key Usages: \((try? parsed.extensions.extendedKeyUsage).flatMap { $0?.description } ?? "")")
            line("  Public Key Algorithm: \(Self.algorithm(parsed.publicKey))")
            line("  Signature Algorithm: \(parsed.signatureAlgorithm)")
            line("  Subject Key ID: \(Self.hex((try? parsed.extensions.subjectKeyIdentifier)??.keyIdentifier))")
            line(
                "  Authority Key ID: \(Self.hex((try? parsed.extensions.authorityKeyIdentifier)??.keyIdentifier ?? nil))"
            )
            line("  Serial Number: \(Self.hex(ArraySlice(parsed.serialNumber.bytes)))")
        } else {
            line("  No certificate issued into it yet")
        }
        line("Not Before: \(certificate.string("status", "notBefore") ?? "")")
        line("Not After: \(certificate.string("status", "notAfter") ?? "")")
        line("Renewal Time: \(certificate.string("status", "renewalTime") ?? "")")
        if let request {
            line("CertificateRequest:")
            line("  Name: \(request.string("metadata", "name") ?? "")")
            line("  Namespace: \(request.string("metadata", "namespace") ?? "")")
            line("  Conditions:")
            conditions(request, indent: "    ")
        } else {
            line("No CertificateRequest found for this Certificate")
        }
        if let order {
            line("Order:")
            line("  Name: \(order.string("metadata", "name") ?? "")")
            line("  State: \(order.string("status", "state") ?? ""), Reason: \(order.string("status", "reason") ?? "")")
            line("  Authorizations:")
            for authorization in order.at("status", "authorizations")?.elements ?? [] {
                line(
                    "    URL: \(authorization.string("url") ?? ""), Identifier: \(authorization.string("identifier") ?? "")"
                )
            }
        }
        if !challenges.isEmpty {
            line("Challenges:")
            for challenge in challenges {
                line(
                    "- Name: \(challenge.string("metadata", "name") ?? ""), Type: \(challenge.string("spec", "type") ?? ""), "
                        + "Token: \(challenge.string("spec", "token") ?? ""), Key: \(challenge.string("spec", "key") ?? "")"
                )
                line(
                    "  State: \(challenge.string("status", "state") ?? ""), Reason: \(challenge.string("status", "reason") ?? ""), "
                        + "Processing: \(Self.text(challenge.at("status", "processing"))), "
                        + "Presented: \(Self.text(challenge.at("status", "presented")))")
            }
        }
        return out
    }

    /// The Secret's `tls.crt` (its first certificate), parsed.
    var issued: Certificate? {
        guard let encoded = secret?.string("data", "tls.crt"), let bytes = Data(base64Encoded: encoded) else {
            return nil
        }
        let chain = String(decoding: bytes, as: UTF8.self)
        let end = "-----END CERTIFICATE-----"
        return try? Certificate(pemEncoded: chain.firstRange(of: end).map { String(chain[..<$0.upperBound]) } ?? chain)
    }

    /// The value of the first attribute of `name` that `pick` chooses, "" when none.
    static func attribute(
        _ name: DistinguishedName, _ pick: (RelativeDistinguishedName.Attribute) -> Bool
    ) -> String {
        for rdn in name { for attribute in rdn where pick(attribute) { return "\(attribute.value)" } }
        return ""
    }

    /// A scalar field as text ("" when missing).
    static func text(_ value: Document?) -> String {
        switch value {
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .int(let number)?: return String(number)
        default: return ""
        }
    }

    static func algorithm(_ key: Certificate.PublicKey) -> String {
        let text = "\(key)"
        return text.hasPrefix("P256") || text.hasPrefix("P384") || text.hasPrefix("P521")
            ? "ECDSA" : text.hasPrefix("RSA") ? "RSA" : text
    }

    static func hex(_ bytes: ArraySlice<UInt8>?) -> String {
        guard let bytes else { return "" }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }
}
