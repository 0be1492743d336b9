import HLSCore
import X509

/// cert-manager's `pki.RequestMatchesSpec` (pkg/util/pki/match.go): the fields of a
/// Certificate's spec in which a CertificateRequest differs from it, by their spec paths. The
/// trigger controller skips its back-off when the next revision's request differs (a change of
/// spec is issued at once), and the request manager replaces a request that differs.
///
/// Compared, as cert-manager compares them: the CSR's common name and DNS names (unordered), and
/// the request's `isCA`, `duration` (when both give one) and `issuerRef` (kind `Issuer` and group
/// `cert-manager.io` when left out). The simulated CSR carries no IP, URI or e-mail names, other
/// subject fields or key usages, so those are not compared.
enum CertManagerRequestMatch {
    static func mismatches(_ request: Document, _ certificate: Document) -> [String] {
        let spec = certificate["spec"] ?? .object([])
        guard
            let pem = request.text("spec", "request").flatMap(Base64.decode).map({ String(decoding: $0, as: UTF8.self) }
            ),
            let csr = try? CertificateSigningRequest(pemEncoded: pem)
        else {
            // cert-manager logs "cannot be decoded" and treats it as no mismatch.
            return []
        }
        var violations: [String] = []
        let requested = CertManagerSigner.dnsNames(requestPEM: pem)
        let wanted = (spec["dnsNames"]?.items ?? []).compactMap(\.scalarText)
        if requested.sorted() != wanted.sorted() { violations.append("spec.dnsNames") }
        if commonName(of: csr) != (spec.text("commonName") ?? "") { violations.append("spec.commonName") }
        if (request.at(["spec", "isCA"]) == .bool(true)) != (spec["isCA"] == .bool(true)) {
            violations.append("spec.isCA")
        }
        if let asked = CertManagerSigner.seconds(request.text("spec", "duration")),
            let wantedDuration = CertManagerSigner.seconds(spec.text("duration")), asked != wantedDuration
        {
            violations.append("spec.duration")
        }
        let issuer = request.at(["spec", "issuerRef"]) ?? .object([])
        let wantedIssuer = spec["issuerRef"] ?? .object([])
        func kind(_ ref: Document) -> String { (ref.text("kind") ?? "").isEmpty ? "Issuer" : ref.text("kind")! }
        func group(_ ref: Document) -> String {
            (ref.text("group") ?? "").isEmpty ? "cert-manager.io" : ref.text("group")!
        }
        if issuer.text("name") != wantedIssuer.text("name") || kind(issuer) != kind(wantedIssuer)
            || group(issuer) != group(wantedIssuer)
        {
            violations.append("spec.issuerRef")
        }
        return violations
    }

    private static func commonName(of csr: CertificateSigningRequest) -> String {
        for rdn in csr.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value) ?? ""
            }
        }
        return ""
    }
}
