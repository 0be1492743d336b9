import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Cloudflare's DNS API as cert-manager's Cloudflare DNS-01 solver reaches it: one API token, and
/// the zones it may edit (the lab's domain). Presenting `_acme-challenge.NAME` looks up the
/// nearest zone as the solver does (`GET /zones?name=…`, one label less each time); what fails is
/// reported in the solver's words around Cloudflare's API errors
/// (pkg/issuer/acme/dns/cloudflare/cloudflare.go).
struct SimulatedCloudflare: Sendable {
    /// The API token the account accepts.
    var token: String
    /// The zones in the account.
    var zones: [String]

    /// The error presenting the DNS-01 record for `dnsName` with `token` gives, nil once made.
    func present(dnsName: String, token given: String) -> String? {
        let fqdn = "_acme-challenge.\(dnsName)."
        let labels = fqdn.split(separator: ".", omittingEmptySubsequences: false)
        var name = String(fqdn.dropLast())
        var lastError: String?
        for label in labels.dropLast() {
            let query = "while querying the Cloudflare API for GET \"/zones?name=\(name)\" \n"
            if !Self.wellFormed(given) {
                // Cloudflare refuses the header before it looks the token up.
                lastError =
                    query + "\t Error: 6003: Invalid request headers<- 6111: Invalid format for Authorization header"
                continue
            }
            if given != token {
                lastError = query + "\t Error: 10000: Authentication error"
                continue
            }
            if zones.contains(name.lowercased()) { return nil }
            name = String(name.dropFirst(label.count + 1))
        }
        if let lastError { return "while attempting to find Zones for domain \(fqdn)\n\(lastError)" }
        return "Found no Zones for domain \(fqdn) (neither in the sub-domain nor in the SLD) please make sure your "
            + "domain-entries in the config are correct and the API key is correctly setup with Zone.read rights."
    }

    /// Whether `token` has an API token's shape (40 characters of `A-Za-z0-9_-`).
    static func wellFormed(_ token: String) -> Bool {
        token.utf8.count == 40
            && token.allSatisfy { $0 == "-" || $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// A new API token (40 characters, as Cloudflare's are).
    static func newToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return String((0..<40).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// The token kept in `path` (mode 0600), made on first use, so a `CLOUDFLARE_API_TOKEN` taken
    /// from `DIR/env` stays valid when the lab starts again.
    static func token(keptIn path: String) throws(HLSError) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if let kept = text.split(whereSeparator: \.isWhitespace).first, wellFormed(String(kept)) { return String(kept) }
        let token = newToken()
        try EnvironmentFile.writePrivate(token + "\n", to: path)
        return token
    }
}
